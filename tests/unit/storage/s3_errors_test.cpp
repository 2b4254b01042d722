// How S3Client turns failed answers into messages, for the answers a local
// server cannot produce (regions, expired tokens, clock skew): what failed,
// why, and what to do — and never a secret.

#include "common/error.hpp"
#include "storage/s3_client.hpp"

#include <gtest/gtest.h>

namespace lastgood::storage {
namespace {

std::string message_for(long status, const std::string& body, const Pairs& headers = {})
{
  S3Client client(parse_s3_url("s3://acme-pg/prod"),
                  {"AKIAEXAMPLE", "topsecretkey", "sessiontoken"}, "us-east-1");
  HttpResponse response;
  response.status = status;
  response.body = body;
  response.headers = headers;
  response.attempts = 6;
  try {
    client.fail(response, "reading 'k' in s3://acme-pg/prod", "k");
  } catch (const StorageError& e) {
    const std::string message = e.what();
    EXPECT_EQ(message.find("topsecretkey"), std::string::npos) << message;
    EXPECT_EQ(message.find("sessiontoken"), std::string::npos) << message;
    return message;
  }
  return "(no error)";
}

std::string error_xml(const std::string& code, const std::string& extra = "")
{
  return "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><Code>" + code +
         "</Code><Message>the server says so</Message>" + extra + "</Error>";
}

TEST(S3Errors, WrongRegionNamesTheRightOne)
{
  const auto message =
      message_for(301, error_xml("PermanentRedirect"), {{"x-amz-bucket-region", "eu-west-1"}});
  EXPECT_NE(message.find("is in region eu-west-1, not us-east-1"), std::string::npos) << message;
  EXPECT_NE(message.find("add ?region=eu-west-1"), std::string::npos) << message;
  const auto malformed =
      message_for(400, error_xml("AuthorizationHeaderMalformed", "<Region>ap-south-1</Region>"));
  EXPECT_NE(malformed.find("add ?region=ap-south-1"), std::string::npos) << malformed;
  const auto unnamed = message_for(301, "");
  EXPECT_NE(unnamed.find("wrong region or endpoint"), std::string::npos) << unnamed;
}

TEST(S3Errors, CredentialProblemsSayWhichOne)
{
  EXPECT_NE(
      message_for(403, error_xml("SignatureDoesNotMatch")).find("secret access key does not match"),
      std::string::npos);
  EXPECT_NE(message_for(403, error_xml("ExpiredToken")).find("session token has expired"),
            std::string::npos);
  EXPECT_NE(message_for(403, error_xml("RequestTimeTooSkewed")).find("clock is off"),
            std::string::npos);
  EXPECT_NE(message_for(403, error_xml("AccessDenied")).find("bucket's policy"), std::string::npos);
}

TEST(S3Errors, MissingBucketAndMissingKeyAreDifferent)
{
  EXPECT_NE(
      message_for(404, error_xml("NoSuchBucket")).find("bucket 'acme-pg' does not exist at AWS"),
      std::string::npos);
  S3Client client(parse_s3_url("s3://acme-pg/prod"), {"a", "b", ""}, "us-east-1");
  HttpResponse response;
  response.status = 404;
  response.body = error_xml("NoSuchKey");
  EXPECT_THROW(client.fail(response, "reading 'k'", "k"), NotFoundError);
}

TEST(S3Errors, PersistentServerErrorsAreRetryableAndCounted)
{
  S3Client client(parse_s3_url("s3://acme-pg/prod"), {"a", "b", ""}, "us-east-1");
  HttpResponse response;
  response.status = 503;
  response.body = error_xml("SlowDown");
  response.attempts = 6;
  try {
    client.fail(response, "listing s3://acme-pg/prod", "");
    FAIL();
  } catch (const StorageError& e) {
    EXPECT_FALSE(e.permanent());
    EXPECT_NE(std::string(e.what()).find("HTTP 503 SlowDown"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("after 6 attempts"), std::string::npos) << e.what();
  }
}

} // namespace
} // namespace lastgood::storage
