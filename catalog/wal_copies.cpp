#include "catalog/wal_copies.hpp"

#include "catalog/key_range.hpp"

namespace lastgood::catalog {

namespace {

constexpr const char* kUsable =
    " AND o.missing_since IS NULL AND o.deleted_at IS NULL AND r.removed_at IS NULL";

ArchivedCopy read_copy(Statement& s)
{
  ArchivedCopy c;
  c.key = s.text(0);
  c.repository_url = s.text(1);
  c.repository = s.text(2);
  c.compression = s.text(3);
  c.sha256 = s.opt_text(4);
  c.size = static_cast<std::uint64_t>(s.int64(5));
  c.segment_size = static_cast<std::uint64_t>(s.int64(6));
  c.system_identifier = s.text(7);
  return c;
}

std::string compression_of_key(const std::string& key)
{
  if (key.ends_with(".gz")) return "gz";
  if (key.ends_with(".zst")) return "zst";
  return "";
}

} // namespace

std::vector<ArchivedCopy> archived_segment_copies(Database& db, const std::string& name)
{
  auto s = db.prepare(
      std::string("SELECT o.key, r.url, r.name, ws.compression, o.sha256, o.size, ws.segment_size,"
                  " coalesce(c.system_identifier, ''), o.repository_id"
                  " FROM wal_segments ws JOIN objects o ON o.id = ws.object_id"
                  " JOIN repositories r ON r.id = o.repository_id"
                  " LEFT JOIN clusters c ON c.id = ws.cluster_id"
                  " WHERE ws.name = ?1 AND ws.partial = 0 AND ws.problem IS NULL"
                  " AND o.problem IS NULL") +
      kUsable + " ORDER BY (ws.compression = '') DESC, o.id DESC");
  s.bind(1, name);
  // The cluster most segments directly in the same directory belong to.
  auto owner = db.prepare(
      "SELECT c.system_identifier FROM wal_segments ws JOIN objects o ON o.id = ws.object_id"
      " JOIN clusters c ON c.id = ws.cluster_id"
      " WHERE o.repository_id = ?1 AND o.key >= ?2 AND o.key < ?3"
      " AND instr(substr(o.key, length(?2) + 1), '/') = 0"
      " AND o.missing_since IS NULL AND o.deleted_at IS NULL"
      " GROUP BY c.id ORDER BY count(*) DESC, c.id LIMIT 1");
  std::vector<ArchivedCopy> out;
  while (s.step()) {
    auto copy = read_copy(s);
    auto slash = copy.key.rfind('/');
    std::string dir = slash == std::string::npos ? "" : copy.key.substr(0, slash + 1);
    owner.reset();
    owner.bind_all(s.int64(8), dir, dir.empty() ? after_every_key(db) : dir.substr(0, slash) + "0");
    if (owner.step()) copy.dir_owner = owner.text(0);
    owner.reset();
    out.push_back(std::move(copy));
  }
  return out;
}

std::vector<ArchivedCopy> archived_history_copies(Database& db, const std::string& name)
{
  auto s = db.prepare(
      std::string("SELECT DISTINCT o.key, r.url, r.name, '', o.sha256, o.size, 0,"
                  " coalesce(c.system_identifier, ''), o.id"
                  " FROM objects o JOIN repositories r ON r.id = o.repository_id"
                  " LEFT JOIN timeline_history th ON th.object_id = o.id"
                  " LEFT JOIN clusters c ON c.id = th.cluster_id"
                  " WHERE o.kind = 'wal_history' AND (o.key = ?1 OR o.key LIKE '%/' || ?1"
                  " OR o.key = ?1 || '.gz' OR o.key LIKE '%/' || ?1 || '.gz'"
                  " OR o.key = ?1 || '.zst' OR o.key LIKE '%/' || ?1 || '.zst')") +
      kUsable + " ORDER BY o.id DESC");
  s.bind(1, name);
  std::vector<ArchivedCopy> out;
  while (s.step()) {
    auto copy = read_copy(s);
    copy.compression = compression_of_key(copy.key);
    out.push_back(std::move(copy));
  }
  return out;
}

} // namespace lastgood::catalog
