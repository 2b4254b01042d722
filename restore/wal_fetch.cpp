#include "restore/wal_fetch.hpp"

#include "common/error.hpp"
#include "common/sha256.hpp"
#include "pg/decompress.hpp"
#include "storage/storage.hpp"

#include <cctype>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
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

std::string compression_of_key(const std::string& key)
{
  if (key.ends_with(".gz")) return "gz";
  if (key.ends_with(".zst")) return "zst";
  return "";
}

// Hashes the stored bytes as the decompressor pulls them.
class HashingStream : public storage::ReadStream
{
public:
  HashingStream(std::unique_ptr<storage::ReadStream> inner, Sha256& hash, std::uint64_t& bytes)
      : m_inner(std::move(inner)), m_hash(hash), m_bytes(bytes)
  {
  }
  std::size_t read(std::span<std::byte> buffer) override
  {
    std::size_t n = m_inner->read(buffer);
    m_hash.update(buffer.first(n));
    m_bytes += n;
    return n;
  }

private:
  std::unique_ptr<storage::ReadStream> m_inner;
  Sha256& m_hash;
  std::uint64_t& m_bytes;
};

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

} // namespace

std::optional<ArchivedWalFile> find_archived_wal_file(catalog::Database& db,
                                                      const std::string& name,
                                                      const std::optional<std::string>& cluster)
{
  const bool segment = is_segment_name(name);
  if (!segment && !is_history_name(name))
    throw UsageError("'" + name +
                     "' is not a WAL segment or timeline history file name (wal-fetch serves what "
                     "PostgreSQL's restore_command asks for: %f)");
  // Usable objects only: present, not deleted, in an active repository, no problem found.
  const std::string usable =
      " AND o.missing_since IS NULL AND o.deleted_at IS NULL AND r.removed_at IS NULL"
      " AND (?2 IS NULL OR c.system_identifier = ?2)";
  std::string sql =
      segment
          ? "SELECT o.key, r.url, r.name, ws.compression, o.sha256, o.size, ws.segment_size,"
            " coalesce(c.system_identifier, '')"
            " FROM wal_segments ws JOIN objects o ON o.id = ws.object_id"
            " JOIN repositories r ON r.id = o.repository_id LEFT JOIN clusters c ON c.id = "
            "ws.cluster_id"
            " WHERE ws.name = ?1 AND ws.partial = 0 AND ws.problem IS NULL AND o.problem IS NULL" +
                usable + " ORDER BY (ws.compression = '') DESC, o.id DESC"
          : "SELECT DISTINCT o.key, r.url, r.name, '', o.sha256, o.size, 0, "
            "coalesce(c.system_identifier, '')"
            " FROM objects o JOIN repositories r ON r.id = o.repository_id"
            " LEFT JOIN timeline_history th ON th.object_id = o.id LEFT JOIN clusters c ON c.id = "
            "th.cluster_id"
            " WHERE o.kind = 'wal_history' AND (o.key = ?1 OR o.key LIKE '%/' || ?1"
            " OR o.key = ?1 || '.gz' OR o.key LIKE '%/' || ?1 || '.gz'"
            " OR o.key = ?1 || '.zst' OR o.key LIKE '%/' || ?1 || '.zst')" +
                usable + " ORDER BY o.id DESC";
  auto s = db.prepare(sql);
  s.bind(1, name);
  s.bind(2, cluster);
  std::optional<ArchivedWalFile> found;
  std::string found_cluster;
  while (s.step()) {
    const std::string sysid = s.text(7);
    if (found) {
      if (!cluster && sysid != found_cluster)
        throw UsageError("'" + name + "' is archived for more than one cluster (" + found_cluster +
                         ", " + sysid + "); give wal-fetch --cluster SYSID");
      continue;
    }
    ArchivedWalFile f;
    f.key = s.text(0);
    f.repository_url = s.text(1);
    f.repository = s.text(2);
    f.compression = segment ? s.text(3) : compression_of_key(f.key);
    f.sha256 = s.opt_text(4);
    f.size = static_cast<std::uint64_t>(s.int64(5));
    f.expected_size = static_cast<std::uint64_t>(s.int64(6));
    found = f;
    found_cluster = sysid;
  }
  return found;
}

WalFetchResult wal_fetch(catalog::Database& db, const WalFetchRequest& request)
{
  WalFetchResult result;
  auto file = find_archived_wal_file(db, request.name, request.cluster);
  if (!file) {
    result.message = request.name + " is not in the archive";
    return result;
  }
  if (!file->sha256)
    throw ValidationError("'" + file->key +
                          "' has no SHA-256 in the catalog (it was never read whole); run "
                          "`lastgood scan --rehash` before restoring from it");
  result.key = file->key;
  result.repository = file->repository;
  auto storage = storage::open_storage(file->repository_url);
  Sha256 hash;
  std::uint64_t stored_bytes = 0;
  auto source = pg::decompressing_stream(
      std::make_unique<HashingStream>(storage->read(file->key), hash, stored_bytes),
      file->compression == "gzip"   ? "gz"
      : file->compression == "zstd" ? "zst"
                                    : file->compression);

  TempFile temp{request.destination + ".lastgood-" + std::to_string(::getpid())};
  {
    std::ofstream out(temp.path, std::ios::binary | std::ios::trunc);
    if (!out) throw Error("cannot create " + temp.path + ": " + std::strerror(errno));
    std::vector<std::byte> buffer(1 << 20);
    while (std::size_t n = source->read(buffer)) {
      out.write(reinterpret_cast<const char*>(buffer.data()), static_cast<std::streamsize>(n));
      result.bytes += n;
    }
    out.flush();
    if (!out) throw Error("cannot write " + temp.path + " (disk full?)");
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
  if (std::rename(temp.path.c_str(), request.destination.c_str()) != 0)
    throw Error("cannot rename " + temp.path + " to " + request.destination + ": " +
                std::strerror(errno));
  temp.keep = true;
  result.outcome = WalFetchOutcome::Fetched;
  return result;
}

} // namespace lastgood::restore
