// open_storage's scheme table and MemoryStorage's shared, named buckets.

#include "common/error.hpp"
#include "common/sha256.hpp"
#include "storage/memory_storage.hpp"
#include "tests/unit/storage/storage_test_helpers.hpp"

#include <gtest/gtest.h>

namespace lastgood::storage {
namespace {

using testing::get_object;
using testing::put_object;

bool contains(const std::string& text, std::string_view part)
{
  return text.find(part) != std::string::npos;
}

TEST(OpenStorage, UnsupportedSchemeIsAUsageErrorWithoutSecrets)
{
  try {
    open_storage("gs://AKIAEXAMPLE:topsecret@minio.local/bucket/pg");
    FAIL() << "expected UsageError";
  } catch (const UsageError& error) {
    const std::string message = error.what();
    EXPECT_TRUE(contains(message, "unsupported repository URL scheme 'gs://'")) << message;
    EXPECT_TRUE(contains(message, "supported: file://, bare paths, memory://, s3://")) << message;
    EXPECT_FALSE(contains(message, "topsecret")) << message;
    EXPECT_EQ(error.exit_code(), kExitUsage);
  }
  EXPECT_THROW(open_storage("https://example.com/x"), UsageError);
}

TEST(OpenStorage, MalformedUrlsAreUsageErrors)
{
  EXPECT_THROW(open_storage(""), UsageError);
  EXPECT_THROW(open_storage("file://relative/path"), UsageError);
  EXPECT_THROW(open_storage("file://"), UsageError);
  EXPECT_THROW(open_storage("memory://"), UsageError);
}

TEST(OpenStorage, FileUrlForms)
{
  EXPECT_EQ(open_storage("file:///var/backups/pg")->display_url(), "file:///var/backups/pg");
  EXPECT_EQ(open_storage("FILE:///var/backups/pg/")->display_url(), "file:///var/backups/pg");
  EXPECT_EQ(open_storage("file://localhost/var/backups")->display_url(), "file:///var/backups");
  EXPECT_EQ(open_storage("/var/backups/./pg/../pg")->display_url(), "file:///var/backups/pg");
}

TEST(MemoryStorage, SameNameSharesContents)
{
  MemoryStorage::clear("shared-test");
  MemoryStorage::clear("other-test");
  const auto writer = open_storage("memory://shared-test");
  const auto reader = open_storage("memory://shared-test");
  const auto other = open_storage("memory://other-test");
  EXPECT_EQ(reader->display_url(), "memory://shared-test");

  put_object(*writer, "k", "v");
  EXPECT_EQ(get_object(*reader, "k"), "v");
  EXPECT_FALSE(other->stat("k").has_value());

  MemoryStorage::clear("shared-test");
  EXPECT_FALSE(reader->stat("k").has_value());
  EXPECT_FALSE(writer->stat("k").has_value());
}

TEST(MemoryStorage, EtagIsSha256AndMtimeIncreases)
{
  MemoryStorage storage("etag-test");
  MemoryStorage::clear("etag-test");
  put_object(storage, "a", "hello");
  put_object(storage, "b", "hello!");
  const auto a = storage.stat("a");
  const auto b = storage.stat("b");
  ASSERT_TRUE(a && b);
  EXPECT_EQ(a->etag, Sha256::of("hello"));
  EXPECT_EQ(b->etag, Sha256::of("hello!"));
  EXPECT_LT(a->mtime_ns, b->mtime_ns);
}

TEST(MemoryStorage, ReaderKeepsTheContentItOpened)
{
  MemoryStorage storage("snapshot-test");
  MemoryStorage::clear("snapshot-test");
  put_object(storage, "obj", "first version");
  auto stream = storage.read("obj");
  put_object(storage, "obj", "second");
  EXPECT_EQ(testing::drain(*stream), "first version");
}

} // namespace
} // namespace lastgood::storage
