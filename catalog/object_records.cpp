#include "catalog/object_records.hpp"

#include "catalog/audit.hpp"
#include "common/time.hpp"
#include "pg/lsn.hpp"

namespace lastgood::catalog {

using nlohmann::json;

std::int64_t ensure_cluster(Database& db, const std::string& system_identifier, int pg_major,
                            std::uint32_t wal_segment_size)
{
  auto find = db.prepare("SELECT id FROM clusters WHERE system_identifier = ?");
  find.bind(1, system_identifier);
  std::optional<std::string> version =
      pg_major > 0 ? std::optional(std::to_string(pg_major)) : std::nullopt;
  std::optional<std::int64_t> seg =
      wal_segment_size ? std::optional<std::int64_t>(wal_segment_size) : std::nullopt;
  if (find.step()) {
    std::int64_t id = find.int64(0);
    db.prepare("UPDATE clusters SET pg_version = coalesce(pg_version, ?),"
               " wal_segment_size = coalesce(wal_segment_size, ?) WHERE id = ?")
        .bind_all(version, seg, id)
        .run();
    return id;
  }
  // Another process (a scan of another repository, a backup) may have added it since.
  auto insert = db.prepare(
      "INSERT INTO clusters (system_identifier, pg_version, wal_segment_size, first_seen)"
      " VALUES (?, ?, ?, ?) ON CONFLICT (system_identifier) DO UPDATE SET"
      " pg_version = coalesce(clusters.pg_version, excluded.pg_version),"
      " wal_segment_size = coalesce(clusters.wal_segment_size, excluded.wal_segment_size)"
      " RETURNING id");
  insert.bind_all(system_identifier, version, seg, format_rfc3339(now_seconds()));
  insert.step();
  const std::int64_t id = insert.int64(0);
  insert.reset();
  return id;
}

ObjectRecords::ObjectRecords(Database& db, std::int64_t repository_id, std::int64_t scan_id,
                             std::string now)
    : m_db(db), m_repository_id(repository_id), m_scan_id(scan_id), m_now(std::move(now)),
      m_find(db.prepare("SELECT id, size, mtime_ns, etag, sha256, missing_since IS NOT NULL,"
                        " (kind IN ('base_tar', 'wal_tar', 'backup_wal')"
                        " AND json_extract(coalesce(detail, '{}'), '$.carried_wal') IS NULL)"
                        // WAL facts lost or never written: read it again to rewrite them.
                        " OR (kind IN ('wal_segment', 'wal_partial') AND NOT EXISTS"
                        " (SELECT 1 FROM wal_segments w WHERE w.object_id = objects.id))"
                        " OR (kind = 'wal_backup_history' AND NOT EXISTS"
                        " (SELECT 1 FROM backup_history_files h WHERE h.object_id = objects.id))"
                        " FROM objects WHERE repository_id = ? AND key = ?")),
      m_seen(db.prepare("UPDATE objects SET last_seen = ?, last_scan_id = ?, missing_since = NULL"
                        " WHERE id = ?")),
      m_insert(db.prepare(
          "INSERT INTO objects (repository_id, key, size, mtime_ns, etag, version_id, retain_until,"
          " sha256, kind, detail, problem, first_seen, last_seen, last_scan_id, last_hashed,"
          " xxh3_128, xxh3_blocks, xxh3_block_size, sha256_checked)"
          " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
          // Another process (a backup ingesting what it wrote) may have cataloged the
          // key since this scan looked: the newer read wins, first_seen stays.
          " ON CONFLICT (repository_id, key) DO UPDATE SET size = excluded.size,"
          " mtime_ns = excluded.mtime_ns, etag = excluded.etag, version_id = excluded.version_id,"
          " retain_until = excluded.retain_until, sha256 = excluded.sha256, kind = excluded.kind,"
          " detail = excluded.detail, problem = excluded.problem, last_seen = excluded.last_seen,"
          " last_scan_id = excluded.last_scan_id, last_hashed = excluded.last_hashed,"
          " xxh3_128 = excluded.xxh3_128, xxh3_blocks = excluded.xxh3_blocks,"
          " xxh3_block_size = excluded.xxh3_block_size, sha256_checked = excluded.sha256_checked,"
          " missing_since = NULL"
          " RETURNING id")),
      m_update(db.prepare(
          "UPDATE objects SET size = ?, mtime_ns = ?, etag = ?, version_id = ?, retain_until = ?,"
          " sha256 = ?, kind = ?, detail = ?, problem = ?, last_seen = ?, last_scan_id = ?,"
          " last_hashed = ?, xxh3_128 = ?, xxh3_blocks = ?, xxh3_block_size = ?,"
          " sha256_checked = ?, missing_since = NULL WHERE id = ?"))
{
}

std::optional<KnownObject> ObjectRecords::find(const std::string& key)
{
  m_find.bind_all(m_repository_id, key);
  std::optional<KnownObject> out;
  if (m_find.step())
    out = KnownObject{m_find.int64(0),     static_cast<std::uint64_t>(m_find.int64(1)),
                      m_find.int64(2),     m_find.text(3),
                      m_find.opt_text(4),  m_find.int64(5) != 0,
                      m_find.int64(6) != 0};
  m_find.reset();
  return out;
}

void ObjectRecords::mark_seen(const KnownObject& known)
{
  m_seen.bind_all(m_now, m_scan_id, known.id).run();
}

RecordOutcome ObjectRecords::record(const ReadResult& r, const std::optional<KnownObject>& previous)
{
  const auto& c = r.classification;
  const bool readable = r.read_error.empty();
  std::optional<std::string> sha = readable ? std::optional(r.sha256) : std::nullopt;
  std::optional<std::string> detail =
      c.detail.is_null() ? std::nullopt : std::optional(c.detail.dump());
  std::optional<std::string> problem;
  if (!readable)
    problem = r.read_error;
  else if (!c.problem.empty())
    problem = c.problem;
  std::optional<std::string> hashed = readable ? std::optional(m_now) : std::nullopt;
  auto opt = [](const std::string& s) {
    return s.empty() ? std::optional<std::string>() : std::optional(s);
  };
  const std::optional<std::string> xxh3 = readable ? opt(r.fast.whole) : std::nullopt;
  const std::optional<std::string> xxh3_blocks = readable ? opt(r.fast.blocks) : std::nullopt;
  const std::optional<std::int64_t> block_size =
      xxh3 ? std::optional<std::int64_t>(kFastBlockBytes) : std::nullopt;
  const auto& info = r.info;
  if (!readable && previous && previous->sha256) {
    // Not being allowed to read it says nothing about its bytes: keep the
    // hash, kind and WAL facts the catalog had, and note the problem.
    m_db.prepare(
            "UPDATE objects SET problem = ?, last_seen = ?, last_scan_id = ?, missing_since = NULL"
            " WHERE id = ?")
        .bind_all(problem, m_now, m_scan_id, previous->id)
        .run();
    return RecordOutcome::Unreadable;
  }
  std::int64_t id;
  if (previous) {
    id = previous->id;
    m_update
        .bind_all(info.size, info.mtime_ns, opt(info.etag), opt(info.version_id),
                  opt(info.retain_until), sha, readable ? c.kind : std::string(kind::other), detail,
                  problem, m_now, m_scan_id, hashed, xxh3, xxh3_blocks, block_size, hashed, id)
        .run();
  } else {
    m_insert.bind_all(m_repository_id, info.key, info.size, info.mtime_ns, opt(info.etag),
                      opt(info.version_id), opt(info.retain_until), sha,
                      readable ? c.kind : std::string(kind::other), detail, problem, m_now, m_now,
                      m_scan_id, hashed, xxh3, xxh3_blocks, block_size, hashed);
    m_insert.step();
    id = m_insert.int64(0);
    m_insert.reset();
  }
  record_wal_facts(id, readable ? c : Classification{});
  if (!readable) return RecordOutcome::Unreadable;
  if (!previous) return RecordOutcome::New;
  if (previous->sha256 && *previous->sha256 != r.sha256) {
    write_audit(m_db, "scan.object_changed", info.key, Severity::Warning,
                {{"repository_id", m_repository_id},
                 {"old_sha256", *previous->sha256},
                 {"new_sha256", r.sha256},
                 {"old_size", previous->size},
                 {"new_size", info.size},
                 {"same_size_and_mtime",
                  previous->size == info.size && previous->mtime_ns == info.mtime_ns}});
    return RecordOutcome::Changed;
  }
  return RecordOutcome::Rehashed;
}

void ObjectRecords::record_wal_facts(std::int64_t object_id, const Classification& c)
{
  m_db.prepare("DELETE FROM wal_segments WHERE object_id = ?").bind(1, object_id).run();
  m_db.prepare("DELETE FROM timeline_history WHERE object_id = ?").bind(1, object_id).run();
  m_db.prepare("DELETE FROM backup_history_files WHERE object_id = ?").bind(1, object_id).run();
  m_db.prepare("DELETE FROM backup_carried_wal WHERE object_id = ?").bind(1, object_id).run();
  const json& d = c.detail;
  if (d.is_object() && d.contains("carried_wal")) record_carried_wal(object_id, d["carried_wal"]);
  if (c.kind == kind::wal_segment || c.kind == kind::wal_partial) {
    std::optional<std::int64_t> cluster;
    std::uint64_t segment_size = pg::kDefaultWalSegmentSize;
    std::optional<std::int64_t> header_tli, header_addr;
    std::optional<std::string> problem;
    if (d.contains("header")) {
      const json& h = d["header"];
      if (pg::valid_segment_size(h["segment_size"].get<std::uint64_t>()))
        segment_size = h["segment_size"].get<std::uint64_t>();
      cluster = ensure_cluster(m_db, h["system_identifier"].get<std::string>(),
                               h["pg_major"].get<int>(), static_cast<std::uint32_t>(segment_size));
      header_tli = h["timeline"].get<std::int64_t>();
      header_addr = h["page_address"].get<std::int64_t>();
    }
    std::uint64_t segno = d["xlogid"].get<std::uint64_t>() * pg::segments_per_xlogid(segment_size) +
                          d["xlogseg"].get<std::uint64_t>();
    if (header_addr && static_cast<std::uint64_t>(*header_addr) != segno * segment_size)
      problem = "page address " + pg::Lsn{static_cast<std::uint64_t>(*header_addr)}.str() +
                " does not match the file name (expected " + pg::Lsn{segno * segment_size}.str() +
                "): renamed or damaged segment";
    if (!c.problem.empty()) problem = c.problem;
    m_db.prepare(
            "INSERT INTO wal_segments (object_id, cluster_id, timeline, segno, segment_size, name,"
            " partial, compression, header_timeline, header_pageaddr, problem)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
        .bind_all(object_id, cluster, d["timeline"].get<std::int64_t>(), segno, segment_size,
                  d["name"].get<std::string>(), c.kind == kind::wal_partial ? 1 : 0,
                  d["compression"].get<std::string>(), header_tli, header_addr, problem)
        .run();
  } else if (c.kind == kind::wal_history) {
    auto insert = m_db.prepare("INSERT INTO timeline_history (object_id, timeline, parent_timeline,"
                               " switch_lsn, reason) VALUES (?, ?, ?, ?, ?)");
    for (const auto& e : d["entries"])
      insert
          .bind_all(object_id, d["timeline"].get<std::int64_t>(),
                    e["parent_timeline"].get<std::int64_t>(), e["switch_lsn"].get<std::int64_t>(),
                    e["reason"].get<std::string>())
          .run();
  } else if (c.kind == kind::wal_backup_history) {
    const json& b = d["backup"];
    auto get_int = [&](const char* k) {
      return b.contains(k) ? std::optional(b[k].get<std::int64_t>()) : std::nullopt;
    };
    auto get_text = [&](const char* k) {
      return b.contains(k) ? std::optional(b[k].get<std::string>()) : std::nullopt;
    };
    m_db.prepare("INSERT INTO backup_history_files (object_id, start_lsn, stop_lsn, start_timeline,"
                 " stop_timeline, start_time, stop_time, label) VALUES (?, ?, ?, ?, ?, ?, ?, ?)")
        .bind_all(object_id, b["start_lsn"].get<std::int64_t>(), get_int("stop_lsn"),
                  get_int("start_timeline"), get_int("stop_timeline"), get_text("start_time"),
                  get_text("stop_time"), get_text("label"))
        .run();
  }
}

void ObjectRecords::record_carried_wal(std::int64_t object_id, const json& entries)
{
  auto insert = m_db.prepare(
      "INSERT INTO backup_carried_wal (object_id, name, timeline, segno, segment_size,"
      " system_identifier, problem) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING");
  for (const auto& e : entries) {
    std::uint64_t segment_size = pg::kDefaultWalSegmentSize;
    std::optional<std::string> sysid, problem;
    std::optional<std::uint64_t> page_address;
    if (e.contains("header")) {
      const json& h = e["header"];
      if (pg::valid_segment_size(h["segment_size"].get<std::uint64_t>()))
        segment_size = h["segment_size"].get<std::uint64_t>();
      sysid = h["system_identifier"].get<std::string>();
      page_address = h["page_address"].get<std::uint64_t>();
    } else {
      problem = "no valid WAL page header at offset 0";
    }
    std::uint64_t segno = e["xlogid"].get<std::uint64_t>() * pg::segments_per_xlogid(segment_size) +
                          e["xlogseg"].get<std::uint64_t>();
    if (page_address && *page_address != segno * segment_size)
      problem = "page address " + pg::Lsn{*page_address}.str() +
                " does not match the file name: renamed or damaged segment";
    else if (e["size"].get<std::uint64_t>() != segment_size)
      problem = "holds " + std::to_string(e["size"].get<std::uint64_t>()) +
                " bytes, not a whole segment of " + std::to_string(segment_size);
    insert
        .bind_all(object_id, e["name"].get<std::string>(), e["timeline"].get<std::int64_t>(), segno,
                  segment_size, sysid, problem)
        .run();
  }
}

std::int64_t count_objects_with_problems(Database& db, const std::string& as_of)
{
  auto s = db.prepare("SELECT count(*) FROM objects WHERE problem IS NOT NULL AND first_seen <= ?"
                      " AND missing_since IS NULL AND deleted_at IS NULL");
  s.bind(1, as_of);
  s.step();
  return s.int64(0);
}

} // namespace lastgood::catalog
