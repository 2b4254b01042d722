// What only the S3 backend has, against a real s3rver on loopback: multipart
// uploads and their abort, batch delete, ETags, and the messages for a
// missing bucket and refused credentials (which never show the secrets).

#include "common/error.hpp"
#include "common/owned_temp.hpp"
#include "storage/s3_storage.hpp"
#include "storage/s3_uploads.hpp"
#include "tests/support/s3_server.hpp"
#include "tests/unit/storage/storage_test_helpers.hpp"

#include <cstdlib>
#include <filesystem>
#include <gtest/gtest.h>
#include <random>
#include <unistd.h>

namespace lastgood::storage {
namespace {

using lastgood::testing::S3Server;
using lastgood::testing::unique_s3_prefix;
using testing::get_object;
using testing::keys_of;
using testing::list_all;
using testing::put_object;

std::string random_bytes(std::size_t size, unsigned seed)
{
  std::mt19937 engine(seed);
  std::string bytes(size, '\0');
  for (char& c : bytes)
    c = static_cast<char>(engine() & 0xff);
  return bytes;
}

std::size_t pending_uploads(const std::string& bucket)
{
  const auto dir = S3Server::shared().directory() / bucket / "._S3rver_uploads";
  if (!std::filesystem::exists(dir)) return 0;
  return static_cast<std::size_t>(std::distance(std::filesystem::directory_iterator(dir), {}));
}

// Sets an environment variable for one scope.
class ScopedEnv
{
public:
  ScopedEnv(const char* name, const char* value) : m_name(name)
  {
    if (const char* old = std::getenv(name)) m_old = old;
    ::setenv(name, value, 1);
  }
  ~ScopedEnv()
  {
    if (m_old)
      ::setenv(m_name, m_old->c_str(), 1);
    else
      ::unsetenv(m_name);
  }

private:
  const char* m_name;
  std::optional<std::string> m_old;
};

TEST(S3Storage, MultipartUploadOfALargeObject)
{
  auto storage = open_storage(
      S3Server::shared().url(unique_s3_prefix("multipart"), S3Server::kBucket, "part_size_mib=5"));
  const std::string content = random_bytes(12 * 1024 * 1024 + 123, 7); // three parts
  auto stream = storage->write("big.dump");
  for (std::size_t at = 0; at < content.size(); at += 1'000'003)
    stream->write(std::as_bytes(std::span(std::string_view(content).substr(at, 1'000'003))));
  EXPECT_EQ(pending_uploads(S3Server::kBucket), 1u); // two parts are up, the upload is open
  EXPECT_FALSE(storage->stat("big.dump").has_value());
  stream->commit();
  EXPECT_EQ(pending_uploads(S3Server::kBucket), 0u);
  const auto info = storage->stat("big.dump");
  ASSERT_TRUE(info.has_value());
  EXPECT_EQ(info->size, content.size());
  EXPECT_FALSE(info->etag.empty());
  EXPECT_TRUE(get_object(*storage, "big.dump") == content) << "multipart round trip differs";
  // Ranged reads across the 5 MiB chunk boundary of the reader.
  EXPECT_EQ(get_object(*storage, "big.dump", (5u << 20) - 10, 20),
            content.substr((5u << 20) - 10, 20));
}

TEST(S3Storage, AbandonedMultipartUploadIsAborted)
{
  auto storage = open_storage(
      S3Server::shared().url(unique_s3_prefix("abort"), S3Server::kBucket, "part_size_mib=5"));
  put_object(*storage, "kept", "old");
  {
    auto stream = storage->write("kept");
    const std::string part = random_bytes(6 * 1024 * 1024, 3);
    stream->write(std::as_bytes(std::span(part)));
    EXPECT_EQ(pending_uploads(S3Server::kBucket), 1u);
  }
  EXPECT_EQ(pending_uploads(S3Server::kBucket), 0u);
  EXPECT_EQ(get_object(*storage, "kept"), "old");
}

TEST(S3Storage, OpenMultipartUploadIsMarkedAsThisProcesssUntilCommitted)
{
  auto opened = open_storage(
      S3Server::shared().url(unique_s3_prefix("marker"), S3Server::kBucket, "part_size_mib=5"));
  auto& storage = dynamic_cast<S3Storage&>(*opened);
  auto stream = storage.write("db/big.dump");
  const std::string part = random_bytes(6 * 1024 * 1024, 5);
  stream->write(std::as_bytes(std::span(part)));
  // The marker names this machine and process and holds the upload id.
  const auto markers = find_upload_markers(storage.client(), "db/");
  ASSERT_EQ(markers.size(), 1u);
  EXPECT_EQ(markers[0].owner.pid, ::getpid());
  EXPECT_EQ(markers[0].owner.host_tag, host_tag());
  EXPECT_FALSE(markers[0].upload_id.empty());
  EXPECT_TRUE(markers[0].key.starts_with("db/.lastgood-tmp-")) << markers[0].key;
  EXPECT_TRUE(markers[0].key.ends_with("-big.dump")) << markers[0].key;
  // The marker is no object: a scan's listing never sees it.
  const auto listing = list_all(storage);
  EXPECT_TRUE(listing.objects.empty());
  EXPECT_TRUE(listing.problems.empty()) << listing.problems.front().message;
  stream->commit();
  EXPECT_TRUE(find_upload_markers(storage.client(), "db/").empty());
  EXPECT_EQ(keys_of(list_all(storage)), std::vector<std::string>{"db/big.dump"});
}

TEST(S3Storage, BatchDeleteSkipsMissingKeys)
{
  auto storage = open_storage(S3Server::shared().url(unique_s3_prefix("batch")));
  std::vector<std::string> keys;
  for (int i = 0; i < 25; ++i) {
    keys.push_back("wal/" + std::to_string(i));
    put_object(*storage, keys.back(), "x");
  }
  put_object(*storage, "keep", "k");
  keys.push_back("never/existed");
  storage->remove_many(keys);
  EXPECT_EQ(keys_of(list_all(*storage)), (std::vector<std::string>{"keep"}));
}

TEST(S3Storage, ListAndStatCarryTheEtag)
{
  auto storage = open_storage(S3Server::shared().url(unique_s3_prefix("etag")));
  put_object(*storage, "a", "hello");
  const auto listed = list_all(*storage).objects.at("a");
  const auto info = storage->stat("a");
  ASSERT_TRUE(info.has_value());
  EXPECT_EQ(listed.etag, "5d41402abc4b2a76b9719d911017c592"); // MD5 of a single-part upload
  EXPECT_EQ(info->etag, listed.etag);
  EXPECT_EQ(info->mtime_ns, listed.mtime_ns);
  EXPECT_EQ(info->size, 5u);
}

TEST(S3Storage, ListPagesThroughContinuationTokens)
{
  auto storage = open_storage(S3Server::shared().url(unique_s3_prefix("pages")));
  for (int i = 0; i < 1005; ++i)
    put_object(*storage, "k/" + std::to_string(i), "");
  const auto listing = list_all(*storage);
  EXPECT_EQ(listing.objects.size(), 1005u);
  EXPECT_EQ(listing.duplicate_keys, 0);
}

TEST(S3Storage, MissingBucketSaysSo)
{
  auto storage = open_storage(S3Server::shared().url("p", "no-such-bucket-here"));
  try {
    list_all(*storage);
    FAIL() << "expected StorageError";
  } catch (const NotFoundError& e) {
    FAIL() << "a missing bucket is not a missing object: " << e.what();
  } catch (const StorageError& e) {
    const std::string message = e.what();
    EXPECT_NE(message.find("bucket 'no-such-bucket-here' does not exist"), std::string::npos)
        << message;
    EXPECT_NE(message.find("check the bucket name"), std::string::npos) << message;
  }
}

TEST(S3Storage, RefusedCredentialsNeverShowSecrets)
{
  const std::string url = S3Server::shared().url(unique_s3_prefix("denied"));
  ScopedEnv key("AWS_ACCESS_KEY_ID", "AKIAUNKNOWNKEY");
  ScopedEnv secret("AWS_SECRET_ACCESS_KEY", "wJalrXUtnFEMI-very-secret-key");
  ScopedEnv token("AWS_SESSION_TOKEN", "FQoGZXIvYXdzEXAMPLE-session-token");
  auto storage = open_storage(url);
  for (int operation = 0; operation < 3; ++operation) {
    try {
      if (operation == 0) list_all(*storage);
      if (operation == 1) storage->read("x");
      if (operation == 2) put_object(*storage, "x", "y");
      ADD_FAILURE() << "expected StorageError for operation " << operation;
    } catch (const StorageError& e) {
      const std::string message = e.what();
      EXPECT_NE(message.find("access denied"), std::string::npos) << message;
      EXPECT_NE(message.find("access key id is unknown"), std::string::npos) << message;
      EXPECT_EQ(message.find("very-secret-key"), std::string::npos) << message;
      EXPECT_EQ(message.find("session-token"), std::string::npos) << message;
      EXPECT_EQ(message.find("Signature="), std::string::npos) << message;
    }
  }
}

TEST(S3Storage, NoCredentialsIsAUsageError)
{
  ScopedEnv key("AWS_ACCESS_KEY_ID", "");
  ScopedEnv secret("AWS_SECRET_ACCESS_KEY", "");
  EXPECT_THROW(open_storage("s3://bucket/p?endpoint=http://127.0.0.1:1"), UsageError);
}

TEST(S3Storage, ConfigFileCredentialsAreUsedWhenEnvironmentHasNone)
{
  const std::string url = S3Server::shared().url(unique_s3_prefix("config"));
  ScopedEnv key("AWS_ACCESS_KEY_ID", "");
  ScopedEnv secret("AWS_SECRET_ACCESS_KEY", "");
  set_s3_config_source([] {
    S3Config config;
    config.access_key_id = S3Server::kAccessKeyId;
    config.secret_access_key = S3Server::kSecretAccessKey;
    return config;
  });
  auto storage = open_storage(url);
  put_object(*storage, "a", "b");
  EXPECT_EQ(get_object(*storage, "a"), "b");
  set_s3_config_source(nullptr);
}

TEST(S3Storage, UnreachableEndpointFailsAfterBoundedRetries)
{
  S3Server::shared();
  auto storage =
      open_storage("s3://bucket/p?endpoint=http://127.0.0.1:1&max_attempts=2&timeout_ms=1000");
  try {
    storage->stat("x");
    FAIL() << "expected StorageError";
  } catch (const StorageError& e) {
    EXPECT_FALSE(e.permanent());
    EXPECT_NE(std::string(e.what()).find("after 2 attempts"), std::string::npos) << e.what();
  }
}

} // namespace
} // namespace lastgood::storage
