#include "storage/s3_xml.hpp"

#include "common/error.hpp"
#include "storage/s3_url.hpp"

#include <charconv>
#include <expat.h>
#include <functional>
#include <memory>

namespace lastgood::storage::s3xml {

namespace {

// Element events with the path of element names from the root
// ("ListBucketResult/Contents/Key") and, at the end, the element's text.
struct Walker
{
  std::function<void(const std::string& path)> on_start;
  std::function<void(const std::string& path, const std::string& text)> on_end;
  std::string path;
  std::string text;
};

void XMLCALL start_element(void* user, const XML_Char* name, const XML_Char**)
{
  auto& walker = *static_cast<Walker*>(user);
  if (!walker.path.empty()) walker.path += '/';
  walker.path += name;
  walker.text.clear();
  if (walker.on_start) walker.on_start(walker.path);
}

void XMLCALL end_element(void* user, const XML_Char*)
{
  auto& walker = *static_cast<Walker*>(user);
  if (walker.on_end) walker.on_end(walker.path, walker.text);
  walker.text.clear();
  const auto slash = walker.path.rfind('/');
  walker.path.erase(slash == std::string::npos ? 0 : slash);
}

void XMLCALL character_data(void* user, const XML_Char* data, int length)
{
  static_cast<Walker*>(user)->text.append(data, static_cast<std::size_t>(length));
}

// Returns an empty string when the document parsed, else expat's message.
std::string walk(std::string_view xml, Walker& walker)
{
  struct ParserFree
  {
    void operator()(XML_Parser parser) const { XML_ParserFree(parser); }
  };
  std::unique_ptr<std::remove_pointer_t<XML_Parser>, ParserFree> parser(XML_ParserCreate("UTF-8"));
  if (!parser) return "out of memory";
  XML_SetUserData(parser.get(), &walker);
  XML_SetElementHandler(parser.get(), start_element, end_element);
  XML_SetCharacterDataHandler(parser.get(), character_data);
  if (XML_Parse(parser.get(), xml.data(), static_cast<int>(xml.size()), XML_TRUE) ==
      XML_STATUS_ERROR)
    return std::string(XML_ErrorString(XML_GetErrorCode(parser.get()))) + " at line " +
           std::to_string(XML_GetCurrentLineNumber(parser.get()));
  return {};
}

[[noreturn]] void malformed(std::string_view what, const std::string& why)
{
  throw StorageError(std::string(what) + ": the server's XML answer is malformed (" + why +
                         "); is the endpoint an S3-compatible server?",
                     false);
}

bool ends_with_element(const std::string& path, std::string_view name)
{
  return path.size() > name.size() && path.ends_with(name) &&
         path[path.size() - name.size() - 1] == '/';
}

} // namespace

std::string strip_quotes(std::string_view etag)
{
  if (etag.size() >= 2 && etag.front() == '"' && etag.back() == '"')
    etag = etag.substr(1, etag.size() - 2);
  return std::string(etag);
}

ListPage parse_list_page(std::string_view xml, std::string_view what)
{
  ListPage page;
  bool url_encoded = false;
  ListEntry entry;
  Walker walker;
  walker.on_start = [&](const std::string& path) {
    if (path == "ListBucketResult/Contents") entry = ListEntry{};
  };
  walker.on_end = [&](const std::string& path, const std::string& text) {
    if (path == "ListBucketResult/Contents")
      page.entries.push_back(std::move(entry));
    else if (path == "ListBucketResult/Contents/Key")
      entry.key = text;
    else if (path == "ListBucketResult/Contents/LastModified")
      entry.last_modified = text;
    else if (path == "ListBucketResult/Contents/ETag")
      entry.etag = strip_quotes(text);
    else if (path == "ListBucketResult/Contents/Size") {
      const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), entry.size);
      if (ec != std::errc() || end != text.data() + text.size())
        malformed(what, "Size '" + text + "'");
    } else if (path == "ListBucketResult/IsTruncated")
      page.truncated = text == "true";
    else if (path == "ListBucketResult/NextContinuationToken")
      page.next_token = text;
    else if (path == "ListBucketResult/EncodingType")
      url_encoded = text == "url";
  };
  if (const std::string error = walk(xml, walker); !error.empty()) malformed(what, error);
  if (page.truncated && page.next_token.empty())
    malformed(what, "truncated page without NextContinuationToken");
  if (url_encoded)
    for (auto& e : page.entries)
      e.key = percent_decode(e.key);
  return page;
}

UploadsPage parse_uploads_page(std::string_view xml, std::string_view what)
{
  UploadsPage page;
  bool url_encoded = false;
  bool root_seen = false;
  OpenUpload upload;
  Walker walker;
  walker.on_start = [&](const std::string& path) {
    if (path == "ListMultipartUploadsResult") root_seen = true;
    if (path == "ListMultipartUploadsResult/Upload") upload = OpenUpload{};
  };
  walker.on_end = [&](const std::string& path, const std::string& text) {
    if (path == "ListMultipartUploadsResult/Upload")
      page.uploads.push_back(std::move(upload));
    else if (path == "ListMultipartUploadsResult/Upload/Key")
      upload.key = text;
    else if (path == "ListMultipartUploadsResult/Upload/UploadId")
      upload.upload_id = text;
    else if (path == "ListMultipartUploadsResult/Upload/Initiated")
      upload.initiated = text;
    else if (path == "ListMultipartUploadsResult/IsTruncated")
      page.truncated = text == "true";
    else if (path == "ListMultipartUploadsResult/NextKeyMarker")
      page.next_key_marker = text;
    else if (path == "ListMultipartUploadsResult/NextUploadIdMarker")
      page.next_upload_id_marker = text;
    else if (path == "ListMultipartUploadsResult/EncodingType")
      url_encoded = text == "url";
  };
  if (const std::string error = walk(xml, walker); !error.empty()) malformed(what, error);
  if (!root_seen) malformed(what, "no ListMultipartUploadsResult");
  // Without a marker to go on from, a truncated page would be asked for again forever.
  if (page.truncated && page.next_key_marker.empty())
    malformed(what, "truncated page without NextKeyMarker");
  for (const auto& u : page.uploads)
    if (u.key.empty() || u.upload_id.empty()) malformed(what, "an Upload without Key or UploadId");
  if (url_encoded) {
    for (auto& u : page.uploads)
      u.key = percent_decode(u.key);
    page.next_key_marker = percent_decode(page.next_key_marker);
  }
  return page;
}

ErrorDocument parse_error(std::string_view xml)
{
  ErrorDocument document;
  Walker walker;
  walker.on_end = [&](const std::string& path, const std::string& text) {
    if (path == "Error/Code")
      document.code = text;
    else if (path == "Error/Message")
      document.message = text;
    else if (path == "Error/Region")
      document.region = text;
  };
  if (!walk(xml, walker).empty()) return {};
  return document;
}

std::map<std::string, std::string> element_texts(std::string_view xml, std::string_view what)
{
  std::map<std::string, std::string> texts;
  Walker walker;
  walker.on_end = [&](const std::string& path, const std::string& text) { texts[path] = text; };
  if (const std::string error = walk(xml, walker); !error.empty()) malformed(what, error);
  return texts;
}

bool is_error_document(std::string_view xml)
{
  Walker walker;
  bool root_is_error = false;
  walker.on_start = [&](const std::string& path) {
    if (path == "Error") root_is_error = true;
  };
  walk(xml, walker);
  return root_is_error;
}

std::string parse_upload_id(std::string_view xml, std::string_view what)
{
  std::string upload_id;
  Walker walker;
  walker.on_end = [&](const std::string& path, const std::string& text) {
    if (ends_with_element(path, "UploadId")) upload_id = text;
  };
  if (const std::string error = walk(xml, walker); !error.empty()) malformed(what, error);
  if (upload_id.empty()) malformed(what, "no UploadId");
  return upload_id;
}

std::vector<DeleteFailure> parse_delete_result(std::string_view xml, std::string_view what)
{
  std::vector<DeleteFailure> failures;
  DeleteFailure failure;
  Walker walker;
  walker.on_start = [&](const std::string& path) {
    if (path == "DeleteResult/Error") failure = DeleteFailure{};
  };
  walker.on_end = [&](const std::string& path, const std::string& text) {
    if (path == "DeleteResult/Error")
      failures.push_back(std::move(failure));
    else if (path == "DeleteResult/Error/Key")
      failure.key = text;
    else if (path == "DeleteResult/Error/Code")
      failure.code = text;
    else if (path == "DeleteResult/Error/Message")
      failure.message = text;
  };
  if (const std::string error = walk(xml, walker); !error.empty()) malformed(what, error);
  return failures;
}

} // namespace lastgood::storage::s3xml
