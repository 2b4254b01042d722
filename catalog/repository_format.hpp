#pragma once
// Which tool wrote a repository: lastgood reads files as they come, a
// pgBackRest repository through its info files (docs/pgbackrest.md), or a
// Barman server directory through its backup.info files (docs/barman.md).

#include "storage/storage.hpp"

#include <optional>
#include <string>

namespace lastgood::catalog {

namespace repository_format {
inline constexpr const char* pgbackrest = "pgbackrest";
inline constexpr const char* barman = "barman";
} // namespace repository_format

struct RecognisedFormat
{
  std::optional<std::string> format; // nullopt: files as they come
  std::optional<std::string> stanza;
  // Barman: the server directory inside the barman home that was given
  // ("" when the URL is the server directory itself); the repository is
  // registered at URL/<server_subdirectory>.
  std::string server_subdirectory;
};

// format: as given with `--format` (nullopt: recognise it from the layout);
// stanza: as given with `--stanza`. A pgBackRest repository holding several
// stanzas needs one named: one repository entry catalogs one stanza. Throws
// UsageError for an unknown format, a stanza that is not there, or several
// stanzas and none named. A Barman server directory (wals/xlog.db or
// base/<id>/backup.info) is recognised too; a barman home holding several
// servers needs one named with `server` (one repository entry per server).
RecognisedFormat recognise_repository_format(storage::Storage& storage,
                                             const std::optional<std::string>& format,
                                             const std::optional<std::string>& stanza,
                                             const std::optional<std::string>& server = {});

// url with subdirectory appended to its path (before an s3:// URL's query):
// where a barman home's server directory is.
std::string url_below(const std::string& url, const std::string& subdirectory);

} // namespace lastgood::catalog
