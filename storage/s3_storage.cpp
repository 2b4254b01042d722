#include "storage/s3_storage.hpp"

#include "common/error.hpp"
#include "common/markup_escape.hpp"
#include "common/time.hpp"
#include "storage/credential_providers.hpp"
#include "storage/credentials_chain.hpp"
#include "storage/key.hpp"
#include "storage/s3_streams.hpp"
#include "storage/s3_xml.hpp"

#include <cstdlib>
#include <curl/curl.h>
#include <future>
#include <mutex>
#include <openssl/evp.h>

namespace lastgood::storage {

namespace {

std::mutex g_config_mutex;
std::function<S3Config()> g_config_source;

std::int64_t iso_to_ns(const std::string& text)
{
  // S3 sends milliseconds ("...T02:00:00.000Z"); HEAD's Last-Modified has
  // whole seconds, so both are cut to seconds to agree.
  if (text.size() < 19) return 0;
  try {
    return parse_rfc3339(text.substr(0, 19) + "Z").time_since_epoch().count() * 1'000'000'000LL;
  } catch (const ValidationError&) {
    return 0;
  }
}

std::string base64_md5(std::string_view data)
{
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  EVP_Digest(data.data(), data.size(), digest, &length, EVP_md5(), nullptr);
  unsigned char encoded[64];
  const int n = EVP_EncodeBlock(encoded, digest, static_cast<int>(length));
  return std::string(reinterpret_cast<const char*>(encoded), static_cast<std::size_t>(n));
}

} // namespace

void set_s3_config_source(std::function<S3Config()> source)
{
  std::lock_guard lock(g_config_mutex);
  g_config_source = std::move(source);
}

std::unique_ptr<S3Storage> open_s3_storage(std::string_view url)
{
  S3Location location = parse_s3_url(url);
  S3Config config;
  {
    // Under the lock: the source may load the configuration file lazily.
    std::lock_guard lock(g_config_mutex);
    if (g_config_source) config = g_config_source();
  }
  // Explicit settings first (URL, [s3]), then the AWS variables and files.
  std::string region = location.region;
  if (region.empty()) region = config.region;
  if (region.empty()) region = env_value("AWS_REGION");
  if (region.empty()) region = env_value("AWS_DEFAULT_REGION");
  if (region.empty()) region = shared_config_region(config.profile);
  if (region.empty()) region = "us-east-1";
  location.read_part_size = config.read_part_size_mib << 20;
  location.read_concurrency = config.read_concurrency;
  auto credentials =
      std::make_shared<CredentialSource>(standard_providers(config, region), location.url());
  return std::make_unique<S3Storage>(
      std::make_shared<S3Client>(std::move(location), std::move(credentials), std::move(region)));
}

S3Storage::S3Storage(std::shared_ptr<S3Client> client) : m_client(std::move(client)) {}

std::string S3Storage::display_url() const
{
  return m_client->display_url();
}

void S3Storage::list(std::string_view prefix,
                     const std::function<void(const ObjectInfo&)>& on_object,
                     const std::function<void(const ListProblem&)>& on_problem)
{
  validate_prefix(prefix);
  const std::string& root = m_client->location().prefix;
  const std::string full_prefix = root + std::string(prefix);
  const std::string what = "listing " + display_url();
  auto fetch_page = [client = m_client, full_prefix, what](std::string token) {
    Pairs query = {{"list-type", "2"}, {"encoding-type", "url"}, {"max-keys", "1000"}};
    if (!full_prefix.empty()) query.emplace_back("prefix", full_prefix);
    if (!token.empty()) query.emplace_back("continuation-token", token);
    const auto response = client->send("GET", "", query, {}, {}, what, 16 << 20);
    if (response.status != 200) client->fail(response, what, "");
    return s3xml::parse_list_page(response.body, what);
  };
  auto page = fetch_page("");
  for (;;) {
    // The next page is asked for while this one's entries go out (the
    // caller reads objects meanwhile), so the listing never holds reads up.
    std::future<s3xml::ListPage> next;
    if (page.truncated && !page.next_token.empty())
      next = std::async(std::launch::async, fetch_page, page.next_token);
    for (const auto& entry : page.entries) {
      if (!entry.key.starts_with(root)) continue;
      const std::string key = entry.key.substr(root.size());
      if (key.empty() || (key.back() == '/' && entry.size == 0)) continue; // folder markers
      // lastgood's own in-flight markers (storage/s3_uploads.hpp) are not objects.
      const auto slash = key.rfind('/');
      if (std::string_view(key)
              .substr(slash == std::string::npos ? 0 : slash + 1)
              .starts_with(kTempFilePrefix))
        continue;
      try {
        validate_key(key);
      } catch (const ValidationError& e) {
        on_problem({key, std::string("cannot be read through lastgood: ") + e.what()});
        continue;
      }
      ObjectInfo info;
      info.key = key;
      info.size = entry.size;
      info.mtime_ns = iso_to_ns(entry.last_modified);
      info.etag = entry.etag;
      on_object(info);
    }
    if (!next.valid()) break;
    page = next.get();
  }
}

std::optional<ObjectInfo> S3Storage::stat(std::string_view key)
{
  validate_key(key);
  const std::string what = "looking up '" + std::string(key) + "' in " + display_url();
  const auto response = m_client->send("HEAD", m_client->object_name(key), {}, {}, {}, what);
  if (response.status == 404) return std::nullopt;
  if (response.status != 200) m_client->fail(response, what, key);
  ObjectInfo info;
  info.key = std::string(key);
  const std::string length = response.header("content-length").value_or("");
  try {
    info.size = std::stoull(length);
  } catch (const std::exception&) {
    throw StorageError(what + " failed: the answer has no valid Content-Length", false);
  }
  if (const auto modified = response.header("last-modified")) {
    const time_t seconds = curl_getdate(modified->c_str(), nullptr);
    if (seconds > 0) info.mtime_ns = static_cast<std::int64_t>(seconds) * 1'000'000'000LL;
  }
  info.etag = s3xml::strip_quotes(response.header("etag").value_or(""));
  info.version_id = response.header("x-amz-version-id").value_or("");
  if (info.version_id == "null") info.version_id.clear(); // unversioned bucket
  if (const auto until = response.header("x-amz-object-lock-retain-until-date");
      until && until->size() >= 19)
    info.retain_until = until->substr(0, 19) + "Z";
  return info;
}

std::unique_ptr<ReadStream> S3Storage::read(std::string_view key, std::uint64_t offset,
                                            std::optional<std::uint64_t> length)
{
  validate_key(key);
  // Nothing to read (the stream asks for no bytes), but a missing key is still an error.
  if (length && *length == 0 && !stat(key))
    throw NotFoundError("cannot read '" + std::string(key) + "' in " + display_url() +
                        ": no such object");
  return std::make_unique<S3ReadStream>(m_client, std::string(key), offset, length);
}

std::unique_ptr<ReadStream> S3Storage::read_listed(const ObjectInfo& listed)
{
  validate_key(listed.key);
  // An empty object has no part to ask for: read() learns that it is still there.
  if (listed.size == 0) return read(listed.key);
  return std::make_unique<S3ReadStream>(m_client, listed.key, 0, std::nullopt, &listed);
}

std::unique_ptr<WriteStream> S3Storage::write(std::string_view key)
{
  validate_key(key);
  return std::make_unique<S3WriteStream>(m_client, std::string(key));
}

void S3Storage::remove(std::string_view key)
{
  validate_key(key);
  // S3 answers 204 for a missing key too; the contract wants NotFoundError.
  if (!stat(key))
    throw NotFoundError("cannot remove '" + std::string(key) + "' in " + display_url() +
                        ": no such object");
  const std::string what = "removing '" + std::string(key) + "' in " + display_url();
  const auto response = m_client->send("DELETE", m_client->object_name(key), {}, {}, {}, what);
  if (response.status != 204 && response.status != 200) m_client->fail(response, what, key);
}

void S3Storage::remove_many(const std::vector<std::string>& keys)
{
  for (const auto& key : keys)
    validate_key(key);
  const std::string what = "removing objects in " + display_url();
  std::string failed;
  for (std::size_t at = 0; at < keys.size(); at += 1000) {
    std::string xml = "<Delete><Quiet>true</Quiet>";
    for (std::size_t i = at; i < std::min(keys.size(), at + 1000); ++i)
      xml += "<Object><Key>" + markup_escape(m_client->object_name(keys[i])) + "</Key></Object>";
    xml += "</Delete>";
    const auto response = m_client->send(
        "POST", "", {{"delete", ""}},
        {{"content-md5", base64_md5(xml)}, {"content-type", "application/xml"}}, xml, what);
    if (response.status == 501) {
      // No DeleteObjects here (GCS's XML API): one DELETE per key instead.
      Storage::remove_many(keys);
      return;
    }
    if (response.status != 200) m_client->fail(response, what, "");
    for (const auto& failure : s3xml::parse_delete_result(response.body, what))
      failed +=
          (failed.empty() ? "" : ", ") +
          failure.key.substr(std::min(failure.key.size(), m_client->location().prefix.size())) +
          " (" + failure.code + ")";
  }
  if (!failed.empty())
    throw StorageError(what + " failed for: " + failed + "; check the bucket's permissions");
}

} // namespace lastgood::storage
