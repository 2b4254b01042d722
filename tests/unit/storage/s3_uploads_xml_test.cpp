// ListMultipartUploads pages, parsed from the response AWS documents for the
// call (the S3 API reference's example, IDs shortened) and from broken ones.

#include "common/error.hpp"
#include "storage/s3_xml.hpp"

#include <gtest/gtest.h>

namespace lastgood::storage::s3xml {
namespace {

// The example response of the AWS S3 API reference for ListMultipartUploads.
constexpr std::string_view kDocumentedExample = R"(<?xml version="1.0" encoding="UTF-8"?>
<ListMultipartUploadsResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">
  <Bucket>bucket</Bucket>
  <KeyMarker></KeyMarker>
  <UploadIdMarker></UploadIdMarker>
  <NextKeyMarker>my-movie.m2ts</NextKeyMarker>
  <NextUploadIdMarker>YW55IGlkZWEgd2h5IGVsdmluZydzIHVwbG9hZCBmYWlsZWQ</NextUploadIdMarker>
  <MaxUploads>3</MaxUploads>
  <IsTruncated>true</IsTruncated>
  <Upload>
    <Key>my-divisor</Key>
    <UploadId>XMgbGlrZSBlbHZpbmcncyBub3QgaGF2aW5nIG11Y2ggbHVjaw</UploadId>
    <Initiator>
      <ID>arn:aws:iam::111122223333:user/user1-11111a31-17b5-4fb7-9df5-b111111f13de</ID>
      <DisplayName>user1-11111a31-17b5-4fb7-9df5-b111111f13de</DisplayName>
    </Initiator>
    <Owner>
      <ID>75aa57f09aa0c8caeab4f8c24e99d10f8e7faeebf76c078efc7c6caea54ba06a</ID>
      <DisplayName>OwnerDisplayName</DisplayName>
    </Owner>
    <StorageClass>STANDARD</StorageClass>
    <Initiated>2010-11-10T20:48:33.000Z</Initiated>
  </Upload>
  <Upload>
    <Key>my-movie.m2ts</Key>
    <UploadId>VXBsb2FkIElEIGZvciBlbHZpbmcncyBteS1tb3ZpZS5tMnRzIHVwbG9hZA</UploadId>
    <Initiator>
      <ID>b1d16700c70b0b05597d7acd6a3f92be</ID>
      <DisplayName>InitiatorDisplayName</DisplayName>
    </Initiator>
    <Owner>
      <ID>b1d16700c70b0b05597d7acd6a3f92be</ID>
      <DisplayName>OwnerDisplayName</DisplayName>
    </Owner>
    <StorageClass>STANDARD</StorageClass>
    <Initiated>2010-11-10T20:48:33.000Z</Initiated>
  </Upload>
  <Upload>
    <Key>my-movie.m2ts</Key>
    <UploadId>YW55IGlkZWEgd2h5IGVsdmluZydzIHVwbG9hZCBmYWlsZWQ</UploadId>
    <Initiator>
      <ID>arn:aws:iam::444455556666:user/user1-22222a31-17b5-4fb7-9df5-b222222f13de</ID>
      <DisplayName>user1-22222a31-17b5-4fb7-9df5-b222222f13de</DisplayName>
    </Initiator>
    <Owner>
      <ID>b1d16700c70b0b05597d7acd6a3f92be</ID>
      <DisplayName>OwnerDisplayName</DisplayName>
    </Owner>
    <StorageClass>STANDARD</StorageClass>
    <Initiated>2010-11-10T20:49:33.000Z</Initiated>
  </Upload>
</ListMultipartUploadsResult>)";

TEST(S3UploadsXml, ParsesTheDocumentedExample)
{
  const auto page = parse_uploads_page(kDocumentedExample, "test");
  ASSERT_EQ(page.uploads.size(), 3u);
  EXPECT_EQ(page.uploads[0].key, "my-divisor");
  EXPECT_EQ(page.uploads[0].upload_id, "XMgbGlrZSBlbHZpbmcncyBub3QgaGF2aW5nIG11Y2ggbHVjaw");
  EXPECT_EQ(page.uploads[0].initiated, "2010-11-10T20:48:33.000Z");
  EXPECT_EQ(page.uploads[2].key, "my-movie.m2ts");
  EXPECT_EQ(page.uploads[2].initiated, "2010-11-10T20:49:33.000Z");
  EXPECT_TRUE(page.truncated);
  EXPECT_EQ(page.next_key_marker, "my-movie.m2ts");
  EXPECT_EQ(page.next_upload_id_marker, "YW55IGlkZWEgd2h5IGVsdmluZydzIHVwbG9hZCBmYWlsZWQ");
}

TEST(S3UploadsXml, DecodesUrlEncodedKeysAndMarkers)
{
  const auto page =
      parse_uploads_page("<ListMultipartUploadsResult><EncodingType>url</EncodingType>"
                         "<NextKeyMarker>a%20b</NextKeyMarker><IsTruncated>true</IsTruncated>"
                         "<Upload><Key>db/.lastgood-tmp-x%20y</Key><UploadId>u1</UploadId></Upload>"
                         "</ListMultipartUploadsResult>",
                         "test");
  ASSERT_EQ(page.uploads.size(), 1u);
  EXPECT_EQ(page.uploads[0].key, "db/.lastgood-tmp-x y");
  EXPECT_EQ(page.next_key_marker, "a b");
}

TEST(S3UploadsXml, AnEmptyListIsNoUploads)
{
  const auto page = parse_uploads_page(
      "<ListMultipartUploadsResult><IsTruncated>false</IsTruncated></ListMultipartUploadsResult>",
      "test");
  EXPECT_TRUE(page.uploads.empty());
  EXPECT_FALSE(page.truncated);
}

TEST(S3UploadsXml, BrokenPagesAreRefusedNamingTheRequest)
{
  // Truncated without a marker would ask for the same page forever.
  EXPECT_THROW(parse_uploads_page("<ListMultipartUploadsResult><IsTruncated>true</IsTruncated>"
                                  "</ListMultipartUploadsResult>",
                                  "listing"),
               StorageError);
  EXPECT_THROW(parse_uploads_page("<ListMultipartUploadsResult><Upload><Key>k</Key></Upload>"
                                  "</ListMultipartUploadsResult>",
                                  "listing"),
               StorageError);
  EXPECT_THROW(parse_uploads_page("<ListBucketResult></ListBucketResult>", "listing"),
               StorageError);
  try {
    parse_uploads_page("<ListMultipartUploadsResult><Upload>", "listing uploads of s3://b/p/");
    FAIL() << "a cut document was accepted";
  } catch (const StorageError& e) {
    EXPECT_NE(std::string(e.what()).find("listing uploads of s3://b/p/"), std::string::npos);
  }
}

} // namespace
} // namespace lastgood::storage::s3xml
