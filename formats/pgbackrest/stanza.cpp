#include "formats/pgbackrest/stanza.hpp"

#include <algorithm>
#include <set>

namespace lastgood::formats::pgbackrest {

std::string backup_info_key(std::string_view stanza)
{
  return "backup/" + std::string(stanza) + "/backup.info";
}

std::string archive_info_key(std::string_view stanza)
{
  return "archive/" + std::string(stanza) + "/archive.info";
}

std::vector<std::string> list_stanzas(storage::Storage& repo)
{
  std::set<std::string> with_backup_info;
  repo.list(
      "backup/",
      [&](const storage::ObjectInfo& info) {
        std::string_view key = info.key;
        key.remove_prefix(7); // "backup/"
        auto slash = key.find('/');
        if (slash == std::string_view::npos || slash == 0) return;
        auto rest = key.substr(slash + 1);
        if (rest == "backup.info" || rest == "backup.info.copy")
          with_backup_info.emplace(key.substr(0, slash));
      },
      [](const storage::ListProblem&) {});
  return {with_backup_info.begin(), with_backup_info.end()};
}

StanzaInfo read_stanza(storage::Storage& repo, std::string_view stanza,
                       const std::optional<std::string>& repo_passphrase)
{
  StanzaInfo info;
  auto backup = load_info_file(repo, backup_info_key(stanza), repo_passphrase);
  info.backup = parse_backup_info(backup.text, backup.loaded_from);
  auto archive = load_info_file(repo, archive_info_key(stanza), repo_passphrase);
  info.archive = parse_archive_info(archive.text, archive.loaded_from);
  info.findings = std::move(backup.findings);
  info.findings.insert(info.findings.end(), archive.findings.begin(), archive.findings.end());
  if (info.backup.current.system_id != info.archive.current.system_id)
    throw ValidationError(backup.loaded_from + " and " + archive.loaded_from +
                          " describe different databases (system identifiers " +
                          std::to_string(info.backup.current.system_id) + " and " +
                          std::to_string(info.archive.current.system_id) + ")");
  return info;
}

} // namespace lastgood::formats::pgbackrest
