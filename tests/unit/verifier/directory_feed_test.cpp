// DirectoryFeed on an in-memory bucket: the TOC is a checked local file, each
// data member a FIFO that yields the member's bytes to whoever opens it; a
// member never opened neither hangs finish() nor counts as read (unless asked
// to hash it); a member unlike the catalog is a checksum_mismatch naming it.
// GrowingRangeStream yields exactly the object across its growing windows.

#include "common/sha256.hpp"
#include "storage/memory_storage.hpp"
#include "tests/unit/storage/storage_test_helpers.hpp"
#include "verifier/directory_feed.hpp"
#include "verifier/growing_range_stream.hpp"

#include <filesystem>
#include <fstream>
#include <gtest/gtest.h>
#include <iterator>
#include <sys/stat.h>

namespace lastgood::verifier {
namespace {

namespace fs = std::filesystem;

std::string pattern(std::size_t size, unsigned seed)
{
  std::string out(size, '\0');
  for (std::size_t i = 0; i < size; ++i)
    out[i] = static_cast<char>((i * 131 + seed * 7 + (i >> 9)) & 0xFF);
  return out;
}

std::string sha256_of(std::string_view text)
{
  Sha256 hash;
  hash.update(text);
  return hash.hex_digest();
}

std::string read_whole(const fs::path& path)
{
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

class DirectoryFeedTest : public ::testing::Test
{
protected:
  void SetUp() override
  {
    storage::MemoryStorage::clear("dirfeed");
    m_members = {{"toc.dat", pattern(3000, 1)},
                 {"3001.dat.gz", pattern(3 * 1024 * 1024 + 5, 2)},
                 {"3002.dat.gz", pattern(70000, 3)}};
    m_backup.backup_id = "b";
    m_backup.root_key = "dumps/shop.dir";
    m_backup.format = "directory";
    for (const auto& [name, data] : m_members) {
      storage::testing::put_object(m_storage, "dumps/shop.dir/" + name, data);
      catalog::BackupObjectRow row;
      row.key = "dumps/shop.dir/" + name;
      row.size = data.size();
      row.sha256 = sha256_of(data);
      m_objects.push_back(row);
    }
  }
  storage::MemoryStorage m_storage{"dirfeed"};
  std::map<std::string, std::string> m_members;
  catalog::BackupRow m_backup;
  std::vector<catalog::BackupObjectRow> m_objects;
};

TEST_F(DirectoryFeedTest, TocIsACheckedFileMembersAreFifosAndUnopenedOnesDoNotHang)
{
  std::string temp;
  {
    DirectoryFeed feed(m_storage, m_backup, m_objects);
    temp = feed.path();
    EXPECT_TRUE(feed.toc_findings().items().empty());
    const fs::path dir(feed.path());
    EXPECT_EQ(read_whole(dir / "toc.dat"), m_members["toc.dat"]);
    EXPECT_TRUE(fs::is_fifo(dir / "3001.dat.gz"));
    EXPECT_TRUE(fs::is_fifo(dir / "3002.dat.gz"));
    EXPECT_EQ(read_whole(dir / "3001.dat.gz"), m_members["3001.dat.gz"]);
    const auto findings = feed.finish(m_storage); // 3002 never opened
    EXPECT_TRUE(findings.items().empty());
    ASSERT_EQ(feed.streamed().size(), 2u);
    EXPECT_EQ(feed.streamed()[1].object.key, "dumps/shop.dir/3001.dat.gz");
    EXPECT_EQ(feed.streamed()[1].outcome.sha256, sha256_of(m_members["3001.dat.gz"]));
    EXPECT_FALSE(fs::exists(dir / "3001.dat.gz")) << "a fed FIFO is removed: no second open";
  }
  EXPECT_FALSE(fs::exists(temp)) << "the temporary directory outlived the feed";
}

TEST_F(DirectoryFeedTest, UnopenedMembersAreHashedWhenAskedAndAChangedMemberIsNamed)
{
  storage::testing::put_object(m_storage, "dumps/shop.dir/3002.dat.gz", pattern(70000, 9));
  DirectoryFeed feed(m_storage, m_backup, m_objects);
  const auto findings = feed.finish(m_storage, true); // nobody opened anything
  ASSERT_EQ(feed.streamed().size(), 3u);
  ASSERT_EQ(findings.items().size(), 1u);
  EXPECT_EQ(findings.items()[0].kind, finding_kind::checksum_mismatch);
  EXPECT_EQ(findings.items()[0].subject, "dumps/shop.dir/3002.dat.gz");
  EXPECT_NE(findings.items()[0].message.find("offsets 0-70000"), std::string::npos);
}

TEST_F(DirectoryFeedTest, AChangedTocIsFoundBeforeTheToolRuns)
{
  storage::testing::put_object(m_storage, "dumps/shop.dir/toc.dat", pattern(3000, 7));
  DirectoryFeed feed(m_storage, m_backup, m_objects);
  ASSERT_EQ(feed.toc_findings().items().size(), 1u);
  EXPECT_EQ(feed.toc_findings().items()[0].subject, "dumps/shop.dir/toc.dat");
  EXPECT_EQ(feed.finish(m_storage).items().size(), 1u);
}

TEST(GrowingRangeStream, YieldsExactlyTheObjectAcrossItsWindows)
{
  storage::MemoryStorage::clear("growing");
  storage::MemoryStorage storage("growing");
  const std::string data = pattern(5 * 1024 * 1024 + 123, 4);
  storage::testing::put_object(storage, "k", data);
  for (const std::uint64_t cataloged :
       {std::uint64_t{data.size()}, std::uint64_t{data.size() + 9}}) {
    GrowingRangeStream in(storage, "k", cataloged);
    std::string got;
    std::vector<std::byte> buffer(100000);
    while (auto n = in.read(buffer))
      got.append(reinterpret_cast<const char*>(buffer.data()), n);
    EXPECT_EQ(got.size(), data.size());
    EXPECT_TRUE(got == data);
  }
}

} // namespace
} // namespace lastgood::verifier
