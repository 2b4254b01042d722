// Reads of one S3 object in parallel ranged parts, against a real s3rver on
// loopback (through tests/support/fault-proxy.js where requests are counted
// or made to fail): the bytes are the object's, in order, whatever the part
// size; a part that fails mid-way is retried or ends the read with an error,
// never with other bytes.

#include "common/error.hpp"
#include "common/sha256.hpp"
#include "storage/s3_storage.hpp"
#include "tests/support/s3_server.hpp"
#include "tests/support/temp_dir.hpp"
#include "tests/unit/storage/storage_test_helpers.hpp"

#include <algorithm>
#include <fstream>
#include <gtest/gtest.h>
#include <random>

namespace lastgood::storage {
namespace {

using lastgood::testing::FaultProxy;
using lastgood::testing::S3Server;
using lastgood::testing::TempDir;
using lastgood::testing::unique_s3_prefix;
using testing::drain;
using testing::list_all;
using testing::put_object;

constexpr std::size_t kMiB = 1 << 20;

std::string random_bytes(std::size_t size, unsigned seed)
{
  std::mt19937 engine(seed);
  std::string bytes(size, '\0');
  for (char& c : bytes)
    c = static_cast<char>(engine() & 0xff);
  return bytes;
}

// Reads in parts of 1 MiB, 3 in flight, for the scope of one test.
class SmallParts
{
public:
  SmallParts()
  {
    set_s3_config_source([] {
      S3Config config;
      config.read_part_size_mib = 1;
      config.read_concurrency = 3;
      return config;
    });
  }
  ~SmallParts() { set_s3_config_source(nullptr); }
};

// The requests a proxy's log recorded, by "METHOD RANGE" line.
std::vector<std::string> logged(const std::filesystem::path& log)
{
  std::ifstream in(log);
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);)
    lines.push_back(line);
  return lines;
}

ObjectInfo listed(Storage& storage, const std::string& key)
{
  const auto listing = list_all(storage);
  const auto found = listing.objects.find(key);
  if (found != listing.objects.end()) return found->second;
  ADD_FAILURE() << key << " is not listed";
  return {};
}

class S3ParallelRead : public ::testing::Test
{
protected:
  void SetUp() override
  {
    m_prefix = unique_s3_prefix("parallel");
    // 9 parts and a bit: the last part is short.
    m_content = random_bytes(9 * kMiB + 12'345, 17);
    put_object(*open_storage(S3Server::shared().url(m_prefix)), "big.tar", m_content);
  }
  std::string url_through(const FaultProxy& proxy, int max_attempts) const
  {
    return "s3://" + std::string(S3Server::kBucket) + "/" + m_prefix +
           "?endpoint=" + proxy.endpoint() +
           "&timeout_ms=2000&max_attempts=" + std::to_string(max_attempts);
  }

  SmallParts m_parts;
  TempDir m_dir;
  std::string m_prefix, m_content;
};

TEST_F(S3ParallelRead, PartsInParallelHashAsTheSameFileDoes)
{
  m_dir.write("big.tar", m_content);
  const std::string file_hash = Sha256::of(testing::get_object(
      *open_storage("file://" + m_dir.path().string()), "big.tar", 0, std::nullopt));
  ASSERT_EQ(file_hash, Sha256::of(m_content));

  const auto log = m_dir.path() / "requests.log";
  FaultProxy proxy(S3Server::shared().endpoint(), 1, 0.0, 1000, "500", false, 0, log.string());
  auto s3 = open_storage(url_through(proxy, 1));
  const ObjectInfo info = listed(*s3, "big.tar");
  ASSERT_EQ(info.size, m_content.size());
  std::filesystem::remove(log); // the listing's request

  auto stream = s3->read_listed(info);
  const std::string bytes = drain(*stream);
  EXPECT_EQ(bytes.size(), m_content.size());
  EXPECT_EQ(Sha256::of(bytes), file_hash);
  ASSERT_TRUE(stream->details().has_value()); // from the GETs' answers, no HEAD
  stream.reset();

  // Ten ranged GETs of 1 MiB (the last one short), no HEAD.
  const auto requests = logged(log);
  EXPECT_EQ(requests.size(), 10u);
  for (std::size_t part = 0; part < 10; ++part) {
    const std::string range = "GET bytes=" + std::to_string(part * kMiB) + "-" +
                              std::to_string(std::min((part + 1) * kMiB, m_content.size()) - 1);
    EXPECT_EQ(std::count(requests.begin(), requests.end(), range), 1) << range;
  }
}

TEST_F(S3ParallelRead, ReadsWithoutAListingAndRangesAgree)
{
  auto s3 = open_storage(S3Server::shared().url(m_prefix));
  EXPECT_EQ(Sha256::of(testing::get_object(*s3, "big.tar")), Sha256::of(m_content));
  // A range across part boundaries, starting mid-part.
  const std::uint64_t offset = kMiB - 100, length = 3 * kMiB + 200;
  EXPECT_EQ(testing::get_object(*s3, "big.tar", offset, length), m_content.substr(offset, length));
  // A range past the end stops at the end.
  EXPECT_EQ(testing::get_object(*s3, "big.tar", 8 * kMiB, 5 * kMiB), m_content.substr(8 * kMiB));
}

TEST_F(S3ParallelRead, APartFailingMidWayIsRetried)
{
  // 40 % of the requests for the parts from 4 MiB on fail in every way but a
  // stall: cut bodies, dropped connections, 500 and 503.
  FaultProxy proxy(S3Server::shared().endpoint(), 20261126, 0.4, 1000, "500,503,truncate,drop",
                   true, 4 * kMiB);
  auto s3 = open_storage(url_through(proxy, 12));
  auto stream = s3->read_listed(listed(*s3, "big.tar"));
  EXPECT_EQ(Sha256::of(drain(*stream)), Sha256::of(m_content));
}

TEST_F(S3ParallelRead, APartThatKeepsFailingEndsTheReadWithAClearError)
{
  // Every part from 4 MiB on is cut short under a full Content-Length.
  FaultProxy proxy(S3Server::shared().endpoint(), 3, 1.0, 1000, "truncate", true, 4 * kMiB);
  auto s3 = open_storage(url_through(proxy, 2));
  auto stream = s3->read_listed(listed(*s3, "big.tar"));
  std::string read;
  std::vector<std::byte> buffer(64 * 1024);
  try {
    for (std::size_t n; (n = stream->read(buffer)) > 0;)
      read.append(reinterpret_cast<const char*>(buffer.data()), n);
    FAIL() << "the read ended without an error after " << read.size() << " bytes";
  } catch (const StorageError& e) {
    const std::string message = e.what();
    EXPECT_NE(message.find("reading 'big.tar'"), std::string::npos) << message;
    EXPECT_NE(message.find("Content-Length"), std::string::npos) << message;
    EXPECT_NE(message.find("after 2 attempts"), std::string::npos) << message;
  }
  // What came before the error is the object's own first bytes, nothing else.
  EXPECT_EQ(read, m_content.substr(0, 4 * kMiB));
}

TEST_F(S3ParallelRead, AnObjectReplacedAfterTheListingIsNotReadAsTheListedOne)
{
  auto s3 = open_storage(S3Server::shared().url(m_prefix));
  const ObjectInfo before = listed(*s3, "big.tar");
  std::string changed = m_content;
  changed[5 * kMiB] = static_cast<char>(changed[5 * kMiB] ^ 1);
  put_object(*s3, "big.tar", changed); // same size, another ETag
  try {
    auto stream = s3->read_listed(before);
    const std::string bytes = drain(*stream);
    FAIL() << "read " << bytes.size() << " bytes of a replaced object";
  } catch (const StorageError& e) {
    EXPECT_NE(std::string(e.what()).find("changed while it was read"), std::string::npos)
        << e.what();
  }
}

} // namespace
} // namespace lastgood::storage
