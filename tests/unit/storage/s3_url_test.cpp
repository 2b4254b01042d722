// s3:// URLs: bucket, prefix, options, defaults, and what is refused.

#include "common/error.hpp"
#include "storage/s3_url.hpp"

#include <gtest/gtest.h>

namespace lastgood::storage {
namespace {

TEST(S3Url, BucketPrefixAndDefaults)
{
  const auto l = parse_s3_url("s3://my-backups/pg/prod/");
  EXPECT_EQ(l.bucket, "my-backups");
  EXPECT_EQ(l.prefix, "pg/prod/");
  EXPECT_EQ(l.region, "");
  EXPECT_EQ(l.endpoint, "");
  EXPECT_FALSE(l.path_style);
  EXPECT_EQ(l.url(), "s3://my-backups/pg/prod");
  EXPECT_EQ(l.base_url("eu-west-1"), "https://my-backups.s3.eu-west-1.amazonaws.com");
  EXPECT_EQ(l.host("eu-west-1"), "my-backups.s3.eu-west-1.amazonaws.com");
  EXPECT_EQ(l.path_for("pg/prod/a b"), "/pg/prod/a b");
  EXPECT_EQ(parse_s3_url("s3://bucket").prefix, "");
  EXPECT_EQ(parse_s3_url("S3://bucket/").prefix, "");
}

TEST(S3Url, OptionsAndPathStyle)
{
  const auto l = parse_s3_url(
      "s3://bkt/p?region=eu-central-1&endpoint=https://minio.example.com:9000/&path_style=true");
  EXPECT_EQ(l.region, "eu-central-1");
  EXPECT_EQ(l.endpoint, "https://minio.example.com:9000");
  EXPECT_TRUE(l.path_style);
  EXPECT_EQ(l.base_url("eu-central-1"), "https://minio.example.com:9000/bkt");
  EXPECT_EQ(l.host("eu-central-1"), "minio.example.com:9000");
  EXPECT_EQ(l.path_for("p/k"), "/bkt/p/k");
  EXPECT_EQ(
      l.url(),
      "s3://bkt/p?region=eu-central-1&endpoint=https://minio.example.com:9000&path_style=true");
  // Round trip.
  EXPECT_EQ(parse_s3_url(l.url()).url(), l.url());

  // Virtual-hosted on a named endpoint (GCS, Ceph behind DNS).
  const auto g = parse_s3_url("s3://bkt?endpoint=storage.googleapis.com&region=auto");
  EXPECT_EQ(g.base_url("auto"), "https://bkt.storage.googleapis.com");
  EXPECT_FALSE(g.path_style);
  // An IP or localhost endpoint cannot carry the bucket as a subdomain.
  EXPECT_TRUE(parse_s3_url("s3://bkt?endpoint=http://127.0.0.1:9000").path_style);
  EXPECT_TRUE(parse_s3_url("s3://bkt?endpoint=http://localhost:9000").path_style);
  EXPECT_FALSE(parse_s3_url("s3://bkt?endpoint=http://127.0.0.1:9000&path_style=false").path_style);
  // Dotted bucket names break TLS on virtual-hosted AWS names.
  EXPECT_TRUE(parse_s3_url("s3://my.dotted.bucket").path_style);
  // Percent-encoded values.
  EXPECT_EQ(parse_s3_url("s3://bkt?endpoint=http%3A%2F%2F127.0.0.1%3A9000").endpoint,
            "http://127.0.0.1:9000");
}

TEST(S3Url, TuningOptions)
{
  const auto l = parse_s3_url("s3://bkt?max_attempts=3&timeout_ms=1500&part_size_mib=5");
  EXPECT_EQ(l.max_attempts, 3);
  EXPECT_EQ(l.timeout.count(), 1500);
  EXPECT_EQ(l.part_size, 5u << 20);
  EXPECT_THROW(parse_s3_url("s3://bkt?part_size_mib=4"), UsageError);
  EXPECT_THROW(parse_s3_url("s3://bkt?max_attempts=0"), UsageError);
  EXPECT_THROW(parse_s3_url("s3://bkt?timeout_ms=abc"), UsageError);
}

TEST(S3Url, RefusedWithClearMessages)
{
  auto message_of = [](const std::string& url) {
    try {
      parse_s3_url(url);
    } catch (const UsageError& e) {
      return std::string(e.what());
    }
    return std::string("(accepted)");
  };
  const std::string with_secret = message_of("s3://AKIAEXAMPLE:topsecret@bucket/pg");
  EXPECT_NE(with_secret.find("credentials do not belong in the URL"), std::string::npos)
      << with_secret;
  EXPECT_EQ(with_secret.find("topsecret"), std::string::npos) << with_secret;
  EXPECT_NE(message_of("s3://Bad_Bucket/x").find("bucket name 'Bad_Bucket'"), std::string::npos);
  EXPECT_NE(message_of("s3://ab").find("is not valid"), std::string::npos);
  EXPECT_NE(message_of("s3://bucket?colour=red").find("unknown option 'colour'"),
            std::string::npos);
  EXPECT_NE(message_of("s3://bucket/a/../b").find("prefix"), std::string::npos);
  EXPECT_NE(message_of("s3://bucket?endpoint=ftp://x").find("endpoint"), std::string::npos);
  EXPECT_NE(message_of("s3://bucket?endpoint=http://h/path").find("endpoint"), std::string::npos);
  EXPECT_NE(message_of("s3://bucket?path_style=yes").find("path_style"), std::string::npos);
  EXPECT_NE(message_of("http://bucket").find("s3://"), std::string::npos);
}

} // namespace
} // namespace lastgood::storage
