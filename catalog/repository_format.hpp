#pragma once
// Which tool wrote a repository: lastgood reads files as they come, or a
// pgBackRest repository through its info files (docs/pgbackrest.md).

#include "storage/storage.hpp"

#include <optional>
#include <string>

namespace lastgood::catalog {

namespace repository_format {
inline constexpr const char* pgbackrest = "pgbackrest";
} // namespace repository_format

struct RecognisedFormat
{
  std::optional<std::string> format; // nullopt: files as they come
  std::optional<std::string> stanza;
};

// format: as given with `--format` (nullopt: recognise it from the layout);
// stanza: as given with `--stanza`. A pgBackRest repository holding several
// stanzas needs one named: one repository entry catalogs one stanza. Throws
// UsageError for an unknown format, a stanza that is not there, or several
// stanzas and none named.
RecognisedFormat recognise_repository_format(storage::Storage& storage,
                                             const std::optional<std::string>& format,
                                             const std::optional<std::string>& stanza);

} // namespace lastgood::catalog
