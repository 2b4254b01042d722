#include "storage/s3_uploads.hpp"

#include "common/error.hpp"
#include "storage/key.hpp"

namespace lastgood::storage {

namespace {

std::string_view directory_of(std::string_view key)
{
  const auto slash = key.rfind('/');
  return slash == std::string_view::npos ? std::string_view{} : key.substr(0, slash + 1);
}

} // namespace

std::string upload_marker_key(std::string_view key)
{
  const std::string_view dir = directory_of(key);
  return std::string(dir) + temp_file_name(key.substr(dir.size()));
}

std::optional<std::vector<s3xml::OpenUpload>> list_open_uploads(S3Client& client)
{
  const std::string& root = client.location().prefix;
  const std::string what = "listing unfinished multipart uploads in " + client.display_url();
  std::vector<s3xml::OpenUpload> uploads;
  std::string key_marker, upload_id_marker;
  do {
    Pairs query = {{"uploads", ""}, {"encoding-type", "url"}};
    if (!root.empty()) query.emplace_back("prefix", root);
    if (!key_marker.empty()) query.emplace_back("key-marker", key_marker);
    if (!upload_id_marker.empty()) query.emplace_back("upload-id-marker", upload_id_marker);
    const auto response = client.send("GET", "", query, {}, {}, what, 16 << 20);
    if (response.status == 501 || s3xml::parse_error(response.body).code == "NotImplemented")
      return std::nullopt;
    if (response.status != 200) client.fail(response, what, "");
    const auto page = s3xml::parse_uploads_page(response.body, what);
    for (const auto& upload : page.uploads)
      if (upload.key.starts_with(root) && upload.key.size() > root.size())
        uploads.push_back({upload.key.substr(root.size()), upload.upload_id, upload.initiated});
    if (page.truncated && page.next_key_marker == key_marker &&
        page.next_upload_id_marker == upload_id_marker)
      throw StorageError(what + " failed: the server sent the same page marker twice", false);
    key_marker = page.truncated ? page.next_key_marker : std::string();
    upload_id_marker = page.truncated ? page.next_upload_id_marker : std::string();
  } while (!key_marker.empty());
  return uploads;
}

std::vector<UploadMarker> find_upload_markers(S3Client& client, std::string_view dir)
{
  const std::string& root = client.location().prefix;
  const std::string what = "listing upload markers in " + client.display_url();
  std::vector<UploadMarker> markers;
  std::string token;
  do {
    Pairs query = {{"list-type", "2"},
                   {"encoding-type", "url"},
                   {"prefix", root + std::string(dir) + std::string(kTempFilePrefix)}};
    if (!token.empty()) query.emplace_back("continuation-token", token);
    const auto response = client.send("GET", "", query, {}, {}, what, 16 << 20);
    if (response.status != 200) client.fail(response, what, "");
    const auto page = s3xml::parse_list_page(response.body, what);
    for (const auto& entry : page.entries) {
      if (!entry.key.starts_with(root)) continue;
      std::string key = entry.key.substr(root.size());
      const auto owner = temp_file_owner(key.substr(directory_of(key).size()));
      // Only a direct child of `dir`, and small: a marker holds an upload id.
      if (!owner || directory_of(key) != dir || entry.size > 1024) continue;
      const std::string read_what =
          "reading upload marker '" + key + "' in " + client.display_url();
      const auto body = client.send("GET", client.object_name(key), {}, {}, {}, read_what, 4096);
      if (body.status == 404) continue; // removed meanwhile by its writer
      if (body.status != 200) client.fail(body, read_what, key);
      markers.push_back({std::move(key), *owner, body.body});
    }
    token = page.truncated ? page.next_token : std::string();
  } while (!token.empty());
  return markers;
}

void abort_upload(S3Client& client, std::string_view key, std::string_view upload_id)
{
  const std::string what =
      "aborting the multipart upload of '" + std::string(key) + "' in " + client.display_url();
  const auto response = client.send("DELETE", client.object_name(key),
                                    {{"uploadId", std::string(upload_id)}}, {}, {}, what);
  if (response.status != 204 && response.status != 200 && response.status != 404)
    client.fail(response, what, key);
}

void remove_upload_marker(S3Client& client, std::string_view marker_key)
{
  const std::string what =
      "removing upload marker '" + std::string(marker_key) + "' in " + client.display_url();
  const auto response = client.send("DELETE", client.object_name(marker_key), {}, {}, {}, what);
  if (response.status != 204 && response.status != 200 && response.status != 404)
    client.fail(response, what, marker_key);
}

} // namespace lastgood::storage
