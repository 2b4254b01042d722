#include "catalog/backup_membership.hpp"

#include "catalog/key_range.hpp"

#include <set>

namespace lastgood::catalog {

namespace {

std::string parent_dir(const std::string& key)
{
  auto slash = key.rfind('/');
  return slash == std::string::npos ? std::string() : key.substr(0, slash);
}

} // namespace

std::vector<UnbuiltMember> objects_missing_from_backups(Database& db, std::int64_t repository_id,
                                                        std::size_t limit)
{
  std::vector<UnbuiltMember> out;
  // A dump file is its own backup (catalog/backup_builder: logical_from_file).
  auto files = db.prepare(
      "SELECT o.key, EXISTS (SELECT 1 FROM backups b WHERE b.repository_id = o.repository_id"
      " AND b.root_key = o.key) FROM objects o"
      " WHERE o.repository_id = ?1 AND o.missing_since IS NULL AND o.deleted_at IS NULL"
      " AND o.kind IN ('custom_dump', 'tar_dump', 'plain_dump')"
      " AND NOT EXISTS (SELECT 1 FROM backups b JOIN backup_objects bo ON bo.backup_id = b.id"
      " WHERE b.repository_id = o.repository_id AND b.root_key = o.key AND bo.object_id = o.id)"
      " ORDER BY o.key");
  files.bind(1, repository_id);
  while (out.size() < limit && files.step())
    out.push_back({files.text(0), files.text(0), files.int64(1) != 0});
  if (out.size() >= limit) return out;

  // A directory dump (toc.dat) or a base backup (backup_label, base.tar) is
  // its directory: every file under it is a member.
  auto roots =
      db.prepare("SELECT key FROM objects WHERE repository_id = ? AND missing_since IS NULL"
                 " AND deleted_at IS NULL AND kind IN ('dump_toc', 'backup_label', 'base_tar')"
                 " ORDER BY key");
  roots.bind(1, repository_id);
  std::set<std::string> dirs;
  while (roots.step())
    dirs.insert(parent_dir(roots.text(0)));
  auto backup = db.prepare("SELECT id FROM backups WHERE repository_id = ? AND root_key = ?");
  auto strays = db.prepare("SELECT o.key FROM objects o WHERE o.repository_id = ? AND o.key >= ?"
                           " AND o.key < ? AND o.missing_since IS NULL AND o.deleted_at IS NULL"
                           " AND NOT EXISTS (SELECT 1 FROM backup_objects bo WHERE bo.backup_id = ?"
                           " AND bo.object_id = o.id) ORDER BY o.key");
  for (const auto& dir : dirs) {
    backup.bind_all(repository_id, dir);
    const bool exists = backup.step();
    const std::int64_t backup_id = exists ? backup.int64(0) : -1;
    backup.reset();
    const std::string low = dir.empty() ? std::string() : dir + "/";
    const std::string high = dir.empty() ? after_every_key(db) : dir + "0"; // '0' follows '/'
    strays.bind_all(repository_id, low, high, backup_id);
    while (out.size() < limit && strays.step())
      out.push_back({strays.text(0), dir, exists});
    strays.reset();
    if (out.size() >= limit) break;
  }
  return out;
}

} // namespace lastgood::catalog
