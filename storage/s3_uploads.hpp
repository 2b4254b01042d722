#pragma once
// Unfinished multipart uploads: a killed writer leaves its upload open, and
// its parts cost storage while ListObjects never shows them. ListMultipartUploads
// gives no metadata, so S3WriteStream marks each upload it starts with a small
// object beside the key, "<dir>/.lastgood-tmp-<host tag>.<pid>-<random>-<name>"
// (the file repositories' temporary name), holding the upload id: a later run
// tells lastgood's uploads, and their owner, from other tools' by it.

#include "storage/s3_client.hpp"
#include "storage/s3_xml.hpp"
#include "storage/temp_files.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace lastgood::storage {

// The marker's key (relative to the repository) for an upload of `key`.
std::string upload_marker_key(std::string_view key);

// Every open upload under the repository prefix (keys relative to it);
// nullopt when the server does not implement ListMultipartUploads.
std::optional<std::vector<s3xml::OpenUpload>> list_open_uploads(S3Client& client);

struct UploadMarker
{
  std::string key; // relative to the repository
  TempFileOwner owner;
  std::string upload_id; // the marker's content
};

// The upload markers whose keys start with `dir` ("" or "a/b/"), with their content.
std::vector<UploadMarker> find_upload_markers(S3Client& client, std::string_view dir);

// Throws StorageError when the server refuses (a missing upload is no error).
void abort_upload(S3Client& client, std::string_view key, std::string_view upload_id);

// Removes a marker; a missing one is no error.
void remove_upload_marker(S3Client& client, std::string_view marker_key);

} // namespace lastgood::storage
