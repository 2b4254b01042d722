#include "catalog/pgbackrest_backups.hpp"

#include "catalog/backup_builder.hpp"
#include "catalog/classify.hpp"
#include "catalog/object_records.hpp"
#include "catalog/repository_format.hpp"
#include "common/cipher_pass.hpp"
#include "common/error.hpp"
#include "common/time.hpp"
#include "formats/pgbackrest/stanza.hpp"
#include "pg/lsn.hpp"
#include "pg/wal_archive_name.hpp"

#include <map>
#include <optional>

namespace lastgood::catalog {

namespace pgbr = formats::pgbackrest;

namespace {

std::optional<std::int64_t> lsn_of(const std::string& text)
{
  auto lsn = pg::Lsn::try_parse(text);
  return lsn ? std::optional<std::int64_t>(static_cast<std::int64_t>(lsn->value)) : std::nullopt;
}

// The WAL segment size on which the backup's start LSN and start segment
// agree (pgBackRest records both, but no size). The cluster learns it here
// even when its archive is encrypted and no page header can be read; 0 when
// the two do not single out one size.
std::uint32_t segment_size_of(const pgbr::BackupInfoEntry& entry)
{
  const auto lsn = lsn_of(entry.lsn_start);
  if (!lsn || entry.archive_start.size() != 24) return 0;
  std::uint64_t log = 0, seg = 0;
  try {
    log = std::stoull(entry.archive_start.substr(8, 8), nullptr, 16);
    seg = std::stoull(entry.archive_start.substr(16, 8), nullptr, 16);
  } catch (const std::exception&) {
    return 0;
  }
  std::uint32_t found = 0;
  for (std::uint64_t size = 1u << 20; size <= 1u << 30; size <<= 1) {
    const std::uint64_t per_log = 0x100000000ull / size;
    const std::uint64_t segno = static_cast<std::uint64_t>(*lsn) / size;
    if (segno / per_log != log || segno % per_log != seg) continue;
    if (found) return 0; // ambiguous (an LSN in the first segment of every size)
    found = static_cast<std::uint32_t>(size);
  }
  return found;
}

int pg_major_of(const std::string& version)
{
  try {
    return std::stoi(version); // "15", "9.6" -> 9
  } catch (const std::exception&) {
    return 0;
  }
}

std::string compression_of(const pgbr::BackupInfoEntry& entry, const std::vector<Member>& files)
{
  if (!entry.compress) return "none";
  for (const auto& m : files) {
    if (m.key.ends_with(".gz")) return "gzip";
    if (m.key.ends_with(".zst")) return "zstd";
    if (m.key.ends_with(".lz4")) return "lz4";
    if (m.key.ends_with(".bz2")) return "bzip2";
  }
  return "compressed"; // bundled files carry no extension
}

BackupFacts facts_of(Database& db, const Repository& repository, const std::string& stanza,
                     const pgbr::BackupInfo& info, const pgbr::BackupInfoEntry& entry)
{
  BackupFacts f;
  f.root_key = "backup/" + stanza + "/" + entry.label;
  f.kind = "physical";
  f.format = repository_format::pgbackrest;
  f.source = repository.source;
  f.label = entry.label;
  f.start_lsn = lsn_of(entry.lsn_start);
  f.stop_lsn = lsn_of(entry.lsn_stop);
  f.timeline = pg::segment_timeline(entry.archive_start);
  f.stop_timeline = pg::segment_timeline(entry.archive_stop);
  f.start_time = format_rfc3339(TimePoint(std::chrono::seconds(entry.timestamp_start)));
  f.stop_time = format_rfc3339(TimePoint(std::chrono::seconds(entry.timestamp_stop)));
  f.tool_version = "pgBackRest " + entry.backrest_version;
  const pgbr::DbHistoryEntry* db_entry = nullptr;
  for (const auto& h : info.history)
    if (h.id == entry.db_id) db_entry = &h;
  if (!db_entry && info.current.id == entry.db_id) db_entry = &info.current;
  if (db_entry) {
    f.cluster_id = ensure_cluster(db, std::to_string(db_entry->system_id),
                                  pg_major_of(db_entry->version), segment_size_of(entry));
    f.server_version = db_entry->version;
  } else {
    f.problem = "backup.info names database id " + std::to_string(entry.db_id) +
                " for this backup but has no such database in its history";
  }
  if (!f.start_lsn || !f.timeline)
    f.problem = (f.problem ? *f.problem + "; " : "") +
                "backup.info gives no readable start LSN or start WAL segment";
  if (entry.error)
    f.problem = (f.problem ? *f.problem + "; " : "") +
                "pgBackRest recorded page-checksum errors while taking this backup";

  auto files = objects_under(db, repository.id, f.root_key);
  f.compression = compression_of(entry, files);
  bool manifest_present = false;
  auto set_kind = db.prepare("UPDATE objects SET kind = ? WHERE id = ?");
  for (const auto& m : files) {
    const bool manifest =
        m.key == f.root_key + "/backup.manifest" || m.key == f.root_key + "/backup.manifest.copy";
    if (manifest && !m.problem) manifest_present = true;
    // Stored files are compressed or encrypted as pgBackRest wrote them: the
    // generic classifier's view of them (a pg_control, a backup_label) is not theirs.
    if (m.kind != kind::base_file) set_kind.bind_all(kind::base_file, m.id).run();
    f.members.emplace_back(m.id, manifest ? "pgbackrest_manifest" : "file");
    f.size += m.size;
  }
  if (!manifest_present)
    f.problem = (f.problem ? *f.problem + "; " : "") + f.root_key +
                "/backup.manifest and its copy are missing";
  return f;
}

void record_lineage(Database& db, std::int64_t repository_id, const std::string& root_key,
                    const pgbr::BackupInfoEntry& entry)
{
  auto find = db.prepare("SELECT id FROM backups WHERE repository_id = ? AND root_key = ?");
  find.bind_all(repository_id, root_key);
  if (!find.step()) return;
  const auto id = find.int64(0);
  db.prepare("UPDATE backups SET backup_type = ?, prior_label = ? WHERE id = ?")
      .bind_all(std::string(pgbr::to_string(entry.type)), entry.prior, id)
      .run();
  db.prepare("DELETE FROM backup_references WHERE backup_id = ?").bind(1, id).run();
  auto add = db.prepare("INSERT INTO backup_references (backup_id, label) VALUES (?, ?)"
                        " ON CONFLICT DO NOTHING");
  for (const auto& label : entry.references)
    add.bind_all(id, label).run();
}

// A segment whose header could not be read (lz4, bz2, encrypted) was given
// the default size by its name; once its cluster's size is known (see
// segment_size_of), the size and the segment number follow it.
void resize_unread_segments(Database& db, std::int64_t cluster_id, std::int64_t repository_id,
                            const std::string& dir)
{
  auto size = db.prepare("SELECT wal_segment_size FROM clusters WHERE id = ?");
  size.bind(1, cluster_id);
  if (!size.step() || size.is_null(0)) return;
  const std::int64_t segment_size = size.int64(0);
  auto unread = db.prepare(
      "SELECT ws.object_id, ws.name FROM wal_segments ws JOIN objects o ON o.id = ws.object_id"
      " WHERE ws.cluster_id = ? AND ws.header_pageaddr IS NULL AND ws.segment_size <> ?"
      " AND o.repository_id = ? AND o.key >= ? AND o.key < ?");
  unread.bind_all(cluster_id, segment_size, repository_id, dir + "/", dir + "0");
  std::vector<std::pair<std::int64_t, std::int64_t>> resized; // object, segno
  while (unread.step())
    if (auto name = pg::parse_wal_archive_name(unread.text(1)))
      resized.emplace_back(unread.int64(0), static_cast<std::int64_t>(name->segno(
                                                static_cast<std::uint64_t>(segment_size))));
  auto update =
      db.prepare("UPDATE wal_segments SET segment_size = ?, segno = ? WHERE object_id = ?");
  for (const auto& [object, segno] : resized)
    update.bind_all(segment_size, segno, object).run();
}

// Segments whose header could not be read (lz4, bz2) have no cluster yet:
// archive.info says whose each archive id is.
void assign_archive_clusters(Database& db, std::int64_t repository_id, const std::string& stanza,
                             const pgbr::ArchiveInfo& archive)
{
  auto set =
      db.prepare("UPDATE wal_segments SET cluster_id = ? WHERE cluster_id IS NULL AND object_id IN"
                 " (SELECT id FROM objects WHERE repository_id = ? AND key >= ? AND key < ?)");
  std::vector<pgbr::ArchiveHistoryEntry> entries = archive.history;
  entries.push_back(archive.current);
  for (const auto& h : entries) {
    const std::string dir = "archive/" + stanza + "/" + h.archive_id();
    const auto cluster = ensure_cluster(db, std::to_string(h.system_id), pg_major_of(h.version), 0);
    set.bind_all(cluster, repository_id, dir + "/", dir + "0").run();
    resize_unread_segments(db, cluster, repository_id, dir);
  }
}

} // namespace

void require_pgbackrest_passphrase(storage::Storage& storage, const Repository& repository,
                                   const std::optional<std::string>& passphrase)
{
  if (repository.format != repository_format::pgbackrest || !repository.stanza) return;
  const std::string key = pgbr::backup_info_key(*repository.stanza);
  try {
    pgbr::load_info_file(storage, key, passphrase);
  } catch (const pgbr::PassphraseError&) {
    const std::string where = "a file named by cipher_pass_file in its [[repository]] entry, or " +
                              cipher_pass_variable(repository.name);
    throw Error(passphrase ? "could not decrypt " + key + " of repository " + repository.name +
                                 " with the passphrase from " + where +
                                 ": give the repository's repo-cipher-pass"
                           : "repository " + repository.name +
                                 " is an encrypted pgBackRest repository: give its passphrase "
                                 "(repo-cipher-pass) in " +
                                 where);
  } catch (const Error&) {
    // Missing or damaged: catalog_pgbackrest_stanza reports it as a problem.
  }
}

std::optional<std::string> pgbackrest_latest_link_prefix(const Repository& repository)
{
  if (repository.format != repository_format::pgbackrest || !repository.stanza) return std::nullopt;
  return "backup/" + *repository.stanza + "/latest/";
}

std::optional<std::string> unreadable_pgbackrest_archive(storage::Storage& storage,
                                                         const Repository& repository)
{
  if (repository.format != repository_format::pgbackrest || !repository.stanza) return std::nullopt;
  try {
    pgbr::load_info_file(storage, pgbr::archive_info_key(*repository.stanza), std::nullopt);
  } catch (const pgbr::PassphraseError&) {
    return "archive/" + *repository.stanza + "/";
  } catch (const Error&) {
    // Missing or damaged: catalog_pgbackrest_stanza reports it; the files are read as they are.
  }
  return std::nullopt;
}

PgbackrestCatalogResult catalog_pgbackrest_stanza(Database& db, const Repository& repository,
                                                  storage::Storage& storage, const std::string& now,
                                                  const std::optional<std::string>& passphrase)
{
  PgbackrestCatalogResult result;
  const std::string stanza = repository.stanza.value_or("");
  const std::string info_key = pgbr::backup_info_key(stanza);
  if (stanza.empty()) {
    result.problems.push_back(
        {"backup/", "pgBackRest repository registered without a stanza: remove it and add it "
                    "again with --stanza NAME"});
    return result;
  }
  pgbr::StanzaInfo info;
  try {
    info = pgbr::read_stanza(storage, stanza, passphrase);
  } catch (const pgbr::PassphraseError& e) {
    // require_pgbackrest_passphrase let it through: the copy or archive.info differs.
    result.problems.push_back({info_key, e.what()});
    return result;
  } catch (const Error& e) {
    // Missing, or damaged together with its copy, or the two files disagree
    // on the database: the problem is filed under the file the message names
    // (backup.info is read first).
    const std::string message = e.what();
    const std::string archive_key = pgbr::archive_info_key(stanza);
    const bool about_archive = message.find(archive_key) != std::string::npos &&
                               message.find(info_key) == std::string::npos;
    result.problems.push_back({about_archive ? archive_key : info_key, message});
    return result;
  }
  for (const auto& finding : info.findings)
    result.problems.push_back({finding.key, finding.problem});

  for (const auto& entry : info.backup.backups) {
    auto facts = facts_of(db, repository, stanza, info.backup, entry);
    ++result.backups;
    if (upsert_backup(db, repository.id, facts, now)) ++result.new_backups;
    record_lineage(db, repository.id, facts.root_key, entry);
  }
  assign_archive_clusters(db, repository.id, stanza, info.archive);
  return result;
}

} // namespace lastgood::catalog
