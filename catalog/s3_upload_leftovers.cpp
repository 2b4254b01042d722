#include "catalog/s3_upload_leftovers.hpp"

#include "catalog/audit.hpp"
#include "common/error.hpp"
#include "common/owned_temp.hpp"
#include "common/time.hpp"
#include "storage/s3_uploads.hpp"

#include <map>
#include <set>
#include <spdlog/spdlog.h>

namespace lastgood::catalog {

namespace {

std::string directory_of(const std::string& key)
{
  const auto slash = key.rfind('/');
  return slash == std::string::npos ? std::string() : key.substr(0, slash + 1);
}

bool older_than_grace(const std::string& initiated)
{
  if (initiated.size() < 19) return false; // unknown age: keep it
  try {
    return now_seconds() - parse_rfc3339(initiated.substr(0, 19) + "Z") > kForeignUploadGrace;
  } catch (const ValidationError&) {
    return false;
  }
}

// Empty when the upload may be aborted, else why it stays.
std::string why_kept(const storage::TempFileOwner& owner, const std::string& initiated)
{
  if (owner.host_tag == host_tag())
    return process_alive(owner.pid)
               ? "an upload in progress by process " + std::to_string(owner.pid)
               : std::string();
  if (older_than_grace(initiated)) return {};
  return "an upload by process " + std::to_string(owner.pid) + " on another machine (host tag " +
         owner.host_tag + "), started " + initiated + ": younger than " +
         format_duration(kForeignUploadGrace) + ", it may still be going";
}

nlohmann::json audit_detail(const Leftover& l, const storage::TempFileOwner& owner,
                            const std::string& upload_id, const std::string& initiated)
{
  const bool here = owner.host_tag == host_tag();
  return {{"where", l.where},
          {"owner_pid", owner.pid},
          {"owner_host_tag", owner.host_tag},
          {"upload_id", upload_id},
          {"initiated", initiated},
          {"why", here ? "its owner, process " + std::to_string(owner.pid) +
                             " on this machine, is gone: left by a killed or crashed run"
                       : "started on another machine more than " +
                             format_duration(kForeignUploadGrace) + " ago and never finished"}};
}

} // namespace

namespace {

LeftoverSweep sweep_uploads(Database& db, const Repository& repository, storage::S3Storage& storage)
{
  LeftoverSweep sweep;
  auto& client = storage.client();
  const auto uploads = storage::list_open_uploads(client);
  if (!uploads) {
    spdlog::debug("{} does not list multipart uploads (ListMultipartUploads not implemented); "
                  "unfinished uploads of killed runs are not cleaned there",
                  storage.display_url());
    return sweep;
  }
  std::set<std::string> directories;
  std::set<std::string> open_ids;
  for (const auto& u : *uploads) {
    directories.insert(directory_of(u.key));
    open_ids.insert(u.upload_id);
  }
  // Markers next to open uploads say which are ours, and whose.
  std::map<std::string, storage::UploadMarker> marker_of_upload;
  std::vector<storage::UploadMarker> stale_markers;
  for (const auto& dir : directories)
    for (auto& m : storage::find_upload_markers(client, dir)) {
      if (open_ids.contains(m.upload_id))
        marker_of_upload.emplace(m.upload_id, std::move(m));
      else
        stale_markers.push_back(std::move(m));
    }

  for (const auto& u : *uploads) {
    std::optional<storage::TempFileOwner> owner;
    const auto marker = marker_of_upload.find(u.upload_id);
    if (marker != marker_of_upload.end()) owner = marker->second.owner;
    // A key that itself carries the temporary marker is lastgood's too.
    if (!owner) owner = storage::temp_file_owner(u.key.substr(directory_of(u.key).size()));
    if (!owner) continue; // another tool's upload: not ours to judge
    Leftover l{"multipart upload",           repository.name, u.key, 0, owner->pid,
               why_kept(*owner, u.initiated)};
    if (!l.note.empty()) {
      sweep.kept.push_back(l);
      continue;
    }
    write_audit(db, "cleanup.multipart_upload", repository.name + ":" + u.key, Severity::Warning,
                audit_detail(l, *owner, u.upload_id, u.initiated));
    try {
      storage::abort_upload(client, u.key, u.upload_id);
      if (marker != marker_of_upload.end())
        storage::remove_upload_marker(client, marker->second.key);
      sweep.removed.push_back(l);
    } catch (const StorageError& e) {
      l.note = std::string("could not abort it: ") + e.what();
      sweep.kept.push_back(l);
    }
  }
  // A marker whose upload is gone (completed or aborted just before a kill).
  for (const auto& m : stale_markers) {
    if (!storage::owner_is_dead(m.owner)) continue;
    try {
      storage::remove_upload_marker(client, m.key);
    } catch (const StorageError&) {
      // The next sweep tries again; a marker costs a few bytes.
    }
  }
  return sweep;
}

} // namespace

LeftoverSweep sweep_s3_uploads(Database& db, const Repository& repository,
                               storage::S3Storage& storage)
{
  try {
    return sweep_uploads(db, repository, storage);
  } catch (const StorageError& e) {
    // Cleaning is a courtesy to the bucket: it must not stop the command's own work
    // (a policy without s3:ListBucketMultipartUploads, say).
    spdlog::warn("{}; unfinished multipart uploads of killed runs were not cleaned this time",
                 e.what());
    return {};
  }
}

} // namespace lastgood::catalog
