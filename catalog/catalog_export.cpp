#include "catalog/catalog_export.hpp"

#include "common/error.hpp"
#include "common/sha256.hpp"

#include <cstdio>
#include <functional>
#include <map>
#include <set>

namespace lastgood::catalog {

std::uint64_t ExportResult::rows() const
{
  std::uint64_t n = 0;
  for (const auto& t : tables)
    n += t.rows;
  return n;
}

namespace {

enum class ColumnKind { Integer, Real, Text };

struct Column
{
  std::string name;
  ColumnKind kind = ColumnKind::Text;
};

struct Table
{
  std::string name;
  std::vector<Column> columns;
  std::set<std::string> references; // tables its foreign keys point to
};

ColumnKind kind_of(const std::string& declared)
{
  if (declared.find("INT") != std::string::npos) return ColumnKind::Integer;
  if (declared.find("REAL") != std::string::npos || declared.find("DOUBLE") != std::string::npos)
    return ColumnKind::Real;
  return ColumnKind::Text;
}

// The catalog's tables as the SQLite side declares them (the same on both
// sides: one set of migrations), referenced tables first.
std::vector<Table> tables_of(Database& sqlite)
{
  std::map<std::string, Table> by_name;
  auto names = sqlite.prepare("SELECT name FROM sqlite_master WHERE type = 'table'"
                              " AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY name");
  while (names.step())
    by_name[names.text(0)].name = names.text(0);
  for (auto& [name, table] : by_name) {
    auto columns =
        sqlite.prepare("SELECT name, upper(type) FROM pragma_table_info(?) ORDER BY cid");
    columns.bind(1, name);
    while (columns.step())
      table.columns.push_back({columns.text(0), kind_of(columns.text(1))});
    auto keys = sqlite.prepare("SELECT DISTINCT \"table\" FROM pragma_foreign_key_list(?)");
    keys.bind(1, name);
    while (keys.step())
      if (keys.text(0) != name) table.references.insert(keys.text(0));
  }
  std::vector<Table> ordered;
  std::set<std::string> placed;
  std::function<void(const std::string&)> place = [&](const std::string& name) {
    if (placed.count(name) || !by_name.count(name)) return;
    placed.insert(name);
    for (const auto& r : by_name[name].references)
      place(r);
    ordered.push_back(by_name[name]);
  };
  for (const auto& [name, table] : by_name)
    place(name);
  return ordered;
}

std::string column_list(const Table& t)
{
  std::string out;
  for (const auto& c : t.columns)
    out += (out.empty() ? "" : ", ") + std::string("\"") + c.name + "\"";
  return out;
}

// Every row in one order both engines agree on (all columns; text compares
// bytewise on both), rendered the same way, hashed.
std::pair<std::uint64_t, std::string> digest_of(Database& db, const Table& t)
{
  std::string order;
  for (std::size_t i = 1; i <= t.columns.size(); ++i)
    order += (i > 1 ? ", " : "") + std::to_string(i);
  auto rows = db.prepare("SELECT " + column_list(t) + " FROM \"" + t.name + "\" ORDER BY " + order);
  Sha256 hash;
  std::uint64_t n = 0;
  while (rows.step()) {
    ++n;
    for (std::size_t i = 0; i < t.columns.size(); ++i) {
      const int c = static_cast<int>(i);
      std::string value;
      if (rows.is_null(c)) {
        value = "\x01null";
      } else if (t.columns[i].kind == ColumnKind::Integer) {
        value = std::to_string(rows.int64(c));
      } else if (t.columns[i].kind == ColumnKind::Real) {
        char text[40];
        std::snprintf(text, sizeof text, "%.17g", rows.real(c));
        value = text;
      } else {
        value = rows.text(c);
      }
      hash.update(std::to_string(value.size()) + ":" + value);
    }
  }
  return {n, hash.hex_digest()};
}

bool holds_rows(Database& db, const std::vector<Table>& tables)
{
  for (const auto& t : tables) {
    if (t.name == "schema_migrations") continue;
    if (db.prepare("SELECT 1 FROM \"" + t.name + "\" LIMIT 1").step()) return true;
  }
  return false;
}

std::uint64_t copy_table(Database& from, Database& to, const Table& t)
{
  std::string marks;
  for (std::size_t i = 0; i < t.columns.size(); ++i)
    marks += i ? ", ?" : "?";
  auto read = from.prepare("SELECT " + column_list(t) + " FROM \"" + t.name + "\"");
  auto write =
      to.prepare("INSERT INTO \"" + t.name + "\" (" + column_list(t) + ") VALUES (" + marks + ")");
  std::uint64_t n = 0;
  while (read.step()) {
    for (std::size_t i = 0; i < t.columns.size(); ++i) {
      const int c = static_cast<int>(i);
      if (read.is_null(c))
        write.bind(c + 1, std::nullopt);
      else if (t.columns[i].kind == ColumnKind::Integer)
        write.bind(c + 1, read.int64(c));
      else if (t.columns[i].kind == ColumnKind::Real)
        write.bind(c + 1, read.real(c));
      else
        write.bind(c + 1, read.text(c));
    }
    write.run();
    ++n;
  }
  return n;
}

// PostgreSQL's identity columns go on after the highest copied id.
void advance_identities(Database& postgres, const std::vector<Table>& tables)
{
  auto identities =
      postgres.prepare("SELECT table_name, column_name FROM information_schema.columns"
                       " WHERE table_schema = current_schema() AND is_identity = 'YES'");
  std::vector<std::pair<std::string, std::string>> found;
  while (identities.step())
    found.emplace_back(identities.text(0), identities.text(1));
  for (const auto& [table, column] : found) {
    bool ours = false;
    for (const auto& t : tables)
      ours = ours || t.name == table;
    if (!ours) continue;
    postgres
        .prepare("SELECT setval(pg_get_serial_sequence(?, ?), coalesce(max(\"" + column +
                 "\"), 0) + 1, false) FROM \"" + table + "\"")
        .bind_all("\"" + table + "\"", column)
        .step();
  }
}

} // namespace

ExportResult export_catalog(Database& from, Database& to)
{
  if ((from.engine() == Engine::Sqlite) == (to.engine() == Engine::Sqlite))
    throw UsageError("catalog export copies between SQLite and PostgreSQL; " + from.path() +
                     " and " + to.path() + " are on the same engine");
  auto tables = tables_of(from.engine() == Engine::Sqlite ? from : to);
  if (holds_rows(to, tables))
    throw UsageError("catalog " + to.path() +
                     " already holds a catalog; export only into an empty one (nothing is "
                     "overwritten)");
  ExportResult result;
  Transaction tx(to);
  // The destination's own migration record gives way to the source's, so
  // both say when each migration was applied.
  to.exec("DELETE FROM schema_migrations");
  for (const auto& t : tables)
    result.tables.push_back({t.name, copy_table(from, to, t)});
  if (to.engine() == Engine::Postgres) advance_identities(to, tables);
  for (const auto& t : tables) {
    const auto source = digest_of(from, t);
    const auto copy = digest_of(to, t);
    if (source != copy)
      throw DatabaseError("catalog export: table " + t.name + " differs after the copy (" +
                          std::to_string(source.first) + " rows in " + from.path() + ", " +
                          std::to_string(copy.first) + " in " + to.path() +
                          "); nothing was kept in " + to.path());
  }
  tx.commit();
  return result;
}

} // namespace lastgood::catalog
