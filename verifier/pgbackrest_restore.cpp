#include "common/cipher_pass.hpp"
#include "common/error.hpp"
#include "formats/pgbackrest/materialise.hpp"
#include "formats/pgbackrest/stanza.hpp"
#include "verifier/object_access.hpp"
#include "verifier/pgbackrest_levels.hpp"

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <unistd.h>

namespace lastgood::verifier {

namespace {

namespace fk = finding_kind;
namespace fs = std::filesystem;
namespace pgbr = formats::pgbackrest;

void hand_over(const fs::path& root, const Owner& owner)
{
  auto give = [&](const fs::path& p) {
    if (::lchown(p.c_str(), owner.uid, owner.gid) != 0)
      throw Error("cannot hand " + p.string() + " to the server's user: " + std::strerror(errno));
  };
  give(root);
  for (const auto& entry : fs::recursive_directory_iterator(root))
    give(entry.path());
}

// pgBackRest 2.46+'s block-incremental maps are not read by materialise:
// saying so is not evidence against the backup.
bool block_incremental(const pgbr::Manifest& m)
{
  if (m.block_incremental) return true;
  for (const auto& f : m.files)
    if (f.block_incremental) return true;
  return false;
}

// The stored object a FileDamagedError names ("<file> (stored in <key>[ at
// offset N])..."), else the backup's directory.
std::string stored_key(const std::string& message, const catalog::BackupRow& backup)
{
  const std::string marker = " (stored in ";
  const auto at = message.find(marker);
  if (at == std::string::npos) return backup.root_key;
  const auto start = at + marker.size();
  const auto end = message.find_first_of(" )", start);
  return end == std::string::npos ? backup.root_key : message.substr(start, end - start);
}

} // namespace

ExtractResult materialise_pgbackrest_backup(storage::Storage& repo,
                                            const catalog::BackupRow& backup,
                                            const std::string& data_dir, std::optional<Owner> owner,
                                            const std::optional<std::string>& repo_passphrase)
{
  ExtractResult result;
  std::error_code ignored;
  const bool existed = fs::exists(data_dir, ignored);
  // Only what this call wrote is ever removed again.
  const bool was_empty = !existed || fs::is_empty(data_dir, ignored);
  try {
    const auto place = pgbackrest_place(backup);
    const auto info = pgbr::read_stanza(repo, place.stanza, repo_passphrase);
    if (block_incremental(
            pgbr::load_manifest(repo, place.stanza, place.label, info.backup.cipher_pass)
                .manifest)) {
      result.findings.add(fk::restore_failed, Severity::Error, backup.root_key,
                          "backup " + place.label +
                              " is block-incremental (.pgbi maps), which lastgood does not "
                              "materialise yet: nothing is known about its restore; test it with "
                              "pgbackrest restore");
      return result;
    }
    auto written =
        pgbr::materialise_backup(repo, place.stanza, place.label, data_dir, repo_passphrase);
    result.files = written.files;
    result.bytes = written.bytes;
    fs::permissions(data_dir, fs::perms::owner_all, fs::perm_options::replace);
    if (owner) hand_over(data_dir, *owner);
  } catch (const pgbr::FileDamagedError& e) {
    result.findings.add(fk::manifest_mismatch, Severity::Failure, stored_key(e.what(), backup),
                        std::string(e.what()) + ": the backup cannot be restored");
  } catch (const NotFoundError& e) {
    result.findings.add(fk::missing_object, Severity::Failure, backup.root_key,
                        std::string(e.what()) + ": the backup cannot be restored");
  } catch (const pgbr::PassphraseError& e) {
    result.findings.add(fk::unreadable_object, Severity::Error, backup.root_key,
                        std::string("could not read the backup: ") + e.what() + "; " +
                            cipher_pass_hint(backup.repository));
  } catch (const ObjectUnreadable& e) {
    result.findings.add(unreadable_finding(e.key(), e.reason()));
  } catch (const ValidationError& e) {
    result.findings.add(fk::manifest_invalid, Severity::Failure, backup.root_key,
                        std::string(e.what()) + ": the backup cannot be restored");
  } catch (const StorageError& e) {
    result.findings.add(unreadable_finding(backup.root_key, e.what()));
  }
  // Nothing half-written is left behind (restore --pgdata names the user's directory).
  if (!result.ok() && was_empty) {
    if (!existed) {
      fs::remove_all(data_dir, ignored);
    } else if (fs::is_directory(data_dir, ignored)) {
      for (const auto& entry : fs::directory_iterator(data_dir, ignored))
        fs::remove_all(entry.path(), ignored);
    }
  }
  return result;
}

} // namespace lastgood::verifier
