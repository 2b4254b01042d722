#pragma once
// The XML S3 answers with (expat underneath): one ListObjectsV2 page at a
// time, error documents, multipart and batch-delete results.

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace lastgood::storage::s3xml {

struct ListEntry
{
  std::string key; // decoded when the page says EncodingType url
  std::uint64_t size = 0;
  std::string last_modified; // as sent: 2026-11-22T02:00:00.000Z
  std::string etag;          // without quotes
};

struct ListPage
{
  std::vector<ListEntry> entries;
  bool truncated = false;
  std::string next_token;
};

struct ErrorDocument
{
  std::string code; // NoSuchKey, SlowDown, AccessDenied...
  std::string message;
  std::string region; // some errors name the bucket's region
};

struct DeleteFailure
{
  std::string key;
  std::string code;
  std::string message;
};

// One ListMultipartUploads page: the uploads begun and neither completed nor
// aborted (their parts cost storage and are invisible to ListObjects).
struct OpenUpload
{
  std::string key; // decoded when the page says EncodingType url
  std::string upload_id;
  std::string initiated; // as sent: 2010-11-10T20:48:33.000Z
};

struct UploadsPage
{
  std::vector<OpenUpload> uploads;
  bool truncated = false;
  std::string next_key_marker;
  std::string next_upload_id_marker;
};

// Each throws StorageError naming `what` when the XML is malformed.
UploadsPage parse_uploads_page(std::string_view xml, std::string_view what);
ListPage parse_list_page(std::string_view xml, std::string_view what);
// Never throws: an unreadable document gives empty fields.
ErrorDocument parse_error(std::string_view xml);
std::string parse_upload_id(std::string_view xml, std::string_view what);
std::vector<DeleteFailure> parse_delete_result(std::string_view xml, std::string_view what);
// CompleteMultipartUpload may answer 200 with an <Error> document.
bool is_error_document(std::string_view xml);

std::string strip_quotes(std::string_view etag);

// Every leaf element's text by its path from the root
// ("AssumeRoleWithWebIdentityResponse/AssumeRoleWithWebIdentityResult/Credentials/AccessKeyId"),
// for small answers such as STS's. Throws StorageError naming `what` when malformed.
std::map<std::string, std::string> element_texts(std::string_view xml, std::string_view what);

} // namespace lastgood::storage::s3xml
