#include "storage/repository_check.hpp"

#include "common/error.hpp"
#include "storage/fs_storage.hpp"

#include <filesystem>
#include <system_error>
#include <unistd.h>

namespace lastgood::storage {

namespace {

constexpr const char* kAnyway = "; or give --no-check to register it anyway";

void check_local_root(const std::string& root)
{
  namespace fs = std::filesystem;
  std::error_code ec;
  const auto status = fs::status(root, ec);
  if (!fs::exists(status))
    throw UsageError("repository path " + root +
                     " does not exist: fix the path, or create it (mkdir -p " + root + ")" +
                     kAnyway);
  if (!fs::is_directory(status))
    throw UsageError("repository path " + root +
                     " is not a directory: give the directory the backups are in" + kAnyway);
  if (::access(root.c_str(), R_OK | X_OK) != 0)
    throw UsageError("repository path " + root + " is not readable by this user (uid " +
                     std::to_string(::geteuid()) +
                     "): grant read and execute on it, or run lastgood as its owner" + kAnyway);
}

// Stops a listing at its first object: one request answers the question.
struct FirstObjectSeen
{
};

} // namespace

void check_repository_reachable(Storage& storage)
{
  if (const auto* local = dynamic_cast<const FsStorage*>(&storage)) {
    check_local_root(local->root());
    return;
  }
  try {
    storage.list(
        "", [](const ObjectInfo&) { throw FirstObjectSeen{}; }, [](const ListProblem&) {});
  } catch (const FirstObjectSeen&) {
  } catch (const StorageError& e) {
    // e.what() names the repository's URL already.
    throw StorageError(std::string("the repository did not answer a list request: ") + e.what() +
                       "; check the bucket, region, endpoint and credentials (docs/s3.md)" +
                       kAnyway);
  }
}

} // namespace lastgood::storage
