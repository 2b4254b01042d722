#include "verifier/structure_level.hpp"

#include "common/error.hpp"
#include "pg/backup_manifest.hpp"
#include "pg/child_process.hpp"
#include "pg/dump_header.hpp"
#include "pg/lsn.hpp"
#include "pg/tar_reader.hpp"
#include "storage/string_read_stream.hpp"
#include "verifier/directory_feed.hpp"
#include "verifier/dump_feed.hpp"
#include "verifier/extract_paths.hpp"
#include "verifier/local_copy.hpp"
#include "verifier/object_access.hpp"
#include "verifier/pgdata_extract.hpp"

#include <algorithm>
#include <optional>
#include <set>
#include <sstream>

namespace lastgood::verifier {

namespace {

namespace fk = finding_kind;

void check_archive_dump(storage::Storage& storage, const catalog::BackupRow& backup,
                        const std::vector<catalog::BackupObjectRow>& objects, bool read_all_data,
                        Findings& findings)
{
  // A custom dump on object storage streams into pg_restore; the rest is read in place.
  // A directory dump there: its data members as FIFOs (directory_feed.hpp).
  const bool stream = streams_dump(storage, backup, 1) && objects.size() == 1;
  const bool stream_members = streams_directory_dump(storage, backup);
  std::optional<LocalCopy> copy;
  if (!stream && !stream_members) copy.emplace(storage, backup, objects);
  const auto pg_restore = pg::find_pg_program("pg_restore");
  // Runs pg_restore with `args` on the dump (a path, or the stream on stdin);
  // a streamed dump's read error or hash mismatch is added to findings.
  auto run_on_dump = [&](std::vector<std::string> args, bool hash_all,
                         bool& input_failed) -> pg::ProcessResult {
    pg::ProcessOptions options;
    options.argv = {pg_restore};
    options.argv.insert(options.argv.end(), args.begin(), args.end());
    if (stream_members) {
      DirectoryFeed members(storage, backup, objects);
      options.argv.push_back(members.path());
      pg::ProcessResult result;
      if (members.toc_findings().items().empty()) result = pg::run_process(options);
      auto input = members.finish(storage);
      findings.append(input);
      input_failed = !input.items().empty();
      return result;
    }
    if (!stream) {
      options.argv.push_back(copy->path());
      return pg::run_process(options);
    }
    // --list reads only the head: a small read-ahead fetches little beyond it.
    DumpFeed feed(storage, backup, objects.front(),
                  {.read_ahead_bytes = hash_all ? std::size_t{16} << 20 : std::size_t{256} << 10,
                   .hash_all = hash_all});
    options.stdin_fd = feed.tool_stdin();
    auto result = pg::run_process(options);
    auto input = feed_findings(objects.front(), feed.finish());
    findings.append(input);
    input_failed = !input.items().empty();
    return result;
  };
  bool input_failed = false;
  auto list = run_on_dump({"--list"}, false, input_failed);
  if (input_failed) return; // the bytes pg_restore saw are not the backup's
  if (list.exit_code != 0 && input_access_failure(list.err)) {
    findings.add(unreadable_finding(backup.root_key,
                                    "pg_restore --list: " + *input_access_failure(list.err)));
    return;
  }
  if (list.exit_code != 0) {
    findings.add(fk::toc_unreadable, Severity::Failure, backup.root_key,
                 pg::describe_failure(list, "pg_restore --list") +
                     "; the dump's table of contents is damaged: this backup cannot be restored");
    return;
  }
  std::istringstream lines(list.out);
  std::size_t entries = 0;
  for (std::string line; std::getline(lines, line);)
    if (!line.empty() && line[0] != ';') ++entries;
  if (entries == 0) {
    findings.add(fk::toc_unreadable, Severity::Failure, backup.root_key,
                 "pg_restore --list lists no entries: the dump holds nothing to restore");
    return;
  }
  if (!read_all_data) return;
  // --list never reads the data blocks; reading everything to /dev/null does.
  auto read_all = run_on_dump({"--file", "/dev/null"}, true, input_failed);
  if (input_failed) return;
  if (read_all.exit_code != 0 && input_access_failure(read_all.err))
    findings.add(unreadable_finding(backup.root_key, "pg_restore -f /dev/null: " +
                                                         *input_access_failure(read_all.err)));
  else if (read_all.exit_code != 0)
    findings.add(
        fk::incomplete_dump, Severity::Failure, backup.root_key,
        pg::describe_failure(read_all, "reading every data block (pg_restore -f /dev/null)") +
            "; the dump is truncated or damaged",
        {{"toc_entries", entries}});
}

void check_plain_dump(storage::Storage& storage, const catalog::BackupRow& backup,
                      Findings& findings)
{
  auto info = storage.stat(backup.root_key);
  if (!info) {
    findings.add(fk::missing_object, Severity::Failure, backup.root_key,
                 "the dump file is gone from the repository");
    return;
  }
  const std::uint64_t tail_bytes = std::min<std::uint64_t>(info->size, 8192);
  std::string head = storage::read_head(storage, backup.root_key, 65536);
  std::string tail =
      storage::read_up_to(*storage.read(backup.root_key, info->size - tail_bytes), tail_bytes);
  try {
    if (!pg::parse_plain_dump_header(head, tail).complete)
      findings.add(fk::incomplete_dump, Severity::Failure, backup.root_key,
                   "the plain dump does not end with pg_dump's completion marker: it is truncated "
                   "(or pg_dump failed while writing it)");
  } catch (const ValidationError& e) {
    findings.add(fk::incomplete_dump, Severity::Failure, backup.root_key, e.what());
  }
}

// Most unsafe members listed per archive: one is enough to refuse it.
constexpr int kUnsafeMembersListed = 10;

std::optional<TarArchive> archive_of(const catalog::BackupObjectRow& object)
{
  if (object.role == "base_tar") return TarArchive::Base;
  if (object.role == "wal_tar") return TarArchive::Wal;
  if (object.role == "tablespace_tar") return TarArchive::Tablespace;
  return std::nullopt;
}

// "pg_wal/<name>" (or "./pg_wal/<name>") of a regular file directly in pg_wal/.
std::optional<std::string> pg_wal_member_name(const pg::TarMember& m)
{
  std::string_view path = m.path;
  if (path.starts_with("./")) path.remove_prefix(2);
  if (!m.regular_file || !path.starts_with("pg_wal/")) return std::nullopt;
  path.remove_prefix(7);
  if (path.empty() || path.find('/') != std::string_view::npos) return std::nullopt;
  return std::string(path);
}

// Reads every tar of the backup once: members that would land outside the
// restored directory become findings (the restore level refuses the same
// ones), and the WAL segment names the backup holds itself (pg_wal/ or
// pg_wal.tar) are returned.
std::set<std::string> check_tars(storage::Storage& storage,
                                 const std::vector<catalog::BackupObjectRow>& objects,
                                 Findings& findings)
{
  std::set<std::string> wal_names;
  for (const auto& o : objects) {
    if (o.missing_since) continue;
    if (o.kind == "backup_wal") wal_names.insert(o.key.substr(o.key.rfind('/') + 1));
    const auto archive = archive_of(o);
    if (!archive) continue;
    int unsafe_members = 0;
    auto stream = storage.read(o.key);
    pg::for_each_tar_member(*stream, [&](const pg::TarMember& m, storage::ReadStream&) {
      if (auto why = unsafe_tar_member(m, *archive)) {
        findings.add(fk::unsafe_member, Severity::Failure, o.key,
                     "'" + o.key + "': " + *why +
                         "; restoring it would write outside the data directory (the restore "
                         "level refuses it). It was not written by pg_basebackup or was "
                         "tampered with: use another backup",
                     {{"member", m.path}});
        if (++unsafe_members == kUnsafeMembersListed && *archive != TarArchive::Wal) return false;
      }
      if (*archive == TarArchive::Wal && m.regular_file)
        wal_names.insert(m.path.substr(m.path.rfind('/') + 1));
      // -X fetch puts the WAL the backup needs into base.tar itself.
      if (auto name = pg_wal_member_name(m); *archive == TarArchive::Base && name)
        wal_names.insert(*name);
      return true;
    });
  }
  return wal_names;
}

void check_base_backup(storage::Storage& storage, const catalog::BackupRow& backup,
                       const std::vector<catalog::BackupObjectRow>& objects,
                       const StructureContext& context, Findings& findings)
{
  auto has_role = [&](const char* role) {
    return std::any_of(objects.begin(), objects.end(),
                       [&](const auto& o) { return o.role == role && !o.missing_since; });
  };
  const bool tar = backup.format == "base_tar";
  if ((!tar && !has_role("label")) || !backup.start_lsn)
    findings.add(
        fk::missing_label, Severity::Failure, backup.root_key,
        "base backup has no readable backup_label: recovery would start from the wrong place");
  if ((!tar && !has_role("pg_control")) || (tar && !has_role("base_tar")) ||
      !backup.system_identifier)
    findings.add(fk::missing_pg_control, Severity::Failure, backup.root_key,
                 "base backup has no readable global/pg_control");
  const auto inside = check_tars(storage, objects, findings);
  auto manifest = std::find_if(objects.begin(), objects.end(),
                               [](const auto& o) { return o.role == "manifest"; });
  if (manifest == objects.end()) {
    findings.add(fk::missing_wal, Severity::Warning, backup.root_key,
                 "no backup_manifest: the WAL this backup needs cannot be checked here");
    return;
  }
  pg::BackupManifest parsed;
  const std::string manifest_text =
      storage::read_all(storage, manifest->key); // StorageError: could not check
  try {
    parsed = pg::parse_backup_manifest(manifest_text);
  } catch (const ValidationError& e) {
    findings.add(fk::manifest_invalid, Severity::Failure, manifest->key, e.what());
    return;
  }
  for (const auto& range : parsed.wal_ranges) {
    const auto size = context.wal_segment_size;
    for (auto segno = pg::segment_of(range.start, size);
         segno <= pg::last_segment_for(range.end, size); ++segno) {
      auto name = pg::wal_file_name(range.timeline, segno, size);
      if (inside.count(name)) continue;
      if (context.archived_segment && context.archived_segment(range.timeline, segno)) continue;
      findings.add(fk::missing_wal, Severity::Failure, name,
                   "WAL segment " + name + " (needed from " + range.start.str() + " to " +
                       range.end.str() +
                       " to make this backup consistent) is neither in the backup nor in the "
                       "cataloged archive",
                   {{"timeline", range.timeline}, {"segment", name}});
    }
  }
}

} // namespace

Findings verify_structure(storage::Storage& storage, const catalog::BackupRow& backup,
                          const std::vector<catalog::BackupObjectRow>& objects,
                          const StructureContext& context)
{
  Findings findings;
  try {
    if (backup.kind == "physical")
      check_base_backup(storage, backup, objects, context, findings);
    else if (backup.format == "plain" || backup.format == "plain_cluster")
      check_plain_dump(storage, backup, findings);
    else
      check_archive_dump(storage, backup, objects, context.read_all_data, findings);
  } catch (const NotFoundError& e) {
    findings.add(fk::missing_object, Severity::Failure, backup.root_key, e.what());
  } catch (const ObjectUnreadable& e) {
    findings.add(unreadable_finding(e.key(), e.reason()));
  } catch (const StorageError& e) {
    findings.add(unreadable_finding(backup.root_key, e.what()));
  } catch (const ValidationError& e) {
    // Bytes that do not parse (a damaged WAL tar): evidence of damage.
    findings.add(fk::unreadable_object, Severity::Failure, backup.root_key,
                 std::string(e.what()) +
                     "; the backup is damaged: restore it from another copy or take a new one");
  } catch (const Error& e) {
    findings.add(fk::unreadable_object, Severity::Error, backup.root_key,
                 std::string("could not check: ") + e.what());
  }
  return findings;
}

} // namespace lastgood::verifier
