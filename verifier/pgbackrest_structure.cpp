#include "common/cipher_pass.hpp"
#include "common/error.hpp"
#include "formats/pgbackrest/materialise.hpp"
#include "formats/pgbackrest/stanza.hpp"
#include "verifier/object_access.hpp"
#include "verifier/pgbackrest_levels.hpp"
#include "verifier/pgbackrest_wal_range.hpp"

#include <algorithm>
#include <map>
#include <set>

namespace lastgood::verifier {

namespace {

namespace fk = finding_kind;
namespace pgbr = formats::pgbackrest;

std::string backup_dir(const std::string& stanza, const std::string& label)
{
  return "backup/" + stanza + "/" + label;
}

// A damaged, missing or disagreeing main file or copy. The backup's own
// manifest is part of it (a failure); the stanza's info files and another
// backup's manifest are not (a warning here; scan and that backup's own
// verification call them problems), since the other copy was read.
void add_repo_findings(const std::vector<pgbr::RepoFinding>& found, Severity severity,
                       Findings& findings)
{
  for (const auto& f : found)
    findings.add(f.kind == pgbr::RepoFinding::Kind::missing ? fk::missing_object
                                                            : fk::manifest_invalid,
                 severity, f.key,
                 f.problem + " (pgBackRest writes both copies alike: the repository is damaged; "
                             "run `pgbackrest verify` or take a new backup)");
}

const pgbr::DbHistoryEntry* db_entry(const pgbr::BackupInfo& info, unsigned id)
{
  for (const auto& h : info.history)
    if (h.id == id) return &h;
  return info.current.id == id ? &info.current : nullptr;
}

// backup.info's record of the backup and its database history agree with the manifest.
void check_against_backup_info(const pgbr::BackupInfo& info, const pgbr::Manifest& m,
                               const std::string& stanza, Findings& findings)
{
  const std::string info_key = pgbr::backup_info_key(stanza);
  const std::string manifest_key = backup_dir(stanza, m.label) + "/backup.manifest";
  const auto* entry = info.find(m.label);
  if (!entry) {
    findings.add(fk::manifest_invalid, Severity::Failure, info_key,
                 "backup " + m.label + " is not in " + info_key +
                     ": pgBackRest would neither restore nor expire it");
    return;
  }
  std::vector<std::string> differ;
  auto compare = [&](const char* field, const std::string& in_info,
                     const std::string& in_manifest) {
    if (in_info != in_manifest)
      differ.push_back(std::string(field) + " '" + in_info + "' in backup.info, '" + in_manifest +
                       "' in the manifest");
  };
  compare("type", std::string(pgbr::to_string(entry->type)), std::string(pgbr::to_string(m.type)));
  compare("prior", entry->prior.value_or(""), m.prior.value_or(""));
  compare("archive-start", entry->archive_start, m.archive_start);
  compare("archive-stop", entry->archive_stop, m.archive_stop);
  compare("lsn-start", entry->lsn_start, m.lsn_start);
  compare("lsn-stop", entry->lsn_stop, m.lsn_stop);
  compare("db-id", std::to_string(entry->db_id), std::to_string(m.db_id));
  const std::set<std::string> info_refs(entry->references.begin(), entry->references.end());
  std::set<std::string> manifest_refs(m.references.begin(), m.references.end());
  manifest_refs.erase(m.label); // backup.info leaves the backup itself out
  if (info_refs != manifest_refs) differ.push_back("the references differ");
  const auto* db = db_entry(info, m.db_id);
  if (!db)
    differ.push_back("backup.info's database history has no db-id " + std::to_string(m.db_id));
  else if (db->system_id != m.system_id || db->version != m.pg_version)
    differ.push_back("backup.info's history gives db-id " + std::to_string(m.db_id) +
                     " system identifier " + std::to_string(db->system_id) + " version " +
                     db->version + ", the manifest " + std::to_string(m.system_id) + " version " +
                     m.pg_version);
  for (const auto& d : differ)
    findings.add(fk::manifest_invalid, Severity::Failure, manifest_key,
                 manifest_key + " and " + info_key + " disagree: " + d +
                     " (one of them is damaged or stale)");
}

class FileResolver
{
public:
  FileResolver(storage::Storage& repo, const pgbr::BackupInfo& info, const pgbr::Manifest& m,
               std::string stanza, bool read_all_data, Findings& findings)
      : m_repo(repo), m_info(info), m_manifest(m), m_stanza(std::move(stanza)),
        m_read_all_data(read_all_data), m_findings(findings)
  {
    for (const auto& label : m.references)
      if (label != m.label) load_reference(label);
  }

  void check(const pgbr::ManifestFile& f)
  {
    const std::string subject = backup_dir(m_stanza, m_manifest.label) + "/" + f.name;
    if ((f.checksum_page && !*f.checksum_page) || !f.page_errors.empty()) {
      std::string pages;
      for (const auto& r : f.page_errors)
        pages += (pages.empty() ? "" : ", ") + std::to_string(r.first) +
                 (r.last != r.first ? "-" + std::to_string(r.last) : "");
      m_findings.add(fk::page_checksum_error, Severity::Failure, subject,
                     "pgBackRest recorded page-checksum errors in " + f.name +
                         " while taking backup " + m_manifest.label +
                         (pages.empty() ? "" : " (pages " + pages + ")") +
                         ": the cluster's data was already damaged when it was backed up",
                     {{"pages", pages}});
    }
    if (f.size == 0) return; // nothing stored
    const std::string owner = f.reference.value_or(m_manifest.label);
    if (f.reference) {
      if (std::find(m_manifest.references.begin(), m_manifest.references.end(), owner) ==
          m_manifest.references.end()) {
        m_findings.add(fk::manifest_invalid, Severity::Failure, subject,
                       f.name + " is stored in backup " + owner +
                           ", which is not among the backup's references");
        return;
      }
      auto ref = m_references.find(owner);
      // Without its manifest (reported once) only the stored bytes are checked.
      const auto* stored = ref == m_references.end() ? nullptr : ref->second.find_file(f.name);
      if (ref != m_references.end() &&
          (!stored || (stored->reference && *stored->reference != owner))) {
        m_findings.add(fk::manifest_missing_file, Severity::Failure, subject,
                       f.name + " is stored in backup " + owner + " by the manifest, but " + owner +
                           "'s own manifest " +
                           (stored ? "says it is stored elsewhere" : "has no such file") +
                           ": the file cannot be restored");
        return;
      }
      if (stored && (stored->size != f.size || stored->checksum != f.checksum))
        m_findings.add(fk::manifest_mismatch, Severity::Failure, subject,
                       f.name + " differs between this manifest and backup " + owner +
                           "'s (size or SHA-1): one of the manifests is damaged");
    }
    const auto where = pgbr::stored_location(manifest_of(owner), f, m_stanza);
    const auto& listed = listing(owner);
    auto found = listed.find(where.key);
    if (found == listed.end()) {
      m_findings.add(fk::missing_object, Severity::Failure, where.key,
                     f.name + " of backup " + m_manifest.label + " is stored in " + where.key +
                         ", which is missing from the repository: the backup cannot be restored");
      return;
    }
    if (f.bundle_id && where.offset + f.repo_size > found->second)
      m_findings.add(fk::size_mismatch, Severity::Failure, where.key,
                     f.name + " is stored at bytes " + std::to_string(where.offset) + ".." +
                         std::to_string(where.offset + f.repo_size) + " of " + where.key +
                         ", which holds only " + std::to_string(found->second) +
                         " bytes: the bundle is truncated");
    else if (!f.bundle_id && found->second != f.repo_size)
      m_findings.add(fk::size_mismatch, Severity::Failure, where.key,
                     where.key + " holds " + std::to_string(found->second) +
                         " bytes where the manifest records " + std::to_string(f.repo_size) +
                         " stored bytes for " + f.name + ": the file is truncated or damaged");
    else if (m_read_all_data)
      check_content(manifest_of(owner), f, where.key);
  }

  // The catalog's SHA-256 is of whatever bytes the scan saw (damage before
  // the first scan included): only the manifest's SHA-1 of the content proves them.
  void check_content(const pgbr::Manifest& owner, const pgbr::ManifestFile& f,
                     const std::string& stored_key)
  {
    try {
      pgbr::read_stored_file(m_repo, owner, f, m_stanza);
    } catch (const pgbr::FileDamagedError& e) {
      m_findings.add(fk::manifest_mismatch, Severity::Failure, stored_key,
                     std::string(e.what()) + ": the backup cannot be restored");
    }
  }

private:
  void load_reference(const std::string& label)
  {
    const std::string key = backup_dir(m_stanza, label) + "/backup.manifest";
    if (!m_info.find(label)) {
      m_findings.add(fk::manifest_invalid, Severity::Failure, key,
                     "backup " + m_manifest.label + " references backup " + label +
                         ", which is not in backup.info (expired or removed too early): the "
                         "files it holds for this backup cannot be trusted");
    }
    try {
      auto loaded = pgbr::load_manifest(m_repo, m_stanza, label, m_info.cipher_pass);
      add_repo_findings(loaded.findings, Severity::Warning, m_findings);
      if (loaded.manifest.system_id != m_manifest.system_id)
        m_findings.add(fk::manifest_invalid, Severity::Failure, key,
                       "referenced backup " + label + " is of system identifier " +
                           std::to_string(loaded.manifest.system_id) + ", not " +
                           std::to_string(m_manifest.system_id));
      m_references.emplace(label, std::move(loaded.manifest));
    } catch (const NotFoundError&) {
      m_findings.add(fk::missing_object, Severity::Failure, key,
                     "backup " + m_manifest.label + " references backup " + label +
                         ", whose manifest and its copy are missing: pgBackRest no longer knows "
                         "that backup whole (expired or damaged), and the files this backup "
                         "reads from it cannot be checked against it");
    } catch (const pgbr::PassphraseError&) {
      throw;
    } catch (const ValidationError& e) {
      m_findings.add(fk::manifest_invalid, Severity::Failure, key,
                     "the manifest of referenced backup " + label + " is unusable: " + e.what());
    }
  }

  // The manifest of the backup that stored a file (its compression names the
  // stored file); this backup's own when that one is not readable.
  const pgbr::Manifest& manifest_of(const std::string& label) const
  {
    auto found = m_references.find(label);
    return found == m_references.end() ? m_manifest : found->second;
  }

  const std::map<std::string, std::uint64_t>& listing(const std::string& label)
  {
    auto [it, added] = m_listings.try_emplace(label);
    if (added)
      m_repo.list(
          backup_dir(m_stanza, label) + "/",
          [&](const storage::ObjectInfo& o) { it->second[o.key] = o.size; },
          [](const storage::ListProblem& p) {
            throw ObjectUnreadable(p.key, "cannot list it: " + p.message);
          });
    return it->second;
  }

  storage::Storage& m_repo;
  const pgbr::BackupInfo& m_info;
  const pgbr::Manifest& m_manifest;
  std::string m_stanza;
  bool m_read_all_data;
  Findings& m_findings;
  std::map<std::string, pgbr::Manifest> m_references;
  std::map<std::string, std::map<std::string, std::uint64_t>> m_listings;
};

} // namespace

PgbackrestBackupPlace pgbackrest_place(const catalog::BackupRow& backup)
{
  // root_key is "backup/<stanza>/<label>" (catalog/pgbackrest_backups).
  const auto& key = backup.root_key;
  const auto first = key.find('/'), last = key.rfind('/');
  if (!key.starts_with("backup/") || first == last)
    throw ValidationError("'" + key +
                          "' is not where a pgBackRest backup lives "
                          "(backup/<stanza>/<label>); rescan the repository");
  return {key.substr(first + 1, last - first - 1), key.substr(last + 1)};
}

Findings verify_pgbackrest_structure(storage::Storage& repo, const catalog::BackupRow& backup,
                                     std::uint64_t wal_segment_size, bool read_all_data,
                                     const std::optional<std::string>& repo_passphrase)
{
  Findings findings;
  try {
    const auto place = pgbackrest_place(backup);
    auto stanza = pgbr::read_stanza(repo, place.stanza, repo_passphrase);
    add_repo_findings(stanza.findings, Severity::Warning, findings);
    auto loaded = pgbr::load_manifest(repo, place.stanza, place.label, stanza.backup.cipher_pass);
    add_repo_findings(loaded.findings, Severity::Failure, findings);
    const auto& m = loaded.manifest;
    check_against_backup_info(stanza.backup, m, place.stanza, findings);
    FileResolver resolver(repo, stanza.backup, m, place.stanza, read_all_data, findings);
    for (const auto& f : m.files)
      resolver.check(f);
    if (const auto* entry = stanza.backup.find(place.label);
        entry && entry->error && !findings.any(Severity::Failure))
      findings.add(fk::page_checksum_error, Severity::Failure, backup.root_key,
                   "backup.info says pgBackRest met page-checksum errors while taking " +
                       place.label + ", though its manifest names no file");
    findings.append(
        check_pgbackrest_wal_range(repo, place.stanza, stanza.archive, m, wal_segment_size));
  } catch (const NotFoundError& e) {
    findings.add(fk::missing_object, Severity::Failure, backup.root_key,
                 std::string(e.what()) + ": the backup cannot be restored from this repository");
  } catch (const pgbr::PassphraseError& e) {
    findings.add(fk::unreadable_object, Severity::Error, backup.root_key,
                 std::string("could not check: ") + e.what() + "; " +
                     cipher_pass_hint(backup.repository));
  } catch (const ObjectUnreadable& e) {
    findings.add(unreadable_finding(e.key(), e.reason()));
  } catch (const ValidationError& e) {
    findings.add(fk::manifest_invalid, Severity::Failure, backup.root_key,
                 std::string(e.what()) + ": the backup's info files or manifest are damaged");
  } catch (const StorageError& e) {
    findings.add(unreadable_finding(backup.root_key, e.what()));
  }
  return findings;
}

} // namespace lastgood::verifier
