#include "pg/exact_fingerprint.hpp"

#include "common/error.hpp"
#include "common/redact.hpp"
#include "pg/pg_connection.hpp"

#include <chrono>
#include <libpq-fe.h>
#include <memory>
#include <pqxx/pqxx>
#include <unistd.h>

namespace lastgood::pg {
namespace {

struct ConnectionClose
{
  void operator()(PGconn* c) const { PQfinish(c); }
};
struct ResultClear
{
  void operator()(PGresult* r) const { PQclear(r); }
};

std::string trimmed(std::string text)
{
  while (!text.empty() && (text.back() == '\n' || text.back() == ' '))
    text.pop_back();
  return text;
}

// A replication connection holding a TEMPORARY logical slot: its exported
// snapshot stays importable until the connection runs another command or
// closes (which also drops the slot).
class TemporarySlot
{
public:
  explicit TemporarySlot(const std::string& conninfo)
  {
    // expand_dbname: conninfo may be a URI or key=value; replication overrides.
    const char* keys[] = {"dbname", "replication", nullptr};
    const char* values[] = {conninfo.c_str(), "database", nullptr};
    m_conn.reset(PQconnectdbParams(keys, values, 1));
    if (!m_conn || PQstatus(m_conn.get()) != CONNECTION_OK)
      throw DatabaseError("no replication connection: " +
                          redact(trimmed(m_conn ? PQerrorMessage(m_conn.get()) : "out of memory")));
    const auto stamp = std::chrono::steady_clock::now().time_since_epoch().count();
    const std::string name =
        "lastgood_fp_" + std::to_string(::getpid()) + "_" + std::to_string(stamp % 1000000000);
    // PostgreSQL 15 has the option list; older servers the keyword.
    const std::string command =
        "CREATE_REPLICATION_SLOT " + name + " TEMPORARY LOGICAL pgoutput " +
        (PQserverVersion(m_conn.get()) >= 150000 ? "(SNAPSHOT 'export')" : "EXPORT_SNAPSHOT");
    std::unique_ptr<PGresult, ResultClear> r(PQexec(m_conn.get(), command.c_str()));
    if (PQresultStatus(r.get()) != PGRES_TUPLES_OK || PQntuples(r.get()) != 1)
      throw DatabaseError("CREATE_REPLICATION_SLOT failed: " +
                          trimmed(PQresultErrorMessage(r.get())));
    m_consistent_point = PQgetvalue(r.get(), 0, PQfnumber(r.get(), "consistent_point"));
    m_snapshot = PQgetvalue(r.get(), 0, PQfnumber(r.get(), "snapshot_name"));
  }
  const std::string& consistent_point() const { return m_consistent_point; }
  const std::string& snapshot() const { return m_snapshot; }

private:
  std::unique_ptr<PGconn, ConnectionClose> m_conn;
  std::string m_consistent_point, m_snapshot;
};

DatabaseFingerprint approximate(const std::string& conninfo, FingerprintMode mode, std::string why)
{
  auto f = fingerprint_database(conninfo, mode);
  f.lsn_note = "WAL position approximate (" + std::move(why) +
               "): commits racing the fingerprint may lie before it, so a PITR drill to it "
               "is not compared as proof";
  return f;
}

} // namespace

DatabaseFingerprint fingerprint_at_exact_lsn(const std::string& conninfo, FingerprintMode mode)
{
  auto connection = connect(conninfo);
  std::string wal_level;
  bool standby = false;
  try {
    pqxx::nontransaction probe(*connection);
    auto row = probe.exec1("SELECT current_setting('wal_level'), pg_is_in_recovery()");
    wal_level = row[0].as<std::string>();
    standby = row[1].as<bool>();
  } catch (const pqxx::failure& e) {
    throw DatabaseError(std::string("could not read wal_level of the database: ") + e.what());
  }
  if (standby) return approximate(conninfo, mode, "the server is a standby");
  if (wal_level != "logical")
    return approximate(conninfo, mode,
                       "wal_level is " + wal_level +
                           ", not logical: no logical slot can export the exact snapshot");
  std::unique_ptr<TemporarySlot> slot;
  try {
    slot = std::make_unique<TemporarySlot>(conninfo);
  } catch (const DatabaseError& e) {
    return approximate(conninfo, mode,
                       std::string("no temporary logical replication slot (") + e.what() +
                           "); the role needs REPLICATION, a free slot and WAL sender");
  }
  try {
    pqxx::transaction<pqxx::repeatable_read, pqxx::read_only> tx(*connection);
    tx.exec0("SET TRANSACTION SNAPSHOT " + tx.quote(slot->snapshot()));
    auto f = fingerprint_in(tx, mode);
    f.wal_lsn = slot->consistent_point();
    f.exact_lsn = true;
    return f;
  } catch (const pqxx::failure& e) {
    throw DatabaseError(std::string("could not fingerprint the database in the slot's "
                                    "snapshot: ") +
                        e.what());
  }
}

} // namespace lastgood::pg
