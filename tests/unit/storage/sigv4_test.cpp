// SigV4 against AWS's published examples: the SigV4 test suite's
// "get-vanilla" cases, the IAM ListUsers walk-through (each intermediate value
// is printed in the AWS General Reference), and the five S3 examples of
// "Signature Calculations for the Authorization Header" (AKIAIOSFODNN7EXAMPLE).

#include "storage/sigv4.hpp"

#include <gtest/gtest.h>

namespace lastgood::storage::sigv4 {
namespace {

constexpr const char* kEmptyHash =
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

const Credentials kSuiteCredentials{"AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", ""};
const Credentials kS3Credentials{"AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
                                 ""};

Request s3_request(std::string method, std::string path,
                   std::vector<std::pair<std::string, std::string>> query)
{
  Request r;
  r.method = std::move(method);
  r.path = std::move(path);
  r.query = std::move(query);
  r.payload_hash = kEmptyHash;
  r.headers = {{"Host", "examplebucket.s3.amazonaws.com"},
               {"x-amz-content-sha256", kEmptyHash},
               {"x-amz-date", "20130524T000000Z"}};
  return r;
}

TEST(SigV4, SuiteGetVanilla)
{
  Request r;
  r.method = "GET";
  r.path = "/";
  r.headers = {{"Host", "example.amazonaws.com"}, {"X-Amz-Date", "20150830T123600Z"}};
  r.payload_hash = kEmptyHash;
  const Scope scope{"us-east-1", "service"};
  EXPECT_EQ(
      canonical_request(r, scope.service),
      "GET\n/\n\nhost:example.amazonaws.com\nx-amz-date:20150830T123600Z\n\nhost;x-amz-date\n" +
          std::string(kEmptyHash));
  EXPECT_EQ(string_to_sign("20150830T123600Z", scope, canonical_request(r, scope.service)),
            "AWS4-HMAC-SHA256\n20150830T123600Z\n20150830/us-east-1/service/aws4_request\n"
            "bb579772317eb040ac9ed261061d46c1f17a8133879d6129b6e1c25292927e63");
  EXPECT_EQ(authorization(r, kSuiteCredentials, scope, "20150830T123600Z"),
            "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, "
            "SignedHeaders=host;x-amz-date, "
            "Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31");
}

TEST(SigV4, SuiteGetVanillaQueryOrderKeyCase)
{
  Request r;
  r.method = "GET";
  r.path = "/";
  r.query = {{"Param2", "value2"}, {"Param1", "value1"}};
  r.headers = {{"Host", "example.amazonaws.com"}, {"X-Amz-Date", "20150830T123600Z"}};
  r.payload_hash = kEmptyHash;
  EXPECT_EQ(canonical_query(r), "Param1=value1&Param2=value2");
  EXPECT_EQ(signature(r, kSuiteCredentials, {"us-east-1", "service"}, "20150830T123600Z"),
            "b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500");
}

TEST(SigV4, IamListUsersWalkThrough)
{
  Request r;
  r.method = "GET";
  r.path = "/";
  r.query = {{"Action", "ListUsers"}, {"Version", "2010-05-08"}};
  r.headers = {{"Content-Type", "application/x-www-form-urlencoded; charset=utf-8"},
               {"Host", "iam.amazonaws.com"},
               {"X-Amz-Date", "20150830T123600Z"}};
  r.payload_hash = kEmptyHash;
  const Scope scope{"us-east-1", "iam"};
  const std::string canonical = canonical_request(r, scope.service);
  EXPECT_EQ(canonical, "GET\n/\nAction=ListUsers&Version=2010-05-08\n"
                       "content-type:application/x-www-form-urlencoded; charset=utf-8\n"
                       "host:iam.amazonaws.com\nx-amz-date:20150830T123600Z\n\n"
                       "content-type;host;x-amz-date\n" +
                           std::string(kEmptyHash));
  EXPECT_EQ(hex_sha256(canonical),
            "f536975d06c0309214f805bb90ccff089219ecd68b2577efef23edd43b7e1a59");
  EXPECT_EQ(to_hex(signing_key(kSuiteCredentials.secret_access_key, "20150830", scope)),
            "c4afb1cc5771d871763a393e44b703571b55cc28424d1a5e86da6ed3c154a4b9");
  EXPECT_EQ(signature(r, kSuiteCredentials, scope, "20150830T123600Z"),
            "5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7");
}

TEST(SigV4, S3GetObjectWithRange)
{
  Request r = s3_request("GET", "/test.txt", {});
  r.headers.emplace_back("Range", "bytes=0-9");
  const Scope scope{"us-east-1", "s3"};
  const std::string canonical = canonical_request(r, scope.service);
  EXPECT_EQ(canonical, "GET\n/test.txt\n\nhost:examplebucket.s3.amazonaws.com\nrange:bytes=0-9\n"
                       "x-amz-content-sha256:" +
                           std::string(kEmptyHash) +
                           "\nx-amz-date:20130524T000000Z\n\n"
                           "host;range;x-amz-content-sha256;x-amz-date\n" +
                           kEmptyHash);
  EXPECT_EQ(hex_sha256(canonical),
            "7344ae5b7ee6c3e7e6b0fe0640412a37625d1fbfff95c48bbb2dc43964946972");
  EXPECT_EQ(authorization(r, kS3Credentials, scope, "20130524T000000Z"),
            "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, "
            "SignedHeaders=host;range;x-amz-content-sha256;x-amz-date, "
            "Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41");
}

TEST(SigV4, S3PutObjectEncodesDollarInKey)
{
  Request r;
  r.method = "PUT";
  r.path = "/test$file.text";
  r.payload_hash = "44ce7dd67c959e0d3524ffac1771dfbba87d2b6b4b4e99e42034a8b803f8b072";
  r.headers = {{"Date", "Fri, 24 May 2013 00:00:00 GMT"},
               {"Host", "examplebucket.s3.amazonaws.com"},
               {"x-amz-content-sha256", r.payload_hash},
               {"x-amz-date", "20130524T000000Z"},
               {"x-amz-storage-class", "REDUCED_REDUNDANCY"}};
  EXPECT_EQ(canonical_uri(r.path, "s3"), "/test%24file.text");
  EXPECT_EQ(hex_sha256("Welcome to Amazon S3."), r.payload_hash);
  EXPECT_EQ(signature(r, kS3Credentials, {"us-east-1", "s3"}, "20130524T000000Z"),
            "98ad721746da40c64f1a55b78f14c238d841ea1380cd77a1b5971af0ece108bd");
}

TEST(SigV4, S3GetBucketLifecycleEmptyQueryValue)
{
  const Request r = s3_request("GET", "/", {{"lifecycle", ""}});
  EXPECT_EQ(canonical_query(r), "lifecycle=");
  EXPECT_EQ(signature(r, kS3Credentials, {"us-east-1", "s3"}, "20130524T000000Z"),
            "fea454ca298b7da1c68078a5d1bdbfbbe0d65c699e0f91ac7a200a0136783543");
}

TEST(SigV4, S3ListObjects)
{
  const Request r = s3_request("GET", "/", {{"prefix", "J"}, {"max-keys", "2"}});
  EXPECT_EQ(canonical_query(r), "max-keys=2&prefix=J");
  EXPECT_EQ(signature(r, kS3Credentials, {"us-east-1", "s3"}, "20130524T000000Z"),
            "34b48302e7b5fa45bde8084f4b7868a86f0a534bc59db6670ed5711ef69dc6f7");
}

TEST(SigV4, UriEncodingRules)
{
  EXPECT_EQ(uri_encode("AZaz09-_.~", true), "AZaz09-_.~");
  EXPECT_EQ(uri_encode("a b+c=d/e", true), "a%20b%2Bc%3Dd%2Fe");
  EXPECT_EQ(uri_encode("a b/c", false), "a%20b/c");
  EXPECT_EQ(uri_encode("Ω", true), "%CE%A9");
  // S3 keeps key bytes as they are; other services normalise and double-encode.
  EXPECT_EQ(canonical_uri("/dir//./a b", "s3"), "/dir//./a%20b");
  EXPECT_EQ(canonical_uri("/dir//./a b", "service"), "/dir/a%2520b");
  EXPECT_EQ(canonical_uri("/example/..", "service"), "/");
  EXPECT_EQ(canonical_uri("", "s3"), "/");
}

TEST(SigV4, HeadersTrimmedCollapsedAndJoined)
{
  Request r;
  r.headers = {
      {"My-Header1", "  value1  "}, {"my-header2", "\"a   b   c\""}, {"MY-HEADER1", "value2"}};
  EXPECT_EQ(canonical_headers(r).first, "my-header1:value1,value2\nmy-header2:\"a b c\"\n");
  EXPECT_EQ(canonical_headers(r).second, "my-header1;my-header2");
}

TEST(SigV4, SessionTokenIsASignedHeaderLikeAnyOther)
{
  Request r = s3_request("GET", "/k", {});
  const std::string before = signature(r, kS3Credentials, {"us-east-1", "s3"}, "20130524T000000Z");
  r.headers.emplace_back("x-amz-security-token", "token");
  EXPECT_NE(signature(r, kS3Credentials, {"us-east-1", "s3"}, "20130524T000000Z"), before);
  EXPECT_NE(authorization(r, kS3Credentials, {"us-east-1", "s3"}, "20130524T000000Z")
                .find("x-amz-security-token"),
            std::string::npos);
}

TEST(SigV4, MalformedDateIsRejected)
{
  const Request r = s3_request("GET", "/", {});
  EXPECT_THROW(signature(r, kS3Credentials, {"us-east-1", "s3"}, "2013-05-24"), std::exception);
}

} // namespace
} // namespace lastgood::storage::sigv4
