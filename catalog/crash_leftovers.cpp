#include "catalog/crash_leftovers.hpp"

#include "catalog/audit.hpp"
#include "catalog/s3_upload_leftovers.hpp"
#include "common/error.hpp"
#include "common/owned_temp.hpp"
#include "pg/scratch_cluster.hpp"
#include "storage/fs_storage.hpp"
#include "storage/temp_files.hpp"

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <sys/stat.h>
#include <unistd.h>

namespace lastgood::catalog {

namespace fs = std::filesystem;

namespace {

// The kinds of "lastgood-<kind>-<pid>-*" dirs in $TMPDIR holding no server
// (scratch clusters go through pg::remove_stale_scratch_clusters).
const std::vector<std::string> kPlainTempDirKinds = {"backup", "copy", "stream", "waldump"};

nlohmann::json audit_detail(const Leftover& l)
{
  return {{"where", l.where},
          {"owner_pid", l.owner_pid},
          {"bytes", l.bytes},
          {"why", "its owner, process " + std::to_string(l.owner_pid) +
                      " on this machine, is gone: left by a killed or crashed run"}};
}

std::uint64_t tree_bytes(const std::string& dir)
{
  std::uint64_t total = 0;
  std::error_code ec;
  for (fs::recursive_directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    std::error_code size_error;
    if (it->is_regular_file(size_error) && !it->is_symlink(size_error)) {
      auto size = it->file_size(size_error);
      if (!size_error) total += size;
    }
  }
  return total;
}

} // namespace

void LeftoverSweep::add(LeftoverSweep other)
{
  for (auto& l : other.removed)
    removed.push_back(std::move(l));
  for (auto& l : other.kept)
    kept.push_back(std::move(l));
}

LeftoverSweep sweep_repository_leftovers(Database& db, const Repository& repository,
                                         storage::Storage& storage)
{
  LeftoverSweep sweep;
  if (auto* s3 = dynamic_cast<storage::S3Storage*>(&storage))
    return sweep_s3_uploads(db, repository, *s3);
  auto* files = dynamic_cast<storage::FsStorage*>(&storage);
  if (!files) return sweep;
  for (const auto& temp : storage::find_temp_files(files->root())) {
    Leftover l{
        "temp file", repository.name, temp.relative, temp.size, temp.owner ? temp.owner->pid : 0,
        ""};
    if (!temp.owner) {
      l.note = "an older lastgood's temporary file (no owner recorded); remove it by hand when "
               "no lastgood writes to this repository";
    } else if (!storage::owner_is_dead(*temp.owner)) {
      l.note = temp.owner->host_tag == host_tag()
                   ? "a write in progress by process " + std::to_string(temp.owner->pid)
                   : "a write by process " + std::to_string(temp.owner->pid) +
                         " on another machine (host tag " + temp.owner->host_tag + ")";
    } else {
      write_audit(db, "cleanup.temp_file", repository.name + ":" + temp.relative, Severity::Warning,
                  audit_detail(l));
      if (::unlink(temp.path.c_str()) == 0 || errno == ENOENT) {
        sweep.removed.push_back(l);
        continue;
      }
      l.note = "could not remove it: " + std::string(std::strerror(errno));
    }
    sweep.kept.push_back(l);
  }
  return sweep;
}

LeftoverSweep sweep_local_leftovers(Database& db)
{
  LeftoverSweep sweep;
  const std::string base = temp_base_dir();
  for (const auto& dir : find_owned_temp_dirs(base, kPlainTempDirKinds)) {
    if (process_alive(dir.pid)) continue; // a run still going
    struct stat st;
    if (::lstat(dir.path.c_str(), &st) != 0) continue;
    if (::geteuid() != 0 && st.st_uid != ::geteuid()) continue; // not ours to judge
    Leftover l{"temp directory", "$TMPDIR", dir.path, tree_bytes(dir.path), dir.pid, ""};
    write_audit(db, "cleanup.temp_dir", dir.path, Severity::Warning, audit_detail(l));
    std::error_code ec;
    fs::remove_all(dir.path, ec);
    if (ec) {
      l.note = "could not remove it: " + ec.message();
      sweep.kept.push_back(l);
    } else {
      sweep.removed.push_back(l);
    }
  }
  pg::remove_stale_scratch_clusters(base, [&](const std::string& path, pid_t owner) {
    Leftover l{"scratch cluster", "$TMPDIR", path, tree_bytes(path), owner, ""};
    write_audit(db, "cleanup.scratch_cluster", path, Severity::Warning, audit_detail(l));
    sweep.removed.push_back(l);
  });
  return sweep;
}

LeftoverSweep sweep_crash_leftovers(Database& db)
{
  LeftoverSweep sweep = sweep_local_leftovers(db);
  for (const auto& repository : list_repositories(db)) {
    try {
      auto storage = storage::open_storage(repository.url);
      sweep.add(sweep_repository_leftovers(db, repository, *storage));
    } catch (const Error&) {
      // The command's own use of the repository reports what is wrong with it.
    }
  }
  return sweep;
}

} // namespace lastgood::catalog
