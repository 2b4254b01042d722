#pragma once
// A stanza's two info files read together with the passphrase chain's first
// link: the repository passphrase decrypts backup.info and archive.info; each
// holds the sub-passphrase of what it describes (manifests, WAL files).

#include "formats/pgbackrest/archive_info.hpp"
#include "formats/pgbackrest/backup_info.hpp"
#include "formats/pgbackrest/info_loader.hpp"
#include "storage/storage.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace lastgood::formats::pgbackrest {

struct StanzaInfo
{
  BackupInfo backup;
  ArchiveInfo archive;
  std::vector<RepoFinding> findings; // damaged, missing or disagreeing copies
};

std::string backup_info_key(std::string_view stanza);  // backup/<stanza>/backup.info
std::string archive_info_key(std::string_view stanza); // archive/<stanza>/archive.info

// The stanzas a repository holds: those with a backup/<stanza>/backup.info
// (or its .copy twin), sorted. archive.info is not required: a stanza whose
// archive.info and copy were lost is a damaged repository to report, not
// plain files.
std::vector<std::string> list_stanzas(storage::Storage& repo);

// repo_passphrase: repo-cipher-pass of an encrypted repository, else nullopt.
// Throws as load_info_file does, and ValidationError when the two files
// describe different databases.
StanzaInfo read_stanza(storage::Storage& repo, std::string_view stanza,
                       const std::optional<std::string>& repo_passphrase);

} // namespace lastgood::formats::pgbackrest
