#include "restore/wal_fetch.hpp"

#include "catalog/wal_copies.hpp"
#include "common/cipher_pass.hpp"
#include "common/error.hpp"
#include "common/sha256.hpp"
#include "formats/pgbackrest/archive_layout.hpp"
#include "formats/pgbackrest/sha1.hpp"
#include "formats/pgbackrest/transform.hpp"
#include "pg/decompress.hpp"
#include "pg/lsn.hpp"
#include "pg/pg_control.hpp"
#include "pg/wal_page_header.hpp"
#include "restore/pgbackrest_wal.hpp"
#include "storage/posix_handles.hpp"
#include "storage/storage.hpp"
#include "verifier/hashing_stream.hpp"

#include <cctype>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <filesystem>
#include <fstream>
#include <span>
#include <unistd.h>
#include <vector>

namespace lastgood::restore {

namespace {

namespace fs = std::filesystem;

bool all_hex(std::string_view text)
{
  for (char c : text)
    if (!std::isxdigit(static_cast<unsigned char>(c)) ||
        std::islower(static_cast<unsigned char>(c)))
      return false;
  return true;
}

bool is_segment_name(std::string_view name)
{
  return name.size() == 24 && all_hex(name);
}
bool is_history_name(std::string_view name)
{
  return name.size() == 16 && name.ends_with(".history") && all_hex(name.substr(0, 8));
}

// Removes the temporary file unless it was renamed into place.
struct TempFile
{
  std::string path;
  bool keep = false;
  ~TempFile()
  {
    if (!keep) ::unlink(path.c_str());
  }
};

// Writing DEST failed (pg_wal's disk is full, most often): say so, and that
// PostgreSQL will simply ask again once there is room.
[[noreturn]] void refuse_destination(int err, const std::string& temp,
                                     const std::string& destination)
{
  const bool full = err == ENOSPC || err == EDQUOT;
  throw Error("cannot write " + destination + " (through " + temp + "): " +
              (err == ENOSPC ? std::string("no space left on device") : std::strerror(err)) +
              "; nothing was left at " + destination + ". " +
              (full ? "Free space on the file system holding it (PostgreSQL's pg_wal)"
                    : "Check that its directory exists and that the user running "
                      "restore_command may write there") +
              "; PostgreSQL asks for the file again");
}

void write_all(int fd, std::span<const std::byte> data, const std::string& temp,
               const std::string& destination)
{
  while (!data.empty()) {
    const ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) refuse_destination(errno, temp, destination);
    data = data.subspan(static_cast<std::size_t>(n));
  }
}

} // namespace

namespace {

void check_name(const std::string& name)
{
  if (!is_segment_name(name) && !is_history_name(name))
    throw UsageError("'" + name +
                     "' is not a WAL segment or timeline history file name (wal-fetch serves what "
                     "PostgreSQL's restore_command asks for: %f)");
}

std::vector<catalog::ArchivedCopy> copies_of(catalog::Database& db, const std::string& name)
{
  check_name(name);
  return is_segment_name(name) ? catalog::archived_segment_copies(db, name)
                               : catalog::archived_history_copies(db, name);
}

// Copies of the asking cluster's file; a history file whose cluster is unknown
// (no segment beside it) is not known to be foreign and comes last.
std::vector<catalog::ArchivedCopy> for_cluster(const std::vector<catalog::ArchivedCopy>& copies,
                                               const std::string& sysid, bool segment)
{
  std::vector<catalog::ArchivedCopy> out;
  for (const auto& c : copies)
    if (c.system_identifier == sysid) out.push_back(c);
  if (!segment)
    for (const auto& c : copies)
      if (c.system_identifier.empty()) out.push_back(c);
  return out;
}

ArchivedWalFile to_file(const catalog::ArchivedCopy& c)
{
  return ArchivedWalFile{c.key,    c.repository_url, c.repository,  c.compression,
                         c.sha256, c.size,           c.segment_size};
}

// The only cluster among the copies, or UsageError when there are several.
const catalog::ArchivedCopy& unambiguous(const std::vector<catalog::ArchivedCopy>& copies,
                                         const std::string& name)
{
  for (const auto& c : copies)
    if (c.system_identifier != copies.front().system_identifier)
      throw UsageError("'" + name + "' is archived for more than one cluster (" +
                       copies.front().system_identifier + ", " + c.system_identifier +
                       "); give wal-fetch --cluster SYSID, or run it in the data directory "
                       "(as PostgreSQL does) so it can read the cluster from global/pg_control");
  return copies.front();
}

// The system identifier in DIR/global/pg_control, when there is a readable one.
std::optional<std::string> data_directory_cluster(const std::string& dir)
{
  std::ifstream in(fs::path(dir) / "global" / "pg_control", std::ios::binary);
  if (!in) return std::nullopt;
  std::string bytes(512, '\0');
  in.read(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  bytes.resize(static_cast<std::size_t>(in.gcount()));
  try {
    auto control = pg::parse_pg_control(bytes);
    if (control.wal_segment_size != 0 && !control.crc_ok) return std::nullopt;
    return std::to_string(control.system_identifier);
  } catch (const ValidationError&) {
    return std::nullopt;
  }
}

struct AskingCluster
{
  std::optional<std::string> system_identifier;
  std::string source; // how it is known, for messages
};

AskingCluster asking_cluster(const WalFetchRequest& request)
{
  std::optional<std::string> from_control;
  if (request.data_directory) from_control = data_directory_cluster(*request.data_directory);
  const std::string control_path =
      request.data_directory ? (fs::path(*request.data_directory) / "global/pg_control").string()
                             : "";
  if (request.cluster && from_control && *request.cluster != *from_control)
    throw UsageError("wal-fetch --cluster " + *request.cluster + ", but " + control_path +
                     " belongs to cluster " + *from_control +
                     ": the restore_command does not fit this data directory; fix --cluster");
  if (request.cluster) return {request.cluster, "--cluster"};
  if (from_control) return {from_control, control_path};
  return {};
}

std::uint64_t segno_of(const std::string& name, std::uint64_t segment_size)
{
  return std::stoull(name.substr(8, 8), nullptr, 16) * pg::segments_per_xlogid(segment_size) +
         std::stoull(name.substr(16, 8), nullptr, 16);
}

// The bytes about to become DEST are the segment the name promises, of `sysid`.
void check_page_header(const std::string& first_page, const std::string& name,
                       const std::string& sysid, const std::string& destination)
{
  auto header = pg::parse_wal_long_page_header(first_page);
  if (!header)
    throw ValidationError("'" + name + "' has no valid WAL page header at offset 0: " +
                          destination + " was not written");
  if (!sysid.empty() && std::to_string(header->system_identifier) != sysid)
    throw Error("'" + name + "' belongs to cluster " + std::to_string(header->system_identifier) +
                    " by its page header, not " + sysid +
                    ": wal-fetch never hands PostgreSQL another cluster's WAL; " + destination +
                    " was not written. Rescan the repository (`lastgood scan --rehash`)",
                kExitProblem);
  const std::uint64_t expected = segno_of(name, header->segment_size) * header->segment_size;
  if (header->page_address != expected)
    throw ValidationError("'" + name + "' starts at " + pg::Lsn{header->page_address}.str() +
                          ", not " + pg::Lsn{expected}.str() +
                          " as its name says (renamed or damaged): " + destination +
                          " was not written");
}

} // namespace

std::optional<ArchivedWalFile> find_archived_wal_file(catalog::Database& db,
                                                      const std::string& name,
                                                      const std::optional<std::string>& cluster)
{
  auto copies = copies_of(db, name);
  if (cluster) copies = for_cluster(copies, *cluster, is_segment_name(name));
  if (copies.empty()) return std::nullopt;
  return to_file(cluster ? copies.front() : unambiguous(copies, name));
}

WalFetchResult wal_fetch(catalog::Database& db, const WalFetchRequest& request)
{
  WalFetchResult result;
  const bool segment = is_segment_name(request.name);
  auto copies = copies_of(db, request.name);
  const auto asking = asking_cluster(request);
  std::optional<catalog::ArchivedCopy> chosen;
  if (asking.system_identifier) {
    auto mine = for_cluster(copies, *asking.system_identifier, segment);
    if (!mine.empty()) chosen = mine.front();
    for (const auto& c : copies)
      if (!chosen && segment && !c.system_identifier.empty()) {
        result.foreign_cluster = c.system_identifier;
        result.message =
            "WAL segment " + request.name + " is archived only for cluster " + c.system_identifier +
            " (" + c.repository + ": " + c.key + "), not for cluster " + *asking.system_identifier +
            " (from " + asking.source + "): wal-fetch never hands PostgreSQL another cluster's WAL";
        return result;
      }
  } else if (!copies.empty()) {
    chosen = unambiguous(copies, request.name);
    if (segment && chosen->dir_owner && !chosen->system_identifier.empty() &&
        *chosen->dir_owner != chosen->system_identifier) {
      result.foreign_cluster = chosen->system_identifier;
      result.message =
          "WAL segment " + request.name + " (" + chosen->repository + ": " + chosen->key +
          ") belongs to cluster " + chosen->system_identifier +
          " but sits among the WAL of cluster " + *chosen->dir_owner +
          " (`lastgood wal` calls it FOREIGN); without knowing which cluster asks, wal-fetch "
          "does not serve it: give --cluster SYSID or run it in the data directory";
      return result;
    }
  }
  if (!chosen) {
    result.message = request.name + " is not in the archive";
    return result;
  }
  const auto file = std::optional<ArchivedWalFile>(to_file(*chosen));
  const std::string expected_cluster = asking.system_identifier.value_or(chosen->system_identifier);
  if (!file->sha256)
    throw ValidationError("'" + file->key +
                          "' has no SHA-256 in the catalog (it was never read whole); run "
                          "`lastgood scan --rehash` before restoring from it");
  result.key = file->key;
  result.repository = file->repository;
  auto storage = storage::open_storage(file->repository_url);
  Sha256 hash;
  std::uint64_t stored_bytes = 0;
  std::unique_ptr<storage::ReadStream> stored =
      std::make_unique<verifier::TallyingStream>(storage->read(file->key), hash, stored_bytes);
  // pgBackRest's archive names each segment by the SHA-1 of its contents and
  // compresses with any of its four compressions.
  const auto pgbackrest_name =
      formats::pgbackrest::parse_archive_file_name(fs::path(file->key).filename().string());
  const bool named_by_sha1 = pgbackrest_name && pgbackrest_name->sha1;
  const auto cipher_pass =
      named_by_sha1 ? pgbackrest_archive_cipher_pass(*storage, file->key, file->repository,
                                                     request.cipher_pass)
                    : std::nullopt;
  auto source =
      named_by_sha1
          ? pgbackrest_wal_stream(std::move(stored), *pgbackrest_name, file->key, cipher_pass)
          : pg::decompressing_stream(std::move(stored), file->compression == "gzip" ? "gz"
                                                        : file->compression == "zstd"
                                                            ? "zst"
                                                            : file->compression);
  formats::pgbackrest::Sha1 content_sha1;

  TempFile temp{request.destination + ".lastgood-" + std::to_string(::getpid())};
  std::string first_page;
  {
    storage::UniqueFd out(
        ::open(temp.path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOCTTY, 0666));
    if (!out) refuse_destination(errno, temp.path, request.destination);
    std::vector<std::byte> buffer(1 << 20);
    while (std::size_t n = source->read(buffer)) {
      if (first_page.size() < 64)
        first_page.append(reinterpret_cast<const char*>(buffer.data()),
                          std::min<std::size_t>(n, 64 - first_page.size()));
      if (named_by_sha1) content_sha1.update(std::span<const std::byte>(buffer).first(n));
      write_all(out.get(), std::span(buffer).first(n), temp.path, request.destination);
      result.bytes += n;
    }
    if (out.close() != 0) refuse_destination(errno, temp.path, request.destination);
  }
  const std::string digest = hash.hex_digest();
  if (stored_bytes != file->size || digest != *file->sha256)
    throw ValidationError("'" + file->key + "' does not match the catalog (" +
                          std::to_string(stored_bytes) + " bytes, SHA-256 " + digest +
                          "; cataloged " + std::to_string(file->size) + " bytes, " + *file->sha256 +
                          "): it changed since it was archived; " + request.destination +
                          " was not written");
  if (file->expected_size && result.bytes != file->expected_size)
    throw ValidationError("'" + file->key + "' decompresses to " + std::to_string(result.bytes) +
                          " bytes, not a whole segment of " + std::to_string(file->expected_size) +
                          "; it is truncated: " + request.destination + " was not written");
  if (named_by_sha1)
    if (const auto actual = content_sha1.hex_digest(); actual != *pgbackrest_name->sha1)
      throw ValidationError("'" + file->key + "' holds a segment whose SHA-1 is " + actual +
                            ", not the " + *pgbackrest_name->sha1 +
                            " its name says: it is damaged; " + request.destination +
                            " was not written");
  if (segment) check_page_header(first_page, request.name, expected_cluster, request.destination);
  if (std::rename(temp.path.c_str(), request.destination.c_str()) != 0)
    throw Error("cannot rename " + temp.path + " to " + request.destination + ": " +
                std::strerror(errno));
  temp.keep = true;
  result.outcome = WalFetchOutcome::Fetched;
  return result;
}

} // namespace lastgood::restore
