#include "compliance/retention_apply.hpp"

#include "catalog/audit.hpp"
#include "catalog/holds.hpp"
#include "catalog/repositories.hpp"
#include "catalog/retention_lock.hpp"
#include "catalog/retention_queries.hpp"
#include "common/error.hpp"
#include "storage/storage.hpp"

#include <algorithm>
#include <filesystem>
#include <map>
#include <memory>
#include <unistd.h>

namespace lastgood::compliance {

namespace {

// What the operator can do about a refusal; judged from what storage said,
// without the key (a key such as "locked/x.dump" must not read as a lock).
std::string advice_for(const std::string& key, std::string message, bool transient)
{
  if (transient) return "a temporary storage error; run 'lastgood retention apply' again later";
  for (auto at = message.find(key); !key.empty() && at != std::string::npos; at = message.find(key))
    message.erase(at, key.size());
  auto has = [&](const char* s) { return message.find(s) != std::string::npos; };
  if (has("object lock") || has("Object Lock") || has("ObjectLock") || has("WORM") ||
      has("retention period"))
    return "the object is under a storage lock (object lock/WORM); it can only go once the lock "
           "expires, after "
           "'lastgood scan' records the retain-until";
  if (has("ermission") || has("ccess") || has("denied") || has("Forbidden") || has("read-only"))
    return "give the user running lastgood permission to delete in this repository (file "
           "permissions, bucket "
           "policy), then run 'lastgood retention apply' again";
  return "fix the cause above, then run 'lastgood retention apply' again; everything else was done";
}

class Deleter
{
public:
  Deleter(catalog::Database& db, ApplyResult& result) : m_db(db), m_result(result) {}

  // Removes one object and marks it; false when storage refused.
  bool remove(const std::string& repository, const std::string& subject, std::int64_t object_id,
              const std::string& key, std::uint64_t size)
  {
    try {
      auto& storage = storage_for(repository);
      storage.remove(key);
      prune_empty_directories(storage, key);
      ++m_result.objects_deleted;
      m_result.bytes_freed += size;
    } catch (const NotFoundError&) {
      ++m_result.objects_already_gone; // the goal is reached: nothing holds these bytes any more
    } catch (const StorageError& e) {
      refuse(repository, subject, key, e.what(), !e.permanent());
      return false;
    } catch (const UsageError& e) { // the repository cannot be opened any more
      refuse(repository, subject, key, e.what(), false);
      return false;
    }
    catalog::mark_object_deleted(m_db, object_id, now_text());
    return true;
  }

  std::string now_text() const { return format_rfc3339(now_seconds()); }

  // After a directory backup's objects are gone: the empty directories left
  // under its root (PostgreSQL makes some that never held a file), the root,
  // and its parents that became empty.
  void prune_backup_root(const std::string& repository, const std::string& root_key)
  {
    try {
      auto& storage = storage_for(repository);
      auto path = storage.local_path(root_key);
      std::error_code ec;
      if (!path || !std::filesystem::is_directory(*path, ec)) return;
      std::vector<std::filesystem::path> dirs;
      for (auto it = std::filesystem::recursive_directory_iterator(*path, ec);
           !ec && it != std::filesystem::recursive_directory_iterator(); it.increment(ec))
        if (it->is_directory(ec) && !it->is_symlink(ec)) dirs.push_back(it->path());
      std::sort(dirs.begin(), dirs.end(),
                [](const auto& a, const auto& b) { return a.native().size() > b.native().size(); });
      for (const auto& d : dirs)
        ::rmdir(d.c_str());
      prune_empty_directories(storage, root_key + "/_"); // the root itself, then its parents
    } catch (const Error&) {
      // Tidying up is best effort; the objects themselves are already gone.
    }
  }

private:
  storage::Storage& storage_for(const std::string& repository)
  {
    auto& slot = m_storages[repository];
    if (!slot) {
      auto repo = catalog::find_repository(m_db, repository);
      if (!repo) throw UsageError("repository '" + repository + "' is no longer registered");
      slot = storage::open_storage(repo->url);
    }
    return *slot;
  }

  // A file repository keeps directories; the ones a deletion left empty go
  // too (up to the repository root), so a deleted directory backup leaves no
  // tree of empty folders behind. rmdir never removes a non-empty directory.
  static void prune_empty_directories(storage::Storage& storage, const std::string& key)
  {
    auto path = storage.local_path(key);
    if (!path || path->size() <= key.size()) return;
    const std::filesystem::path root = path->substr(0, path->size() - key.size());
    std::filesystem::path dir = std::filesystem::path(*path).parent_path();
    while (dir.string().size() > root.string().size() &&
           dir.string().rfind(root.string(), 0) == 0) {
      if (::rmdir(dir.c_str()) != 0) break;
      dir = dir.parent_path();
    }
  }

  void refuse(const std::string& repository, const std::string& subject, const std::string& key,
              const std::string& message, bool transient)
  {
    RefusedDeletion r{repository, subject, key, message, advice_for(key, message, transient)};
    catalog::write_audit(m_db, "retention.delete_refused", key,
                         transient ? catalog::Severity::Warning : catalog::Severity::Error,
                         {{"repository", repository},
                          {"subject", subject},
                          {"message", message},
                          {"what_to_do", r.what_to_do}});
    m_result.refused.push_back(std::move(r));
  }

  catalog::Database& m_db;
  ApplyResult& m_result;
  std::map<std::string, std::unique_ptr<storage::Storage>> m_storages;
};

void delete_backup(catalog::Database& db, Deleter& deleter, const BackupFacts& b,
                   const BackupDecision& d, ApplyResult& result)
{
  // Another apply (they take turns) deleted it since this plan was made.
  if (catalog::backup_deleted(db, b.row_id)) {
    result.already_deleted_backups.push_back(b.backup_id);
    return;
  }
  // A hold put on it since the plan was made still protects it.
  if (catalog::backup_held_at(db, b.row_id, deleter.now_text())) {
    result.skipped_backups.push_back(b.backup_id);
    return;
  }
  const auto objects = catalog::live_backup_objects(db, b.row_id);
  catalog::write_audit(db, "retention.delete_backup", b.backup_id, catalog::Severity::Info,
                       {{"repository", b.repository},
                        {"reasons", d.reasons},
                        {"objects", objects.size()},
                        {"size_bytes", b.size_bytes}});
  bool all = true;
  for (const auto& o : objects)
    all = deleter.remove(b.repository, b.backup_id, o.id, o.key, o.size) && all;
  if (!all) {
    result.partly_deleted_backups.push_back(b.backup_id);
    return;
  }
  catalog::mark_backup_deleted(db, b.row_id, deleter.now_text());
  deleter.prune_backup_root(b.repository, b.root_key);
  result.deleted_backups.push_back(b.backup_id);
}

} // namespace

ApplyResult apply_retention(catalog::Database& db, const RetentionPlan& plan)
{
  catalog::RetentionLock lock(db);
  ApplyResult result;
  catalog::write_audit(db, "retention.apply",
                       std::to_string(plan.backups_to_delete) + " backups, " +
                           std::to_string(plan.wal_segments_to_delete) + " WAL segments",
                       catalog::Severity::Info, summary_json(plan));
  Deleter deleter(db, result);
  for (std::size_t i = 0; i < plan.backups.size(); ++i)
    if (!plan.decisions[i].keep)
      delete_backup(db, deleter, plan.backups[i], plan.decisions[i], result);
  for (const auto& range : plan.wal_decision.delete_ranges) {
    const auto subject = range.first + ".." + range.last;
    // Another apply since the plan was made may have deleted the whole range.
    if (std::all_of(range.segments.begin(), range.segments.end(), [&](auto index) {
          return catalog::object_deleted(db, plan.wal[index].object_id);
        }))
      continue;
    catalog::write_audit(db, "retention.delete_wal", subject, catalog::Severity::Info,
                         {{"repository", range.repository},
                          {"system_identifier", range.system_identifier},
                          {"timeline", range.timeline},
                          {"segments", range.segments.size()},
                          {"bytes", range.bytes}});
    for (auto index : range.segments) {
      const auto& segment = plan.wal[index];
      if (catalog::object_deleted(db, segment.object_id)) continue;
      if (deleter.remove(range.repository, subject, segment.object_id, segment.key, segment.size))
        ++result.wal_segments_deleted;
    }
  }
  return result;
}

nlohmann::json to_json(const ApplyResult& r)
{
  nlohmann::json refused = nlohmann::json::array();
  for (const auto& x : r.refused)
    refused.push_back({{"repository", x.repository},
                       {"subject", x.subject},
                       {"key", x.key},
                       {"message", x.message},
                       {"what_to_do", x.what_to_do}});
  return {{"deleted_backups", r.deleted_backups},
          {"partly_deleted_backups", r.partly_deleted_backups},
          {"skipped_backups", r.skipped_backups},
          {"already_deleted_backups", r.already_deleted_backups},
          {"objects_deleted", r.objects_deleted},
          {"objects_already_gone", r.objects_already_gone},
          {"wal_segments_deleted", r.wal_segments_deleted},
          {"bytes_freed", r.bytes_freed},
          {"refused", refused},
          {"complete", r.refused.empty()}};
}

} // namespace lastgood::compliance
