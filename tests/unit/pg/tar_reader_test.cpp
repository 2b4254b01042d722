#include "common/error.hpp"
#include "pg/tar_reader.hpp"
#include "storage/string_read_stream.hpp"

#include <archive.h>
#include <archive_entry.h>
#include <cstring>
#include <gtest/gtest.h>
#include <memory>
#include <vector>

namespace lastgood::pg {
namespace {

// Fails like a broken network connection after `good_bytes`.
class FailingReadStream : public storage::ReadStream
{
public:
  FailingReadStream(std::string data, std::size_t good_bytes)
      : m_data(std::move(data)), m_good(good_bytes)
  {
  }
  std::size_t read(std::span<std::byte> buffer) override
  {
    if (m_offset >= m_good) throw StorageError("connection reset while reading base.tar", false);
    std::size_t n = std::min(buffer.size(), m_good - m_offset);
    std::memcpy(buffer.data(), m_data.data() + m_offset, n);
    m_offset += n;
    return n;
  }

private:
  std::string m_data;
  std::size_t m_good;
  std::size_t m_offset = 0;
};

struct Entry
{
  std::string path;
  std::string content;
  unsigned type = AE_IFREG;
  std::string link_target;
};

enum class Filter { none, gzip, zstd };

la_ssize_t append_to_string(archive*, void* client_data, const void* buffer, size_t length)
{
  static_cast<std::string*>(client_data)->append(static_cast<const char*>(buffer), length);
  return static_cast<la_ssize_t>(length);
}

// Builds a ustar/pax archive in memory with libarchive's writer.
std::string make_tar(const std::vector<Entry>& entries, Filter filter = Filter::none)
{
  std::string out;
  std::unique_ptr<archive, decltype(&archive_write_free)> a(archive_write_new(),
                                                            archive_write_free);
  archive_write_set_format_pax_restricted(a.get());
  archive_write_set_bytes_in_last_block(a.get(), 1); // no zero padding after compressed data
  if (filter == Filter::gzip) archive_write_add_filter_gzip(a.get());
  if (filter == Filter::zstd) archive_write_add_filter_zstd(a.get());
  EXPECT_EQ(archive_write_open(a.get(), &out, nullptr, append_to_string, nullptr), ARCHIVE_OK);
  for (const auto& e : entries) {
    std::unique_ptr<archive_entry, decltype(&archive_entry_free)> entry(archive_entry_new(),
                                                                        archive_entry_free);
    archive_entry_set_pathname(entry.get(), e.path.c_str());
    archive_entry_set_filetype(entry.get(), e.type);
    archive_entry_set_perm(entry.get(), e.type == AE_IFDIR ? 0700 : 0600);
    archive_entry_set_size(entry.get(),
                           e.type == AE_IFREG ? static_cast<la_int64_t>(e.content.size()) : 0);
    if (e.type == AE_IFLNK) archive_entry_set_symlink(entry.get(), e.link_target.c_str());
    EXPECT_EQ(archive_write_header(a.get(), entry.get()), ARCHIVE_OK);
    if (e.type == AE_IFREG && !e.content.empty()) {
      EXPECT_EQ(archive_write_data(a.get(), e.content.data(), e.content.size()),
                static_cast<la_ssize_t>(e.content.size()));
    }
  }
  EXPECT_EQ(archive_write_close(a.get()), ARCHIVE_OK);
  return out;
}

std::string drain(storage::ReadStream& stream)
{
  std::string out;
  std::vector<std::byte> buffer(1000); // smaller than most members: several reads
  while (std::size_t n = stream.read(buffer))
    out.append(reinterpret_cast<const char*>(buffer.data()), n);
  return out;
}

std::vector<Entry> sample_entries()
{
  std::string big;
  for (int i = 0; i < 300000; ++i)
    big.push_back(static_cast<char>('a' + i % 26));
  return {
      {"backup_label", "START WAL LOCATION: 0/2000028 (file 000000010000000000000002)\n", AE_IFREG,
       ""},
      {"global/", "", AE_IFDIR, ""},
      {"global/pg_control", std::string(8192, '\x07'), AE_IFREG, ""},
      {"base/1/1259", big, AE_IFREG, ""},
      {"empty_file", "", AE_IFREG, ""},
      {"pg_tblspc/16385", "", AE_IFLNK, "/srv/tablespace"},
  };
}

struct Seen
{
  TarMember member;
  std::string content;
};

std::vector<Seen> read_all_members(const std::string& tar)
{
  storage::StringReadStream source(tar);
  std::vector<Seen> seen;
  for_each_tar_member(source, [&](const TarMember& member, storage::ReadStream& content) {
    seen.push_back({member, drain(content)});
    return true;
  });
  return seen;
}

void expect_sample(const std::vector<Seen>& seen)
{
  auto expected = sample_entries();
  ASSERT_EQ(seen.size(), expected.size());
  for (std::size_t i = 0; i < seen.size(); ++i) {
    const auto& m = seen[i].member;
    EXPECT_EQ(m.path, expected[i].path);
    EXPECT_EQ(m.regular_file, expected[i].type == AE_IFREG) << m.path;
    EXPECT_EQ(m.directory, expected[i].type == AE_IFDIR) << m.path;
    EXPECT_EQ(m.symlink, expected[i].type == AE_IFLNK) << m.path;
    EXPECT_EQ(m.link_target, expected[i].link_target) << m.path;
    EXPECT_EQ(m.size, expected[i].content.size()) << m.path;
    EXPECT_EQ(seen[i].content, expected[i].content) << m.path;
  }
}

TEST(TarReaderTest, ListsMembersAndReadsContentPlain)
{
  expect_sample(read_all_members(make_tar(sample_entries())));
}

TEST(TarReaderTest, ListsMembersAndReadsContentGzip)
{
  expect_sample(read_all_members(make_tar(sample_entries(), Filter::gzip)));
}

TEST(TarReaderTest, ListsMembersAndReadsContentZstd)
{
  expect_sample(read_all_members(make_tar(sample_entries(), Filter::zstd)));
}

TEST(TarReaderTest, UnreadContentIsSkipped)
{
  storage::StringReadStream source(make_tar(sample_entries(), Filter::gzip));
  std::vector<std::string> paths;
  for_each_tar_member(source, [&](const TarMember& member, storage::ReadStream&) {
    paths.push_back(member.path);
    return true;
  });
  EXPECT_EQ(paths.size(), sample_entries().size());
}

TEST(TarReaderTest, VisitReturningFalseStops)
{
  storage::StringReadStream source(make_tar(sample_entries()));
  std::vector<std::string> paths;
  for_each_tar_member(source, [&](const TarMember& member, storage::ReadStream&) {
    paths.push_back(member.path);
    return member.path != "global/pg_control";
  });
  EXPECT_EQ(paths, (std::vector<std::string>{"backup_label", "global/", "global/pg_control"}));
}

TEST(TarReaderTest, EmptyArchiveHasNoMembers)
{
  EXPECT_TRUE(read_all_members(make_tar({})).empty());
}

TEST(TarReaderTest, TruncatedWhileReadingAMemberNamesIt)
{
  auto tar = make_tar(sample_entries());
  // base/1/1259 is ~300 KB of the ~320 KB archive: halfway is inside its data.
  auto truncated = tar.substr(0, tar.size() / 2);
  try {
    read_all_members(truncated);
    FAIL() << "no exception";
  } catch (const ValidationError& e) {
    std::string message = e.what();
    EXPECT_NE(message.find("base/1/1259"), std::string::npos) << message;
    EXPECT_NE(message.find("runcated"), std::string::npos) << message; // libarchive's words
  }
}

TEST(TarReaderTest, TruncatedWhileSkippingIsAValidationError)
{
  auto tar = make_tar(sample_entries());
  storage::StringReadStream source(tar.substr(0, tar.size() / 2));
  try {
    for_each_tar_member(source, [](const TarMember&, storage::ReadStream&) { return true; });
    FAIL() << "no exception";
  } catch (const ValidationError& e) {
    EXPECT_NE(std::string(e.what()).find("base/1/1259"), std::string::npos) << e.what();
  }
}

TEST(TarReaderTest, TruncatedCompressedArchivesAreValidationErrors)
{
  for (auto filter : {Filter::gzip, Filter::zstd}) {
    auto tar = make_tar(sample_entries(), filter);
    for (std::size_t keep : {tar.size() / 3, tar.size() - 3}) {
      EXPECT_THROW(read_all_members(tar.substr(0, keep)), ValidationError)
          << static_cast<int>(filter) << " keep " << keep;
    }
  }
}

TEST(TarReaderTest, NotATarArchiveIsAValidationError)
{
  EXPECT_THROW(read_all_members(std::string(4096, 'x')), ValidationError);
  EXPECT_THROW(read_all_members(""), ValidationError);
}

TEST(TarReaderTest, SourceFailureIsRethrownAsStorageError)
{
  auto tar = make_tar(sample_entries());
  FailingReadStream source(tar, tar.size() / 2);
  EXPECT_THROW(for_each_tar_member(source,
                                   [](const TarMember&, storage::ReadStream& content) {
                                     drain(content);
                                     return true;
                                   }),
               StorageError);
}

TEST(TarReaderTest, ExceptionFromVisitPropagates)
{
  storage::StringReadStream source(make_tar(sample_entries()));
  EXPECT_THROW(for_each_tar_member(source,
                                   [](const TarMember&, storage::ReadStream&) -> bool {
                                     throw std::runtime_error("stop");
                                   }),
               std::runtime_error);
}

} // namespace
} // namespace lastgood::pg
