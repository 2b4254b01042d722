#include "verifier/barman_levels.hpp"

#include "common/error.hpp"
#include "formats/barman/materialise.hpp"
#include "formats/barman/server_directory.hpp"
#include "formats/barman/wal_range_check.hpp"
#include "pg/backup_manifest.hpp"
#include "verifier/checksum_object.hpp"
#include "verifier/manifest_verifier.hpp"
#include "verifier/sha256_schedule.hpp"

#include <algorithm>
#include <filesystem>
#include <memory>
#include <unistd.h>

namespace lastgood::verifier {

namespace {

namespace barman = formats::barman;
namespace fs = std::filesystem;

constexpr std::size_t kManifestLimit = std::size_t{1} << 30;

bool all_digits(std::string_view s)
{
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// "base.tar.gz" -> "base"; nullopt when not a tar name.
std::optional<std::string> tar_stem(std::string_view name)
{
  for (std::string_view suffix : {".tar", ".tar.gz", ".tar.lz4", ".tar.zst", ".tgz"})
    if (name.ends_with(suffix) && name.size() > suffix.size())
      return std::string(name.substr(0, name.size() - suffix.size()));
  return std::nullopt;
}

// Where a stored file of the backup lands in the data directory, for the
// manifest: data/X -> X; <oid>/Y -> pg_tblspc/<oid>/Y (Barman keeps
// tablespaces beside data/); data/base.tar* and data/<oid>.tar* by members.
void place_for_manifest(ObjectJob& job, const std::string& prefix)
{
  std::string_view relative = std::string_view(job.key).substr(prefix.size());
  if (relative.starts_with("data/")) {
    auto inside = relative.substr(5);
    if (inside.find('/') == std::string_view::npos) {
      if (auto stem = tar_stem(inside)) {
        if (*stem == "base") {
          job.content = ObjectContent::BaseTar;
        } else if (all_digits(*stem)) {
          job.content = ObjectContent::TablespaceTar;
          job.manifest_path = "pg_tblspc/" + *stem;
        }
        return;
      }
    }
    job.content = ObjectContent::DataFile;
    job.manifest_path = std::string(inside);
    return;
  }
  auto slash = relative.find('/');
  if (slash != std::string_view::npos && all_digits(relative.substr(0, slash))) {
    job.content = ObjectContent::DataFile;
    job.manifest_path = "pg_tblspc/" + std::string(relative);
  } // backup.info and anything else Barman keeps: the catalog's SHA-256 only
}

std::optional<pg::BackupManifest> load_manifest(storage::Storage& storage, const std::string& key,
                                                Findings& findings)
{
  std::string text;
  try {
    text = storage::read_all(storage, key, kManifestLimit);
  } catch (const NotFoundError&) {
    return std::nullopt; // the catalog check reports a cataloged manifest gone
  }
  try {
    auto manifest = pg::parse_backup_manifest(text);
    if (manifest.manifest_checksum_ok) return manifest;
    findings.add(finding_kind::manifest_invalid, Severity::Failure, key,
                 "'" + key +
                     "' does not match its own checksum, so the files were checked "
                     "against the catalog only; the manifest is damaged");
  } catch (const ValidationError& e) {
    findings.add(finding_kind::manifest_invalid, Severity::Failure, key,
                 "'" + key + "' does not parse (" + e.what() +
                     "), so the files were checked against the catalog only");
  }
  return std::nullopt;
}

// The backup's backup.info as Barman's reader sees it now, or a finding.
std::optional<barman::BarmanBackupInfo> backup_info_of(const barman::BarmanServer& server,
                                                       const catalog::BackupRow& backup,
                                                       Findings& findings)
{
  const std::string id = backup.label.value_or("");
  for (const auto& info : server.backups)
    if (info.backup_id == id) return info;
  std::string why = "it is gone";
  for (const auto& f : server.findings)
    if (f.object.find(id) != std::string::npos) why = f.message;
  findings.add(finding_kind::missing_object, Severity::Failure, backup.root_key + "/backup.info",
               "Barman's backup.info of backup " + id + " cannot be read (" + why +
                   "): without it neither Barman nor lastgood knows the backup's WAL range");
  return std::nullopt;
}

Finding finding_of(const barman::BarmanFinding& f, Severity severity = Severity::Failure)
{
  return {std::string(barman::to_string(f.kind)), severity, f.object, f.message, nullptr};
}

} // namespace

Findings verify_barman_checksums(storage::Storage& storage, const catalog::BackupRow& backup,
                                 const std::vector<catalog::BackupObjectRow>& objects,
                                 const ChecksumOptions& options, ChecksumStats* stats)
{
  const std::string prefix = backup.root_key + "/";
  const std::string manifest_key = prefix + "data/backup_manifest";
  Findings findings;
  std::vector<ObjectJob> work;
  bool has_manifest = false;
  for (const auto& object : objects) {
    // Barman rewrites backup.info as it likes (status, check-backup's verdict,
    // keep annotations): it is read at the structure level, not hashed.
    if (object.role == "barman_backup_info") continue;
    if (object.key == manifest_key) has_manifest = true;
    // XXH3-128 of first sight where the scan recorded one; SHA-256 when asked or due.
    const bool sha256 =
        options.cryptographic || sha256_due(object, options.sha256_every, options.now);
    work.push_back({object.key, object.size, object.sha256, true, ObjectContent::Opaque, "",
                    object.fast, sha256});
  }
  std::unique_ptr<ManifestVerifier> manifest;
  if (has_manifest) {
    if (auto parsed = load_manifest(storage, manifest_key, findings)) {
      manifest = std::make_unique<ManifestVerifier>(std::move(*parsed), prefix + "data/");
      for (auto& job : work)
        if (job.key != manifest_key) place_for_manifest(job, prefix);
    }
  } else {
    findings.add(finding_kind::manifest_invalid, Severity::Warning, manifest_key,
                 "Barman backup " + backup.label.value_or("?") +
                     " has no backup_manifest (rsync method, or PostgreSQL 12 or older), so its "
                     "files were checked against the hashes lastgood recorded when it first "
                     "saw them only");
  }
  ChecksumStats totals;
  auto checked = check_objects(storage, std::move(work), manifest.get(), options.jobs,
                               std::move(findings), totals);
  if (stats) *stats = std::move(totals);
  return checked;
}

Findings verify_barman_structure(storage::Storage& storage, const catalog::BackupRow& backup)
{
  Findings findings;
  const auto server = barman::read_server_directory(storage, "");
  const auto info = backup_info_of(server, backup, findings);
  if (!info) return findings;
  if (!barman::is_done(*info)) {
    findings.add(finding_kind::barman_status, Severity::Failure, backup.root_key + "/backup.info",
                 "Barman recorded status " + info->status +
                     (info->error.empty() ? std::string() : " (" + info->error + ")") +
                     " for backup " + info->backup_id +
                     ": Barman itself would not recover it; take a new backup");
    return findings;
  }
  const auto range = barman::check_backup_wal_range(storage, server, *info);
  for (const auto& f : range.findings)
    findings.add(finding_of(f));
  return findings;
}

ExtractResult materialise_barman_backup(storage::Storage& storage, const catalog::BackupRow& backup,
                                        const ExtractOptions& options)
{
  ExtractResult result;
  const auto server = barman::read_server_directory(storage, "");
  const auto info = backup_info_of(server, backup, result.findings);
  if (!info) return result;
  // extract_base_backup's default, so callers need not know whose layout it is.
  const std::string tablespace_dir =
      options.tablespace_dir.empty() ? options.data_dir + "_tablespaces" : options.tablespace_dir;
  barman::MaterialiseOptions materialise;
  materialise.tablespace_dir = tablespace_dir;
  // Like extract_base_backup: whatever was written goes again when it fails.
  auto remove_written = [&] {
    std::error_code ignored;
    for (const auto& entry : fs::directory_iterator(options.data_dir, ignored))
      fs::remove_all(entry.path(), ignored);
    fs::remove_all(tablespace_dir, ignored);
  };
  barman::MaterialiseResult written;
  try {
    written = barman::materialise_backup(storage, server, *info, options.data_dir, materialise);
  } catch (const UsageError&) {
    throw; // the target was not empty: nothing of ours is in it
  } catch (...) {
    remove_written();
    throw;
  }
  for (const auto& f : written.findings)
    result.findings.add(finding_of(f));
  result.files = written.files;
  result.bytes = written.bytes;
  result.manifest_checked = written.manifest_checked;
  if (!info->tablespaces.empty()) result.tablespace_dir = tablespace_dir;
  for (const auto& t : info->tablespaces)
    result.tablespaces.push_back(std::to_string(t.oid));
  if (!result.ok()) {
    remove_written();
    return result;
  }
  if (options.owner) {
    // The scratch server runs as its own user: everything written is handed to it.
    for (const fs::path& root : {fs::path(options.data_dir), fs::path(tablespace_dir)}) {
      std::error_code ec;
      if (root.empty() || !fs::exists(root, ec)) continue;
      auto hand_over = [&](const fs::path& p) {
        if (::lchown(p.c_str(), options.owner->uid, options.owner->gid) != 0)
          throw Error("cannot hand " + p.string() + " to the scratch server's user");
      };
      hand_over(root);
      for (const auto& entry : fs::recursive_directory_iterator(root))
        hand_over(entry.path());
    }
  }
  return result;
}

} // namespace lastgood::verifier
