#include "storage/s3_streams.hpp"

#include "common/error.hpp"
#include "common/markup_escape.hpp"
#include "storage/s3_uploads.hpp"
#include "storage/s3_xml.hpp"

#include <algorithm>
#include <charconv>
#include <cstring>
#include <spdlog/spdlog.h>

namespace lastgood::storage {

namespace {

// "bytes 0-9/10" -> {0, 9, 10}
bool parse_content_range(std::string_view text, std::uint64_t& first, std::uint64_t& last,
                         std::uint64_t& total)
{
  if (!text.starts_with("bytes ")) return false;
  text.remove_prefix(6);
  auto number = [&](char stop, std::uint64_t& out) {
    const auto at = stop ? text.find(stop) : text.size();
    if (at == std::string_view::npos) return false;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + at, out);
    if (ec != std::errc() || end != text.data() + at) return false;
    text.remove_prefix(std::min(text.size(), at + 1));
    return true;
  };
  return number('-', first) && number('/', last) && number('\0', total);
}

std::string reading(const S3Client& client, const std::string& key)
{
  return "reading '" + key + "' in " + client.display_url();
}

[[noreturn]] void throw_changed(const std::string& what, const std::string& was,
                                const std::string& became)
{
  throw StorageError(what + " failed: the object changed while it was read" +
                         (became.empty() ? "" : " (ETag " + was + " became " + became + ")") +
                         "; read it again",
                     false);
}

// One ranged GET of [at, last]; thread-safe (S3Client is), so parts are
// fetched on several threads at once. etag: refuse any other version.
S3ReadStream::Part fetch_part(const std::shared_ptr<S3Client>& client, const std::string& key,
                              std::uint64_t at, std::uint64_t last, const std::string& etag)
{
  const std::uint64_t asked = last - at + 1;
  Pairs headers = {{"range", "bytes=" + std::to_string(at) + "-" + std::to_string(last)}};
  if (!etag.empty()) headers.emplace_back("if-match", "\"" + etag + "\"");
  const std::string what = reading(*client, key);
  auto response = client->send("GET", client->object_name(key), {}, headers, {}, what,
                               static_cast<std::size_t>(asked) + 1024);
  S3ReadStream::Part part;
  part.offset = at;
  part.asked = asked;
  if (response.status == 416) { // the object exists and ends before `at`
    part.past_end = true;
    return part;
  }
  if (response.status == 412) throw_changed(what, etag, "");
  if (response.status != 206 && response.status != 200) client->fail(response, what, key);

  part.etag = s3xml::strip_quotes(response.header("etag").value_or(""));
  if (!etag.empty() && !part.etag.empty() && part.etag != etag)
    throw_changed(what, etag, part.etag);
  part.details.version_id = response.header("x-amz-version-id").value_or("");
  if (part.details.version_id == "null") part.details.version_id.clear(); // unversioned bucket
  if (const auto until = response.header("x-amz-object-lock-retain-until-date");
      until && until->size() >= 19)
    part.details.retain_until = until->substr(0, 19) + "Z";

  if (response.status == 206) {
    std::uint64_t first = 0, end_inclusive = 0;
    if (!parse_content_range(response.header("content-range").value_or(""), first, end_inclusive,
                             part.total) ||
        first != at || end_inclusive < first || end_inclusive > last ||
        end_inclusive - first + 1 != response.body.size())
      throw StorageError(what +
                             " failed: the server's Content-Range does not match the bytes sent; "
                             "is the endpoint an S3-compatible server?",
                         false);
    part.bytes = std::move(response.body);
  } else {
    // 200: the server sent the whole object (some do for a range that covers it).
    part.total = response.body.size();
    if (at < part.total)
      part.bytes = response.body.substr(static_cast<std::size_t>(at),
                                        static_cast<std::size_t>(std::min(part.total - at, asked)));
  }
  return part;
}

} // namespace

S3ReadStream::S3ReadStream(std::shared_ptr<S3Client> client, std::string key, std::uint64_t offset,
                           std::optional<std::uint64_t> length, const ObjectInfo* listed)
    : m_client(std::move(client)), m_key(std::move(key)), m_next(offset)
{
  if (length) m_end = offset + *length;
  if (listed) {
    m_end = std::min(m_end.value_or(listed->size), listed->size);
    m_etag = listed->etag;
  }
  read_ahead();
  next_part();
}

S3ReadStream::~S3ReadStream()
{
  // Parts still in flight are waited for (a future of std::async joins):
  // their threads use only what they hold (the client, copies of the key).
  m_ahead.clear();
}

void S3ReadStream::read_ahead()
{
  const std::uint64_t part_size = std::max<std::uint64_t>(1, m_client->location().read_part_size);
  // Until the object's size is known only one part is asked for.
  const std::size_t window = m_end ? std::max(1u, m_client->location().read_concurrency) : 1;
  while (m_ahead.size() < window && (!m_end || m_next < *m_end)) {
    std::uint64_t last = m_next + part_size - 1;
    if (m_end) last = std::min(last, *m_end - 1);
    // A request the reader would wait for next, with nothing else to overlap
    // it, runs on the reader's own thread when the reader asks for it.
    const bool alone = m_ahead.empty() && (!m_end || last + 1 >= *m_end);
    m_ahead.push_back(
        std::async(alone ? std::launch::deferred : std::launch::async,
                   [client = m_client, key = m_key, at = m_next, last, etag = m_etag] {
                     return fetch_part(client, key, at, last, etag);
                   }));
    m_next = last + 1;
  }
}

void S3ReadStream::next_part()
{
  m_chunk.clear();
  m_used = 0;
  if (m_ahead.empty()) {
    m_eof = true;
    return;
  }
  Part part = m_ahead.front().get();
  m_ahead.pop_front();
  if (part.past_end) {
    m_eof = true;
    return;
  }
  const std::string what = reading(*m_client, m_key);
  if (m_etag.empty())
    m_etag = part.etag;
  else if (!part.etag.empty() && part.etag != m_etag)
    throw_changed(what, m_etag, part.etag);
  if (!m_details) m_details = part.details;
  m_end = std::min(m_end.value_or(part.total), part.total);
  // Only the object's last part may be shorter than asked.
  const std::uint64_t expected =
      *m_end > part.offset ? std::min(part.asked, *m_end - part.offset) : 0;
  if (part.bytes.size() < expected)
    throw StorageError(what + " failed: the server sent " + std::to_string(part.bytes.size()) +
                           " of the " + std::to_string(expected) + " bytes asked for at offset " +
                           std::to_string(part.offset) + "; read it again",
                       false);
  m_chunk = std::move(part.bytes);
  if (m_chunk.empty()) {
    m_eof = true;
    return;
  }
  read_ahead();
}

std::size_t S3ReadStream::read(std::span<std::byte> buffer)
{
  if (buffer.empty()) return 0;
  if (m_used == m_chunk.size()) {
    if (m_eof) return 0;
    next_part();
    if (m_chunk.empty()) return 0;
  }
  const std::size_t n = std::min(buffer.size(), m_chunk.size() - m_used);
  std::memcpy(buffer.data(), m_chunk.data() + m_used, n);
  m_used += n;
  return n;
}

S3WriteStream::S3WriteStream(std::shared_ptr<S3Client> client, std::string key)
    : m_client(std::move(client)), m_key(std::move(key))
{
}

S3WriteStream::~S3WriteStream()
{
  if (!m_upload_id.empty()) abort();
}

template <typename F> void S3WriteStream::or_abort(F&& step)
{
  try {
    step();
  } catch (...) {
    m_done = true;
    m_buffer.clear();
    m_buffer.shrink_to_fit();
    if (!m_upload_id.empty()) abort();
    throw;
  }
}

void S3WriteStream::write(std::span<const std::byte> data)
{
  if (m_done)
    throw StorageError("cannot write to '" + m_key + "' in " + m_client->display_url() +
                       ": the stream was already committed or failed");
  const std::size_t part = static_cast<std::size_t>(m_client->location().part_size);
  while (!data.empty()) {
    const std::size_t take = std::min(data.size(), part - m_buffer.size());
    m_buffer.append(reinterpret_cast<const char*>(data.data()), take);
    data = data.subspan(take);
    if (m_buffer.size() == part) or_abort([&] { upload_part(); });
  }
}

void S3WriteStream::upload_part()
{
  const std::string name = m_client->object_name(m_key);
  const std::string where = "'" + m_key + "' in " + m_client->display_url();
  if (m_upload_id.empty()) {
    const std::string what = "starting a multipart upload of " + where;
    const auto response = m_client->send("POST", name, {{"uploads", ""}}, {}, {}, what);
    if (response.status != 200) m_client->fail(response, what, m_key);
    m_upload_id = s3xml::parse_upload_id(response.body, what);
    // Marks the upload as lastgood's, this process's, so a later run can abort it if we die.
    const std::string marker = upload_marker_key(m_key);
    const std::string mark_what = "marking the multipart upload of " + where;
    const auto marked =
        m_client->send("PUT", m_client->object_name(marker), {}, {}, m_upload_id, mark_what);
    if (marked.status != 200) m_client->fail(marked, mark_what, marker);
    m_marker_key = marker;
  }
  const std::string number = std::to_string(m_part_etags.size() + 1);
  const std::string what = "uploading part " + number + " of " + where;
  const auto response = m_client->send(
      "PUT", name, {{"partNumber", number}, {"uploadId", m_upload_id}}, {}, m_buffer, what);
  if (response.status != 200) m_client->fail(response, what, m_key);
  const auto etag = response.header("etag");
  if (!etag || etag->empty())
    throw StorageError(what + " failed: the server sent no ETag for the part", false);
  m_part_etags.push_back(*etag);
  m_buffer.clear();
}

void S3WriteStream::commit()
{
  if (m_done)
    throw StorageError("cannot commit '" + m_key + "' in " + m_client->display_url() +
                       ": the stream was already committed or failed");
  or_abort([&] {
    const std::string name = m_client->object_name(m_key);
    const std::string where = "'" + m_key + "' in " + m_client->display_url();
    if (m_upload_id.empty()) {
      const std::string what = "writing " + where;
      const auto response = m_client->send("PUT", name, {}, {}, m_buffer, what);
      if (response.status != 200) m_client->fail(response, what, m_key);
    } else {
      if (!m_buffer.empty()) upload_part();
      std::string xml = "<CompleteMultipartUpload>";
      for (std::size_t i = 0; i < m_part_etags.size(); ++i)
        xml += "<Part><PartNumber>" + std::to_string(i + 1) + "</PartNumber><ETag>" +
               markup_escape(m_part_etags[i]) + "</ETag></Part>";
      xml += "</CompleteMultipartUpload>";
      const std::string what = "completing the multipart upload of " + where;
      const auto response = m_client->send("POST", name, {{"uploadId", m_upload_id}},
                                           {{"content-type", "application/xml"}}, xml, what);
      if (response.status != 200 || s3xml::is_error_document(response.body))
        m_client->fail(response, what, m_key);
      m_upload_id.clear();
      remove_marker();
    }
  });
  m_done = true;
  m_buffer.clear();
  m_buffer.shrink_to_fit();
}

void S3WriteStream::remove_marker() noexcept
{
  if (m_marker_key.empty()) return;
  try {
    remove_upload_marker(*m_client, std::exchange(m_marker_key, {}));
  } catch (const std::exception& e) {
    spdlog::warn("{}; the next lastgood run that writes to this repository removes it", e.what());
  }
}

void S3WriteStream::abort() noexcept
{
  const std::string upload_id = std::exchange(m_upload_id, {});
  try {
    const std::string what =
        "aborting the multipart upload of '" + m_key + "' in " + m_client->display_url();
    const auto response = m_client->send("DELETE", m_client->object_name(m_key),
                                         {{"uploadId", upload_id}}, {}, {}, what);
    if (response.status != 204 && response.status != 200 && response.status != 404) {
      spdlog::warn("{}: HTTP {}; the next lastgood run that writes to this repository tries "
                   "again (or a lifecycle rule removes the parts)",
                   what, response.status);
      return; // the marker stays: it lets the next run abort the upload
    }
  } catch (const std::exception& e) {
    spdlog::warn("{}; the next lastgood run that writes to this repository tries again (or a "
                 "lifecycle rule removes the parts)",
                 e.what());
    return;
  }
  remove_marker();
}

} // namespace lastgood::storage
