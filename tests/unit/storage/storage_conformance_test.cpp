// One suite for every Storage backend (as restic tests its backends): each test
// runs unchanged against every entry of backend_factories(). To add a backend
// add a factory there. S3 runs against a real s3rver process on loopback
// (tests/support/s3_server.hpp); when it cannot start, the S3 cases fail.

#include "common/error.hpp"
#include "storage/fs_storage.hpp"
#include "storage/memory_storage.hpp"
#include "storage/s3_storage.hpp"
#include "tests/support/s3_server.hpp"
#include "tests/support/temp_dir.hpp"
#include "tests/unit/storage/storage_test_helpers.hpp"

#include <atomic>
#include <functional>
#include <gtest/gtest.h>
#include <random>

namespace lastgood::storage {
namespace {

using testing::get_object;
using testing::keys_of;
using testing::list_all;
using testing::put_object;
using ::testing::TestParamInfo;
using ::testing::Values;

// A backend under test owns whatever its storage lives in (a directory, a bucket).
class Backend
{
public:
  virtual ~Backend() = default;
  virtual Storage& storage() = 0;
};

struct BackendFactory
{
  std::string name;
  std::function<std::unique_ptr<Backend>()> make; // nullptr: not available here, skip
};

class MemoryBackend : public Backend
{
public:
  MemoryBackend() : m_name("conformance-" + std::to_string(++s_counter)), m_storage(m_name) {}
  ~MemoryBackend() override { MemoryStorage::clear(m_name); }
  Storage& storage() override { return m_storage; }

private:
  static inline std::atomic<int> s_counter{0};
  std::string m_name;
  MemoryStorage m_storage;
};

class FsBackend : public Backend
{
public:
  FsBackend() : m_storage(m_dir.path()) {}
  Storage& storage() override { return m_storage; }

private:
  lastgood::testing::TempDir m_dir;
  FsStorage m_storage;
};

// A fresh prefix in the shared test bucket; emptied again afterwards with a
// batch delete.
class S3Backend : public Backend
{
public:
  S3Backend()
      : m_storage(open_storage(lastgood::testing::S3Server::shared().url(
            lastgood::testing::unique_s3_prefix("conformance"))))
  {
  }
  ~S3Backend() override
  {
    try {
      m_storage->remove_many(keys_of(list_all(*m_storage)));
    } catch (const std::exception&) {
      // the server's directory goes away with the server
    }
  }
  Storage& storage() override { return *m_storage; }

private:
  std::unique_ptr<Storage> m_storage;
};

// Lets gtest name the backend in failure messages instead of dumping bytes.
void PrintTo(const BackendFactory& factory, std::ostream* out)
{
  *out << factory.name;
}

std::string backend_name(const TestParamInfo<BackendFactory>& info)
{
  return info.param.name;
}

class StorageConformance : public ::testing::TestWithParam<BackendFactory>
{
protected:
  void SetUp() override
  {
    m_backend = GetParam().make();
    if (!m_backend) GTEST_SKIP() << GetParam().name << " backend is not configured here";
  }
  Storage& storage() { return m_backend->storage(); }

private:
  std::unique_ptr<Backend> m_backend;
};

std::string random_bytes(std::size_t size, unsigned seed)
{
  std::mt19937 engine(seed);
  std::string bytes(size, '\0');
  for (char& c : bytes)
    c = static_cast<char>(engine() & 0xff);
  return bytes;
}

TEST_P(StorageConformance, EmptyRepositoryListsNothing)
{
  const auto listing = list_all(storage());
  EXPECT_TRUE(listing.objects.empty());
  EXPECT_TRUE(listing.problems.empty());
}

TEST_P(StorageConformance, ListIsRecursiveWithSizes)
{
  put_object(storage(), "top.txt", "1");
  put_object(storage(), "dumps/shop.dump", "22");
  put_object(storage(), "dumps/2026/11/shop.dump", "333");
  const auto listing = list_all(storage());
  EXPECT_EQ(keys_of(listing),
            (std::vector<std::string>{"dumps/2026/11/shop.dump", "dumps/shop.dump", "top.txt"}));
  EXPECT_EQ(listing.duplicate_keys, 0);
  EXPECT_TRUE(listing.problems.empty());
  EXPECT_EQ(listing.objects.at("top.txt").size, 1u);
  EXPECT_EQ(listing.objects.at("dumps/shop.dump").size, 2u);
  EXPECT_EQ(listing.objects.at("dumps/2026/11/shop.dump").size, 3u);
  EXPECT_GT(listing.objects.at("top.txt").mtime_ns, 0);
}

TEST_P(StorageConformance, ListFiltersByPrefix)
{
  put_object(storage(), "dumps/shop.dump", "a");
  put_object(storage(), "dumps/shipping.dump", "b");
  put_object(storage(), "dumps/old/shop.dump", "c");
  put_object(storage(), "dumpster.txt", "d");
  put_object(storage(), "wal/000000010000000000000001", "e");

  EXPECT_EQ(
      keys_of(list_all(storage(), "dumps/")),
      (std::vector<std::string>{"dumps/old/shop.dump", "dumps/shipping.dump", "dumps/shop.dump"}));
  EXPECT_EQ(keys_of(list_all(storage(), "dumps/sh")),
            (std::vector<std::string>{"dumps/shipping.dump", "dumps/shop.dump"}));
  EXPECT_EQ(keys_of(list_all(storage(), "dumps")),
            (std::vector<std::string>{"dumps/old/shop.dump", "dumps/shipping.dump",
                                      "dumps/shop.dump", "dumpster.txt"}));
  EXPECT_EQ(keys_of(list_all(storage(), "dumps/old/")),
            (std::vector<std::string>{"dumps/old/shop.dump"}));
  EXPECT_EQ(keys_of(list_all(storage(), "wal/000000010000000000000001")),
            (std::vector<std::string>{"wal/000000010000000000000001"}));
  EXPECT_TRUE(list_all(storage(), "nothing/here/").objects.empty());
  EXPECT_TRUE(list_all(storage(), "dumps/x").objects.empty());
}

TEST_P(StorageConformance, StatReportsSizeAndMissingIsNullopt)
{
  put_object(storage(), "dir/object.bin", "12345");
  const auto info = storage().stat("dir/object.bin");
  ASSERT_TRUE(info.has_value());
  EXPECT_EQ(info->key, "dir/object.bin");
  EXPECT_EQ(info->size, 5u);
  EXPECT_GT(info->mtime_ns, 0);
  EXPECT_FALSE(storage().stat("dir/missing.bin").has_value());
  EXPECT_FALSE(storage().stat("nodir/missing.bin").has_value());
  // A key prefix that only groups other keys is not an object.
  EXPECT_FALSE(storage().stat("dir").has_value());
}

TEST_P(StorageConformance, ReadsWholeObjectOffsetAndRange)
{
  put_object(storage(), "digits", "0123456789");
  EXPECT_EQ(get_object(storage(), "digits"), "0123456789");
  EXPECT_EQ(get_object(storage(), "digits", 4), "456789");
  EXPECT_EQ(get_object(storage(), "digits", 2, 3), "234");
  EXPECT_EQ(get_object(storage(), "digits", 0, 0), "");
  // Past the end: the stream ends early, it does not fail.
  EXPECT_EQ(get_object(storage(), "digits", 8, 100), "89");
  EXPECT_EQ(get_object(storage(), "digits", 10), "");
  EXPECT_EQ(get_object(storage(), "digits", 50, 5), "");
}

TEST_P(StorageConformance, ReadMissingThrowsNotFound)
{
  EXPECT_THROW(storage().read("missing.dump"), NotFoundError);
  EXPECT_THROW(storage().read("no/such/dir/missing.dump", 5, 5), NotFoundError);
  try {
    storage().read("missing.dump");
  } catch (const NotFoundError& error) {
    EXPECT_NE(std::string(error.what()).find("missing.dump"), std::string::npos) << error.what();
  }
}

TEST_P(StorageConformance, WriteIsInvisibleUntilCommit)
{
  auto stream = storage().write("pending/object");
  stream->write(std::as_bytes(std::span(std::string_view("half"))));
  EXPECT_FALSE(storage().stat("pending/object").has_value());
  EXPECT_THROW(storage().read("pending/object"), NotFoundError);
  EXPECT_TRUE(list_all(storage()).objects.empty());
  stream->write(std::as_bytes(std::span(std::string_view("-done"))));
  stream->commit();
  ASSERT_TRUE(storage().stat("pending/object").has_value());
  EXPECT_EQ(get_object(storage(), "pending/object"), "half-done");
  EXPECT_EQ(keys_of(list_all(storage())), (std::vector<std::string>{"pending/object"}));
}

TEST_P(StorageConformance, DestroyedWithoutCommitLeavesNothing)
{
  {
    auto stream = storage().write("abandoned/object");
    stream->write(std::as_bytes(std::span(std::string_view("never committed"))));
  }
  EXPECT_FALSE(storage().stat("abandoned/object").has_value());
  const auto listing = list_all(storage());
  EXPECT_TRUE(listing.objects.empty());
  EXPECT_TRUE(listing.problems.empty());
}

TEST_P(StorageConformance, OverwriteReplacesAtomically)
{
  put_object(storage(), "label", "old content");
  auto stream = storage().write("label");
  stream->write(std::as_bytes(std::span(std::string_view("new"))));
  // Until commit, readers see the old object whole.
  EXPECT_EQ(get_object(storage(), "label"), "old content");
  EXPECT_EQ(storage().stat("label")->size, 11u);
  stream->commit();
  EXPECT_EQ(get_object(storage(), "label"), "new");
  EXPECT_EQ(storage().stat("label")->size, 3u);
  EXPECT_EQ(keys_of(list_all(storage())), (std::vector<std::string>{"label"}));
}

TEST_P(StorageConformance, RemoveDeletesAndMissingThrowsNotFound)
{
  put_object(storage(), "dir/keep", "k");
  put_object(storage(), "dir/gone", "g");
  storage().remove("dir/gone");
  EXPECT_FALSE(storage().stat("dir/gone").has_value());
  EXPECT_THROW(storage().read("dir/gone"), NotFoundError);
  EXPECT_EQ(keys_of(list_all(storage())), (std::vector<std::string>{"dir/keep"}));
  EXPECT_THROW(storage().remove("dir/gone"), NotFoundError);
  EXPECT_THROW(storage().remove("never/existed"), NotFoundError);
}

TEST_P(StorageConformance, KeysWithSpacesAndUtf8RoundTrip)
{
  const std::string spaced = "dir with space/file name.dump";
  const std::string unicode = "données/Ωmega-日本語.sql";
  put_object(storage(), spaced, "spaces");
  put_object(storage(), unicode, "utf-8");
  EXPECT_EQ(keys_of(list_all(storage())), (std::vector<std::string>{spaced, unicode}));
  EXPECT_EQ(get_object(storage(), spaced), "spaces");
  EXPECT_EQ(get_object(storage(), unicode), "utf-8");
  EXPECT_EQ(storage().stat(unicode)->size, 5u);
  EXPECT_EQ(keys_of(list_all(storage(), "données/Ω")), (std::vector<std::string>{unicode}));
  storage().remove(unicode);
  EXPECT_FALSE(storage().stat(unicode).has_value());
}

TEST_P(StorageConformance, EmptyObject)
{
  put_object(storage(), "empty", "");
  const auto info = storage().stat("empty");
  ASSERT_TRUE(info.has_value());
  EXPECT_EQ(info->size, 0u);
  EXPECT_EQ(get_object(storage(), "empty"), "");
  EXPECT_EQ(list_all(storage()).objects.count("empty"), 1u);
}

TEST_P(StorageConformance, LargeObjectReadBackInChunks)
{
  const std::string content = random_bytes(5 * 1024 * 1024, 42);
  auto stream = storage().write("big/object.bin");
  // Uneven write sizes, so no chunk boundary lines up with the read size.
  for (std::size_t at = 0; at < content.size(); at += 100'003) {
    const std::string_view piece = std::string_view(content).substr(at, 100'003);
    stream->write(std::as_bytes(std::span(piece)));
  }
  stream->commit();
  EXPECT_EQ(storage().stat("big/object.bin")->size, content.size());

  auto reader = storage().read("big/object.bin");
  std::string back;
  std::vector<std::byte> chunk(64 * 1024);
  while (const std::size_t n = reader->read(chunk)) {
    ASSERT_LE(n, chunk.size());
    back.append(reinterpret_cast<const char*>(chunk.data()), n);
  }
  ASSERT_EQ(back.size(), content.size());
  EXPECT_TRUE(back == content) << "bytes differ after a 5 MiB round trip";
  // A range in the middle matches too.
  EXPECT_EQ(get_object(storage(), "big/object.bin", 3'000'000, 70'000),
            content.substr(3'000'000, 70'000));
}

TEST_P(StorageConformance, InvalidKeysAreRejected)
{
  const std::vector<std::string> invalid = {"",
                                            "/abs/key",
                                            "a/../b",
                                            "..",
                                            "../up",
                                            "a//b",
                                            "a/",
                                            "./a",
                                            "a/./b",
                                            ".lastgood-tmp-x",
                                            std::string("nul\0byte", 8)};
  for (const std::string& key : invalid) {
    SCOPED_TRACE("key: " + key);
    EXPECT_THROW(storage().stat(key), ValidationError);
    EXPECT_THROW(storage().read(key), ValidationError);
    EXPECT_THROW(storage().write(key), ValidationError);
    EXPECT_THROW(storage().remove(key), ValidationError);
  }
  try {
    storage().read("a/../b");
    ADD_FAILURE() << "expected ValidationError";
  } catch (const ValidationError& error) {
    EXPECT_NE(std::string(error.what()).find("a/../b"), std::string::npos) << error.what();
  }
  const auto ignore_object = [](const ObjectInfo&) {};
  const auto ignore_problem = [](const ListProblem&) {};
  EXPECT_THROW(storage().list("../", ignore_object, ignore_problem), ValidationError);
  EXPECT_THROW(storage().list("/etc/", ignore_object, ignore_problem), ValidationError);
  EXPECT_THROW(storage().list("a/../", ignore_object, ignore_problem), ValidationError);
  // Names that merely contain dots are fine.
  put_object(storage(), "a..b/.hidden...dump", "ok");
  EXPECT_EQ(get_object(storage(), "a..b/.hidden...dump"), "ok");
}

TEST_P(StorageConformance, CommittedStreamRefusesMoreWrites)
{
  auto stream = storage().write("once");
  stream->commit();
  EXPECT_THROW(stream->write(std::as_bytes(std::span(std::string_view("x")))), StorageError);
  EXPECT_THROW(stream->commit(), StorageError);
  EXPECT_EQ(get_object(storage(), "once"), "");
}

TEST_P(StorageConformance, ListCallbacksMayUseTheStorage)
{
  put_object(storage(), "a/1", "x");
  put_object(storage(), "a/2", "yy");
  std::uint64_t total = 0;
  storage().list(
      "a/", [&](const ObjectInfo& info) { total += storage().stat(info.key)->size; },
      [](const ListProblem&) {});
  EXPECT_EQ(total, 3u);
}

TEST_P(StorageConformance, ReadAllAndReadHead)
{
  put_object(storage(), "label", "0123456789");
  EXPECT_EQ(read_all(storage(), "label"), "0123456789");
  EXPECT_EQ(read_all(storage(), "label", 10), "0123456789");
  EXPECT_THROW(read_all(storage(), "label", 9), ValidationError);
  EXPECT_EQ(read_head(storage(), "label", 4), "0123");
  EXPECT_EQ(read_head(storage(), "label", 100), "0123456789");
  EXPECT_THROW(read_all(storage(), "missing"), NotFoundError);
  EXPECT_THROW(read_head(storage(), "missing", 4), NotFoundError);
}

INSTANTIATE_TEST_SUITE_P(
    Backends, StorageConformance,
    Values(BackendFactory{"Memory",
                          []() -> std::unique_ptr<Backend> {
                            return std::make_unique<MemoryBackend>();
                          }},
           BackendFactory{
               "Fs", []() -> std::unique_ptr<Backend> { return std::make_unique<FsBackend>(); }},
           BackendFactory{
               "S3", []() -> std::unique_ptr<Backend> { return std::make_unique<S3Backend>(); }}),
    backend_name);

} // namespace
} // namespace lastgood::storage
