#include "catalog/postgres_connection.hpp"

#include "common/error.hpp"

#include <cstdlib>
#include <cstring>
#include <libpq-fe.h>
#include <memory>
#include <mutex>
#include <optional>
#include <unordered_map>
#include <vector>

namespace lastgood::catalog {

std::string uri_without_password(std::string_view uri)
{
  std::string out(uri);
  const auto scheme_end = out.find("://");
  if (scheme_end != std::string::npos) {
    const auto authority = scheme_end + 3;
    const auto authority_end = out.find_first_of("/?", authority);
    const auto at = out.rfind('@', authority_end == std::string::npos ? out.size() : authority_end);
    if (at != std::string::npos && at > authority) {
      const auto colon = out.find(':', authority);
      if (colon != std::string::npos && colon < at) out.erase(colon, at - colon);
    }
  }
  // Query parameters holding a secret (libpq's password and sslpassword).
  const auto query = out.find('?');
  if (query == std::string::npos) return out;
  std::string kept;
  for (std::size_t start = query + 1; start <= out.size();) {
    auto end = out.find('&', start);
    if (end == std::string::npos) end = out.size();
    const std::string_view parameter(out.data() + start, end - start);
    const auto key = parameter.substr(0, parameter.find('='));
    if (key != "password" && key != "sslpassword")
      kept += (kept.empty() ? "" : "&") + std::string(parameter);
    start = end + 1;
  }
  out.erase(query);
  if (!kept.empty()) out += "?" + kept;
  return out;
}

std::string number_placeholders(std::string_view sql, int* count)
{
  std::string out;
  out.reserve(sql.size() + 16);
  int next = 0;
  for (std::size_t i = 0; i < sql.size(); ++i) {
    const char c = sql[i];
    if (c == '\'' || c == '"') { // quoted string or name; doubled quotes stay inside
      const auto end = sql.find(c, i + 1);
      const auto stop = end == std::string_view::npos ? sql.size() : end + 1;
      out.append(sql.substr(i, stop - i));
      i = stop - 1;
    } else if (c == '-' && i + 1 < sql.size() && sql[i + 1] == '-') {
      const auto end = sql.find('\n', i);
      const auto stop = end == std::string_view::npos ? sql.size() : end;
      out.append(sql.substr(i, stop - i));
      i = stop - 1;
    } else if (c == '/' && i + 1 < sql.size() && sql[i + 1] == '*') {
      const auto end = sql.find("*/", i + 2);
      const auto stop = end == std::string_view::npos ? sql.size() : end + 2;
      out.append(sql.substr(i, stop - i));
      i = stop - 1;
    } else if (c == '?') {
      std::size_t digits = i + 1;
      while (digits < sql.size() && sql[digits] >= '0' && sql[digits] <= '9')
        ++digits;
      if (digits > i + 1) {
        const int number = std::atoi(std::string(sql.substr(i + 1, digits - i - 1)).c_str());
        next = std::max(next, number);
        out += '$';
        out.append(sql.substr(i + 1, digits - i - 1));
        i = digits - 1;
      } else {
        out += '$' + std::to_string(++next);
      }
    } else {
      out += c;
    }
  }
  if (count) *count = next;
  return out;
}

namespace {

constexpr Oid kTextOid = 25; // pg_type.h: TEXTOID

// "could not determine data type of parameter $N" (SQLSTATE 42P18, or 42P08
// when the parse is done as a prepared statement's): N.
std::optional<std::size_t> indeterminate_parameter(const PGresult* result)
{
  const char* state = result ? PQresultErrorField(result, PG_DIAG_SQLSTATE) : nullptr;
  const char* message = result ? PQresultErrorField(result, PG_DIAG_MESSAGE_PRIMARY) : nullptr;
  if (!state || !message ||
      (std::string_view(state) != "42P18" && std::string_view(state) != "42P08"))
    return std::nullopt;
  const char* dollar = std::strrchr(message, '$');
  if (!dollar) return std::nullopt;
  const long n = std::strtol(dollar + 1, nullptr, 10);
  if (n < 1) return std::nullopt;
  return static_cast<std::size_t>(n);
}

// Parameter types learned per statement text (see PostgresConnection::run).
std::mutex learned_mutex;
std::unordered_map<std::string, std::vector<Oid>> learned;

std::optional<std::vector<Oid>> learned_types(const std::string& sql)
{
  std::lock_guard lock(learned_mutex);
  auto it = learned.find(sql);
  if (it == learned.end()) return std::nullopt;
  return it->second;
}

void learn_types(const std::string& sql, const std::vector<Oid>& types)
{
  std::lock_guard lock(learned_mutex);
  learned.emplace(sql, types);
}

struct ResultDeleter
{
  void operator()(PGresult* r) const { PQclear(r); }
};
using Result = std::unique_ptr<PGresult, ResultDeleter>;

// "ERROR:  message" without libpq's prefix and trailing newline.
std::string error_of(PGconn* conn, const PGresult* result)
{
  const char* primary = result ? PQresultErrorField(result, PG_DIAG_MESSAGE_PRIMARY) : nullptr;
  std::string message = primary ? primary : PQerrorMessage(conn);
  while (!message.empty() && (message.back() == '\n' || message.back() == ' '))
    message.pop_back();
  return message;
}

class PostgresConnection;

class PostgresCursor final : public Cursor
{
public:
  PostgresCursor(PostgresConnection& connection, std::string_view sql);

  void bind_int64(int index, std::int64_t value) override { slot(index) = std::to_string(value); }
  void bind_double(int index, double value) override
  {
    char text[32];
    std::snprintf(text, sizeof text, "%.17g", value);
    slot(index) = text;
  }
  void bind_text(int index, std::string_view value) override { slot(index) = std::string(value); }
  void bind_null(int index) override { slot(index) = std::nullopt; }
  bool step() override;
  void reset() override
  {
    m_result.reset();
    m_row = -1;
    for (auto& p : m_params)
      p = std::nullopt;
  }
  bool is_null(int column) const override { return PQgetisnull(m_result.get(), m_row, column); }
  std::int64_t int64(int column) const override
  {
    const char* v = PQgetvalue(m_result.get(), m_row, column);
    if (v[0] == 't' && v[1] == '\0') return 1; // a boolean, as SQLite gives it
    if (v[0] == 'f' && v[1] == '\0') return 0;
    return std::strtoll(v, nullptr, 10);
  }
  double real(int column) const override
  {
    return std::strtod(PQgetvalue(m_result.get(), m_row, column), nullptr);
  }
  std::string text(int column) const override
  {
    return std::string(PQgetvalue(m_result.get(), m_row, column),
                       static_cast<std::size_t>(PQgetlength(m_result.get(), m_row, column)));
  }

private:
  std::optional<std::string>& slot(int index)
  {
    if (index < 1) throw DatabaseError("catalog: parameter index " + std::to_string(index));
    if (static_cast<std::size_t>(index) > m_params.size()) m_params.resize(index);
    return m_params[index - 1];
  }

  PostgresConnection& m_connection;
  std::string m_sql;
  std::vector<std::optional<std::string>> m_params;
  Result m_result;
  int m_row = -1;
};

class PostgresConnection final : public Connection
{
public:
  PostgresConnection(PGconn* conn, std::string display)
      : m_conn(conn), m_display(std::move(display))
  {
  }
  ~PostgresConnection() override { PQfinish(m_conn); }
  PostgresConnection(const PostgresConnection&) = delete;
  PostgresConnection& operator=(const PostgresConnection&) = delete;

  // Runs `sql` with text parameters; throws naming the catalog and the query on failure.
  Result run(const std::string& sql, const std::vector<std::optional<std::string>>& params)
  {
    const std::string& name = prepared(sql, params.size());
    std::vector<const char*> values;
    values.reserve(params.size());
    for (const auto& p : params)
      values.push_back(p ? p->c_str() : nullptr);
    Result result(PQexecPrepared(m_conn, name.c_str(), static_cast<int>(values.size()),
                                 values.data(), nullptr, nullptr, 0));
    check(result.get(), sql);
    const char* tuples = PQcmdTuples(result.get());
    m_changes = tuples && *tuples ? std::atoi(tuples) : 0;
    return result;
  }

  void exec(std::string_view sql) override
  {
    // A migration holds several statements: the simple query protocol runs them all.
    std::string text(sql);
    Result result(PQexec(m_conn, text.c_str()));
    check(result.get(), text);
  }
  std::unique_ptr<Cursor> prepare(std::string_view sql) override
  {
    return std::make_unique<PostgresCursor>(*this, sql);
  }
  std::int64_t last_insert_id() override
  {
    auto result = run("SELECT lastval()", {});
    return std::strtoll(PQgetvalue(result.get(), 0, 0), nullptr, 10);
  }
  int changes() const override { return m_changes; }
  void begin_write() override
  {
    exec("BEGIN");
    exec("SELECT pg_advisory_xact_lock(" + std::to_string(kWriterLockKey) + ")");
  }
  void begin_row_locked() override { exec("BEGIN"); }
  void commit() override { exec("COMMIT"); }
  void rollback() noexcept override { PQclear(PQexec(m_conn, "ROLLBACK")); }

private:
  // The statement prepared on this connection, once per text: parsed and
  // planned once, however often a scan runs it. Parameters go untyped, so
  // PostgreSQL gives each the type its use asks for, as SQLite's dynamic
  // typing does; one used only where no type follows (`? IS NULL`, a select
  // list) is declared text, and what was learned is kept per text for the
  // process. Inside a transaction a text's first preparation is under a
  // savepoint, since any error aborts the transaction.
  const std::string& prepared(const std::string& sql, std::size_t parameters)
  {
    if (auto it = m_prepared.find(sql); it != m_prepared.end()) return it->second;
    auto types = learned_types(sql);
    const bool known = types.has_value();
    if (!types) types.emplace();
    types->resize(parameters, 0);
    const std::string name = "lastgood_" + std::to_string(m_prepared.size() + 1);
    const bool guard = !known && PQtransactionStatus(m_conn) == PQTRANS_INTRANS;
    if (guard) exec("SAVEPOINT lastgood_types");
    Result result;
    for (std::size_t attempt = 0; attempt <= parameters; ++attempt) {
      result.reset(PQprepare(m_conn, name.c_str(), sql.c_str(), static_cast<int>(parameters),
                             types->data()));
      const auto index = known ? std::nullopt : indeterminate_parameter(result.get());
      if (!index || *index > types->size() || (*types)[*index - 1] == kTextOid) break;
      (*types)[*index - 1] = kTextOid;
      if (guard) exec("ROLLBACK TO SAVEPOINT lastgood_types");
    }
    if (ok(result.get())) {
      if (guard) exec("RELEASE SAVEPOINT lastgood_types");
      if (!known) learn_types(sql, *types);
    }
    check(result.get(), sql);
    return m_prepared.emplace(sql, name).first->second;
  }

  static bool ok(const PGresult* result)
  {
    const auto status = result ? PQresultStatus(result) : PGRES_FATAL_ERROR;
    return status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK || status == PGRES_EMPTY_QUERY;
  }
  void check(const PGresult* result, const std::string& sql)
  {
    if (ok(result)) return;
    std::string message = "catalog " + m_display + ": catalog query failed '" + sql.substr(0, 60) +
                          "': " + error_of(m_conn, result);
    if (PQstatus(m_conn) != CONNECTION_OK)
      message += " (the connection to the catalog server was lost; run the command again)";
    const char* state = result ? PQresultErrorField(result, PG_DIAG_SQLSTATE) : nullptr;
    if (state && std::string_view(state) == "25006")
      message += " (this user may read the catalog but not write it)";
    throw DatabaseError(message);
  }

  PGconn* m_conn;
  std::string m_display;
  int m_changes = 0;
  std::unordered_map<std::string, std::string> m_prepared; // text → statement name
};

PostgresCursor::PostgresCursor(PostgresConnection& connection, std::string_view sql)
    : m_connection(connection)
{
  int count = 0;
  m_sql = number_placeholders(sql, &count);
  m_params.resize(static_cast<std::size_t>(count));
}

bool PostgresCursor::step()
{
  if (!m_result) {
    m_result = m_connection.run(m_sql, m_params);
    m_row = -1;
  }
  return ++m_row < PQntuples(m_result.get());
}

} // namespace

std::unique_ptr<Connection> open_postgres(const std::string& uri, const std::string& display,
                                          bool read_only)
{
  PGconn* conn = PQconnectdb(uri.c_str());
  if (!conn) throw DatabaseError("cannot connect to catalog " + display + ": out of memory");
  if (PQstatus(conn) != CONNECTION_OK) {
    std::string message = error_of(conn, nullptr);
    PQfinish(conn);
    throw DatabaseError("cannot connect to catalog " + display + ": " + message +
                        " (check the URI, that the database exists, and the password in "
                        "PGPASSWORD or ~/.pgpass)");
  }
  // Server notices (e.g. "relation already exists, skipping") are not ours to print.
  PQsetNoticeProcessor(
      conn, [](void*, const char*) {}, nullptr);
  auto connection = std::make_unique<PostgresConnection>(conn, display);
  connection->exec("SET client_min_messages = warning");
  if (read_only) connection->exec("SET default_transaction_read_only = on");
  return connection;
}

} // namespace lastgood::catalog
