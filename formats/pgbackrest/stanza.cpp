#include "formats/pgbackrest/stanza.hpp"

namespace lastgood::formats::pgbackrest {

std::string backup_info_key(std::string_view stanza)
{
  return "backup/" + std::string(stanza) + "/backup.info";
}

std::string archive_info_key(std::string_view stanza)
{
  return "archive/" + std::string(stanza) + "/archive.info";
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
