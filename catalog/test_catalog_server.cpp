#include "catalog/test_catalog_server.hpp"

#include "catalog/database.hpp"
#include "catalog/postgres_connection.hpp"
#include "common/sha256.hpp"

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <vector>

namespace lastgood::catalog {
namespace {

namespace fs = std::filesystem;

constexpr std::string_view kMarker = "lastgood test catalog: database ";
// Serialises the making of test databases on the server (pg_advisory_lock key).
constexpr long long kMakeLockKey = 0x6c67746573746462; // "lgtestdb"

// The server URI with its database replaced by `name`.
std::string with_database(const std::string& server, const std::string& name)
{
  const auto authority = server.find("://") + 3;
  const auto query = server.find('?', authority);
  const auto end = query == std::string::npos ? server.size() : query;
  const auto slash = server.find('/', authority);
  const auto head = slash < end ? slash : end;
  return server.substr(0, head) + "/" + name + server.substr(end);
}

// The file's first bytes; nullopt when it does not exist.
std::optional<std::string> read_marker(const fs::path& path)
{
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::string text(256, '\0');
  in.read(text.data(), static_cast<std::streamsize>(text.size()));
  text.resize(static_cast<std::size_t>(in.gcount()));
  return text;
}

std::string database_named_by(const std::string& marker)
{
  if (!marker.starts_with(kMarker) || !marker.ends_with("\n")) return {};
  return marker.substr(kMarker.size(), marker.size() - kMarker.size() - 1);
}

// Databases whose marker is gone (their test finished) are dropped, so the
// server holds about as many databases as tests running at once.
void drop_finished(Database& server)
{
  auto rows = server.prepare("SELECT name, path FROM lastgood_test_catalogs");
  std::vector<std::string> finished;
  while (rows.step()) {
    // Only a marker known to be gone or replaced: one this user cannot read
    // (a test running lastgood as 'nobody') may still be in use.
    std::error_code ec;
    (void)fs::symlink_status(rows.text(1), ec);
    const bool gone = ec == std::errc::no_such_file_or_directory;
    const auto marker = gone ? std::nullopt : read_marker(rows.text(1));
    if (gone || (marker && database_named_by(*marker) != rows.text(0)))
      finished.push_back(rows.text(0));
  }
  for (const auto& name : finished) {
    server.exec("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
    server.prepare("DELETE FROM lastgood_test_catalogs WHERE name = ?").bind(1, name).run();
  }
}

} // namespace

std::optional<std::string> catalog_on_test_server(const std::string& path)
{
  const char* server_uri = std::getenv(kTestCatalogServerVariable);
  if (server_uri == nullptr || *server_uri == '\0' || is_postgres_location(path))
    return std::nullopt;
  std::error_code ec;
  const fs::path file = fs::absolute(path, ec).lexically_normal();
  const std::string name = "lgt_" + Sha256::of(file.string()).substr(0, 24);
  const std::string marker = std::string(kMarker) + name + "\n";
  const std::string uri = with_database(server_uri, name);

  auto found = read_marker(file);
  if (found && *found == marker) return uri;
  if (found && !found->empty()) return std::nullopt; // a real SQLite file, or damage

  Database server(server_uri, Database::Mode::ReadWrite);
  server.exec("SELECT pg_advisory_lock(" + std::to_string(kMakeLockKey) + ")");
  found = read_marker(file); // another process may have made it meanwhile
  if (found && *found == marker) return uri;
  server.exec("CREATE TABLE IF NOT EXISTS lastgood_test_catalogs"
              " (name TEXT PRIMARY KEY, path TEXT NOT NULL)");
  drop_finished(server);
  server.exec("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
  server.exec("CREATE DATABASE " + name);
  server
      .prepare("INSERT INTO lastgood_test_catalogs (name, path) VALUES (?, ?)"
               " ON CONFLICT (name) DO UPDATE SET path = excluded.path")
      .bind_all(name, file.string())
      .run();
  if (!file.parent_path().empty() && !fs::exists(file.parent_path())) {
    fs::create_directories(file.parent_path());
    fs::permissions(file.parent_path(), fs::perms::owner_all);
  }
  const fs::path partial = file.string() + ".marker-tmp";
  {
    std::ofstream out(partial, std::ios::binary | std::ios::trunc);
    out << marker;
  }
  fs::permissions(partial, fs::perms::owner_read | fs::perms::owner_write);
  fs::rename(partial, file);
  return uri;
}

} // namespace lastgood::catalog
