#include "catalog/repository_format.hpp"

#include "common/error.hpp"
#include "formats/barman/server_discovery.hpp"
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

// A Barman server directory at the root, or one server of a barman home;
// nullopt when there is no Barman server at all.
std::optional<RecognisedFormat> recognise_barman(storage::Storage& storage,
                                                 const std::optional<std::string>& server)
{
  RecognisedFormat out;
  out.format = repository_format::barman;
  if (formats::barman::is_server_directory(storage)) {
    if (server)
      throw UsageError(storage.display_url() + " is a Barman server directory itself; --server " +
                       *server + " names a server of a barman home: leave --server out");
    return out;
  }
  const auto servers = formats::barman::list_servers(storage);
  if (servers.empty()) return std::nullopt;
  if (server) {
    if (std::find(servers.begin(), servers.end(), *server) == servers.end())
      throw UsageError("barman home " + storage.display_url() + " has no server '" + *server +
                       "' (it has: " + joined(servers) + ")");
    out.server_subdirectory = *server;
  } else if (servers.size() == 1) {
    out.server_subdirectory = servers.front();
  } else {
    throw UsageError("barman home " + storage.display_url() + " holds several servers (" +
                     joined(servers) +
                     "): name one with --server NAME (or give its server directory as the URL), "
                     "and add the repository once per server");
  }
  return out;
}

} // namespace

std::string url_below(const std::string& url, const std::string& subdirectory)
{
  if (subdirectory.empty()) return url;
  const auto query = url.find('?');
  std::string path = url.substr(0, query);
  while (path.size() > 1 && path.ends_with('/'))
    path.pop_back();
  return path + "/" + subdirectory + (query == std::string::npos ? "" : url.substr(query));
}

RecognisedFormat recognise_repository_format(storage::Storage& storage,
                                             const std::optional<std::string>& format,
                                             const std::optional<std::string>& stanza,
                                             const std::optional<std::string>& server)
{
  if (format && *format != repository_format::pgbackrest && *format != repository_format::barman &&
      *format != "files")
    throw UsageError("unknown repository format '" + *format +
                     "': use pgbackrest, barman, or files (backups as files, the default)");
  if (server && format && *format != repository_format::barman)
    throw UsageError("--server applies to --format barman only");
  if (format && *format == "files") {
    if (stanza) throw UsageError("--stanza applies to --format pgbackrest only");
    return {};
  }
  if (format && *format == repository_format::barman) {
    if (stanza) throw UsageError("--stanza applies to --format pgbackrest only (Barman: --server)");
    if (auto barman = recognise_barman(storage, server)) return *barman;
    throw UsageError(storage.display_url() +
                     " holds no Barman server directory (no wals/xlog.db, no "
                     "base/<backup id>/backup.info, nor a barman home of such directories): "
                     "check the path");
  }
  const auto stanzas = stanzas_of(storage);
  if (stanzas.empty() && !stanza && !format) {
    if (auto barman = recognise_barman(storage, server)) return *barman;
    if (server)
      throw UsageError(storage.display_url() + " holds no Barman server '" + *server +
                       "': check the path");
  }
  if (!stanzas.empty() && server)
    throw UsageError(storage.display_url() +
                     " is a pgBackRest repository: --server applies to Barman (use --stanza)");
  if (stanzas.empty()) {
    if (format || stanza)
      throw UsageError(storage.display_url() +
                       " holds no pgBackRest stanza (no backup/<stanza>/backup.info): check "
                       "the path");
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
