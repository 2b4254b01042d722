#include "verifier/pgdata_extract.hpp"

#include "common/error.hpp"
#include "common/sha256.hpp"
#include "pg/backup_manifest.hpp"
#include "pg/tar_reader.hpp"
#include "verifier/checksum_object.hpp"
#include "verifier/extract_paths.hpp"
#include "verifier/hashing_stream.hpp"
#include "verifier/manifest_verifier.hpp"

#include <algorithm>
#include <memory>

namespace lastgood::verifier {

namespace {

namespace fk = finding_kind;

// Directories PostgreSQL expects; pg_basebackup's tar has them, a plain
// backup in a repository has only files (empty directories are not objects).
constexpr const char* kSkeleton[] = {"global",
                                     "base",
                                     "pg_wal/archive_status",
                                     "pg_commit_ts",
                                     "pg_dynshmem",
                                     "pg_logical/snapshots",
                                     "pg_logical/mappings",
                                     "pg_multixact/members",
                                     "pg_multixact/offsets",
                                     "pg_notify",
                                     "pg_replslot",
                                     "pg_serial",
                                     "pg_snapshots",
                                     "pg_stat",
                                     "pg_stat_tmp",
                                     "pg_subtrans",
                                     "pg_tblspc",
                                     "pg_twophase",
                                     "pg_xact"};

// "base.tar.zst" -> "base"
std::string tar_stem(const std::string& name)
{
  for (std::string suffix : {".tar.gz", ".tar.zst", ".tar.lz4", ".tgz", ".tar"})
    if (name.size() > suffix.size() && name.ends_with(suffix))
      return name.substr(0, name.size() - suffix.size());
  return name;
}

class Extraction
{
public:
  Extraction(storage::Storage& storage, const catalog::BackupRow& backup,
             const ExtractOptions& options)
      : m_storage(storage), m_backup(backup), m_options(options),
        m_base(options.data_dir, options.owner)
  {
    m_ts_root =
        options.tablespace_dir.empty() ? options.data_dir + "_tablespaces" : options.tablespace_dir;
    m_result.tablespace_dir = m_ts_root;
  }

  ExtractResult run(const std::vector<catalog::BackupObjectRow>& objects)
  {
    try {
      load_manifest(objects);
      for (const auto& object : ordered(objects)) {
        if (m_abort) break;
        if (object->role == "manifest") {
          write_object(*object, "backup_manifest", Target::Base);
          continue;
        }
        extract_object(*object);
      }
      if (!m_abort) {
        for (const char* dir : kSkeleton)
          m_base.make_dir(dir);
        if (m_manifest) m_result.findings.append(m_manifest->findings());
      }
    } catch (...) {
      discard();
      throw;
    }
    if (!m_result.ok()) discard();
    return std::move(m_result);
  }

private:
  enum class Target { Base, Wal, Tablespace };

  static TarArchive archive_of(Target target)
  {
    return target == Target::Base  ? TarArchive::Base
           : target == Target::Wal ? TarArchive::Wal
                                   : TarArchive::Tablespace;
  }

  std::vector<const catalog::BackupObjectRow*>
  ordered(const std::vector<catalog::BackupObjectRow>& objects)
  {
    // base.tar first (it makes the directories), then tablespaces, then WAL.
    auto rank = [](const catalog::BackupObjectRow& o) {
      return o.role == "base_tar"         ? 0
             : o.role == "tablespace_tar" ? 1
             : o.role == "wal_tar"        ? 2
                                          : 3;
    };
    std::vector<const catalog::BackupObjectRow*> out;
    for (const auto& o : objects)
      out.push_back(&o);
    std::stable_sort(out.begin(), out.end(), [&](auto* a, auto* b) { return rank(*a) < rank(*b); });
    return out;
  }

  void load_manifest(const std::vector<catalog::BackupObjectRow>& objects)
  {
    auto it = std::find_if(objects.begin(), objects.end(),
                           [](const auto& o) { return o.role == "manifest"; });
    if (it == objects.end()) {
      m_result.findings.add(
          fk::manifest_invalid, Severity::Warning, m_backup.root_key,
          "the backup has no backup_manifest (PostgreSQL 12 or older, or --no-manifest): its "
          "files were compared with the catalog only");
      return;
    }
    try {
      auto manifest =
          pg::parse_backup_manifest(storage::read_all(m_storage, it->key, std::size_t{1} << 30));
      if (!manifest.manifest_checksum_ok) {
        m_result.findings.add(
            fk::manifest_invalid, Severity::Failure, it->key,
            "backup_manifest's own checksum is wrong: it was altered or truncated, so the "
            "backup cannot be trusted; use another backup");
        m_abort = true;
        return;
      }
      m_manifest = std::make_unique<ManifestVerifier>(std::move(manifest), m_backup.root_key + "/");
      m_result.manifest_checked = true;
    } catch (const ValidationError& e) {
      m_result.findings.add(fk::manifest_invalid, Severity::Failure, it->key,
                            std::string("backup_manifest cannot be parsed (") + e.what() +
                                "); use another backup");
      m_abort = true;
    }
  }

  DirWriter& tablespaces()
  {
    if (!m_ts) m_ts = std::make_unique<DirWriter>(m_ts_root, m_options.owner);
    return *m_ts;
  }

  void link_tablespace(const std::string& oid)
  {
    if (std::find(m_result.tablespaces.begin(), m_result.tablespaces.end(), oid) !=
        m_result.tablespaces.end())
      return;
    tablespaces().make_dir(oid);
    m_base.make_symlink("pg_tblspc/" + oid, m_ts_root + "/" + oid, true);
    m_result.tablespaces.push_back(oid);
  }

  // Writes one file: where (data dir, pg_wal/, a tablespace) and its manifest path.
  void write_member(const std::string& rel, Target target, const std::string& oid,
                    storage::ReadStream& content, const std::string& subject)
  {
    std::string manifest_path = target == Target::Wal          ? "pg_wal/" + rel
                                : target == Target::Tablespace ? "pg_tblspc/" + oid + "/" + rel
                                                               : rel;
    std::optional<ManifestVerifier::FileCheck> check;
    if (m_manifest) check.emplace(m_manifest->check_file(manifest_path, subject));
    auto observe = [&](std::span<const std::byte> chunk) {
      if (check) check->update(chunk);
    };
    std::uint64_t n = 0;
    if (target == Target::Tablespace)
      n = tablespaces().write_file(oid + "/" + rel, content, observe);
    else
      n = m_base.write_file(target == Target::Wal ? "pg_wal/" + rel : rel, content, observe);
    if (check) check->finish();
    if (manifest_path.starts_with("pg_wal/") && manifest_path.find('/', 7) == std::string::npos)
      m_result.wal_included = true;
    ++m_result.files;
    m_result.bytes += n;
  }

  void write_tar_member(const pg::TarMember& member, storage::ReadStream& content, Target target,
                        const std::string& oid, const std::string& key)
  {
    if (auto unsafe = unsafe_tar_member(member, archive_of(target))) throw UnsafeMember(*unsafe);
    std::string why;
    auto rel = safe_member_path(member.path, why);
    if (!rel) throw UnsafeMember("member '" + member.path + "' " + why);
    if (rel->empty()) return; // "./"
    const std::string where = target == Target::Wal ? "pg_wal/" + *rel : *rel;
    if (member.directory) {
      if (target == Target::Tablespace)
        tablespaces().make_dir(oid + "/" + *rel);
      else
        m_base.make_dir(where);
    } else if (member.symlink) {
      auto ts = target == Target::Base ? tablespace_link_oid(*rel) : std::nullopt;
      if (ts)
        link_tablespace(*ts); // its target was the source server's path; ours replaces it
      else if (target == Target::Tablespace)
        throw UnsafeMember("symbolic link '" + member.path + "' inside a tablespace archive");
      else
        m_base.make_symlink(where, member.link_target);
    } else if (member.hardlink) {
      std::string hard_why;
      auto hard = safe_member_path(member.link_target, hard_why);
      if (!hard)
        throw UnsafeMember("hard link '" + member.path + "' points to '" + member.link_target +
                           "', which " + hard_why);
      if (target == Target::Tablespace)
        tablespaces().make_hardlink(oid + "/" + *rel, oid + "/" + *hard);
      else
        m_base.make_hardlink(where, target == Target::Wal ? "pg_wal/" + *hard : *hard);
    } else if (member.regular_file) {
      write_member(*rel, target, oid, content, key + ":" + *rel);
    } else {
      throw UnsafeMember("member '" + member.path + "' is neither a file, a directory nor a link");
    }
  }

  void extract_object(const catalog::BackupObjectRow& object)
  {
    if (object.role == "base_tar" || object.role == "wal_tar" || object.role == "tablespace_tar") {
      const std::string name = object.key.substr(object.key.rfind('/') + 1);
      Target target = object.role == "base_tar"  ? Target::Base
                      : object.role == "wal_tar" ? Target::Wal
                                                 : Target::Tablespace;
      std::string oid;
      if (target == Target::Tablespace) {
        oid = tar_stem(name);
        link_tablespace(oid);
      }
      read_object(object, [&](storage::ReadStream& stream) {
        pg::for_each_tar_member(stream,
                                [&](const pg::TarMember& member, storage::ReadStream& content) {
                                  write_tar_member(member, content, target, oid, object.key);
                                  return true;
                                });
      });
      return;
    }
    const std::string prefix = m_backup.root_key + "/";
    if (!object.key.starts_with(prefix)) return; // not below the backup's directory
    std::string why;
    auto rel = safe_member_path(object.key.substr(prefix.size()), why);
    if (!rel || rel->empty()) throw UnsafeMember("object '" + object.key + "' " + why);
    write_object(object, *rel, Target::Base);
  }

  void write_object(const catalog::BackupObjectRow& object, const std::string& rel, Target)
  {
    read_object(object, [&](storage::ReadStream& stream) {
      // A plain backup's tablespace files sit below pg_tblspc/<oid>/.
      if (rel.starts_with("pg_tblspc/")) {
        auto slash = rel.find('/', 10);
        if (slash != std::string::npos && tablespace_link_oid(rel.substr(0, slash))) {
          const std::string oid = rel.substr(10, slash - 10);
          link_tablespace(oid);
          write_member(rel.substr(slash + 1), Target::Tablespace, oid, stream, object.key);
          return;
        }
      }
      if (rel == "backup_manifest") {
        m_result.bytes += m_base.write_file(rel, stream, nullptr);
        return;
      }
      write_member(rel, Target::Base, "", stream, object.key);
    });
  }

  // Reads the object once, straight from storage (read-ahead, no local copy),
  // through `body`, hashing every raw byte, then compares it with the
  // catalog; turns what goes wrong into findings (each stops the extraction,
  // whose files run() then removes).
  template <typename Body> void read_object(const catalog::BackupObjectRow& object, Body body)
  {
    const std::string& key = object.key;
    std::unique_ptr<storage::ReadStream> source;
    std::unique_ptr<HashingStream> stream;
    try {
      source = m_storage.read(key);
      stream = std::make_unique<HashingStream>(*source, !object.fast.empty());
      body(*stream);
      drain(*stream);
      compare_streamed(object, *stream, m_result.findings);
      if (m_result.findings.any(Severity::Failure)) m_abort = true;
    } catch (const UnsafeMember& e) {
      if (!changed_on_the_way(object, stream.get()))
        m_result.findings.add(
            fk::unsafe_member, Severity::Failure, key,
            "'" + key + "': " + e.what() +
                "; refusing to restore this backup (nothing was kept). It was not written by "
                "pg_basebackup or was tampered with: use another backup");
      m_abort = true;
    } catch (const NotFoundError& e) {
      m_result.findings.add(
          fk::missing_object, Severity::Failure, key,
          "'" + key + "' is gone from storage: the backup is incomplete; use another backup",
          {{"error", e.what()}});
      m_abort = true;
    } catch (const ValidationError& e) {
      damaged(object, stream.get(), e.what());
      m_abort = true;
    } catch (const StorageError& e) {
      const std::uint64_t read = stream ? stream->bytes() : 0;
      m_result.findings.add(fk::unreadable_object, Severity::Error, key,
                            "'" + key + "' could not be read after " + std::to_string(read) +
                                " of " + std::to_string(object.size) + " bytes (" + e.what() +
                                "); nothing extracted from it was kept. Fix access to the "
                                "repository and try again",
                            {{"error", e.what()}, {"bytes_read", read}});
      m_abort = true;
    }
  }

  void drain(storage::ReadStream& stream)
  {
    std::vector<std::byte> rest(256 * 1024);
    while (stream.read(rest) > 0) {
    }
  }

  // The tar or its compression is damaged.
  void damaged(const catalog::BackupObjectRow& object, HashingStream* stream,
               const std::string& why)
  {
    if (changed_on_the_way(object, stream)) return;
    m_result.findings.add(fk::unreadable_object, Severity::Failure, object.key,
                          "'" + object.key + "' is damaged (" + why +
                              "); nothing extracted from it was kept. Restore it from another "
                              "copy or use another backup");
  }

  // A walk stopped on what it read: were these the cataloged bytes? Reads the
  // rest to tell; true (with the mismatch among the findings) when they were not.
  bool changed_on_the_way(const catalog::BackupObjectRow& object, HashingStream* stream)
  {
    if (!stream) return false;
    try {
      drain(*stream);
    } catch (const Error&) {
      return false; // cannot tell: the walk's own finding stands
    }
    Findings compared;
    compare_streamed(object, *stream, compared);
    if (!compared.any(Severity::Failure)) return false;
    m_result.findings.append(compared);
    return true;
  }

  // SHA-256 (with the size) decides; where the catalog has XXH3-128 block
  // digests they name the bytes that changed.
  static void compare_streamed(const catalog::BackupObjectRow& object, HashingStream& stream,
                               Findings& findings)
  {
    ObjectJob job;
    job.key = object.key;
    job.expected_size = object.size;
    job.expected_sha256 = object.sha256;
    job.expected_fast = object.fast;
    const std::uint64_t size = stream.bytes();
    const FastDigest fast = stream.fast_digest();
    Findings found;
    compare_with_catalog(job, size, stream.hex_digest(), found);
    Findings ranged;
    if (found.any(Severity::Failure) && !fast.empty() && size == object.size)
      compare_fast_with_catalog(job, size, fast, ranged);
    for (Finding f : found.items()) {
      if (f.kind == fk::checksum_mismatch) {
        std::string bytes;
        for (const auto& r : ranged.items())
          if (r.kind == fk::checksum_mismatch && r.detail.contains("ranges")) {
            f.detail["ranges"] = r.detail["ranges"];
            for (const auto& range : r.detail["ranges"])
              bytes += (bytes.empty() ? "" : ", ") +
                       std::to_string(range["first_byte"].get<std::uint64_t>()) + "-" +
                       std::to_string(range["last_byte"].get<std::uint64_t>());
          }
        if (!bytes.empty()) f.message += " (XXH3-128 blocks differ in bytes " + bytes + ")";
        f.message += "; nothing extracted from it was kept";
      }
      findings.add(std::move(f));
    }
  }

  void discard() noexcept
  {
    if (m_ts) m_ts->discard();
    m_base.discard();
  }

  storage::Storage& m_storage;
  const catalog::BackupRow& m_backup;
  const ExtractOptions& m_options;
  DirWriter m_base;
  std::unique_ptr<DirWriter> m_ts;
  std::string m_ts_root;
  std::unique_ptr<ManifestVerifier> m_manifest;
  ExtractResult m_result;
  bool m_abort = false;
};

} // namespace

ExtractResult extract_base_backup(storage::Storage& storage, const catalog::BackupRow& backup,
                                  const std::vector<catalog::BackupObjectRow>& objects,
                                  const ExtractOptions& options)
{
  if (backup.kind != "physical")
    throw UsageError("backup " + backup.backup_id +
                     " is a logical dump; only base backups go into a data directory");
  Extraction extraction(storage, backup, options);
  return extraction.run(objects);
}

} // namespace lastgood::verifier
