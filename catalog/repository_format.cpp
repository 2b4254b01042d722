#include "catalog/repository_format.hpp"

#include "common/error.hpp"
#include "formats/pgbackrest/stanza.hpp"

#include <algorithm>

namespace lastgood::catalog {

namespace {

std::vector<std::string> stanzas_of(storage::Storage& storage)
{
  try {
    return formats::pgbackrest::list_stanzas(storage);
  } catch (const StorageError&) {
    return {}; // no backup/ directory: not a pgBackRest repository
  }
}

std::string joined(const std::vector<std::string>& names)
{
  std::string out;
  for (const auto& n : names)
    out += (out.empty() ? "" : ", ") + n;
  return out;
}

} // namespace

RecognisedFormat recognise_repository_format(storage::Storage& storage,
                                             const std::optional<std::string>& format,
                                             const std::optional<std::string>& stanza)
{
  if (format && *format != repository_format::pgbackrest && *format != "files")
    throw UsageError("unknown repository format '" + *format +
                     "': use pgbackrest, or files (backups as files, the default)");
  if (format && *format == "files") {
    if (stanza) throw UsageError("--stanza applies to --format pgbackrest only");
    return {};
  }
  const auto stanzas = stanzas_of(storage);
  if (stanzas.empty()) {
    if (format || stanza)
      throw UsageError(storage.display_url() +
                       " holds no pgBackRest stanza (no backup/<stanza>/backup.info with an "
                       "archive/<stanza>/archive.info): check the path");
    return {};
  }
  RecognisedFormat out;
  out.format = repository_format::pgbackrest;
  if (stanza) {
    if (std::find(stanzas.begin(), stanzas.end(), *stanza) == stanzas.end())
      throw UsageError("pgBackRest repository " + storage.display_url() + " has no stanza '" +
                       *stanza + "' (it has: " + joined(stanzas) + ")");
    out.stanza = stanza;
  } else if (stanzas.size() == 1) {
    out.stanza = stanzas.front();
  } else {
    throw UsageError("pgBackRest repository " + storage.display_url() + " holds several stanzas (" +
                     joined(stanzas) +
                     "): name one with --stanza, and add the repository once per stanza");
  }
  return out;
}

} // namespace lastgood::catalog
