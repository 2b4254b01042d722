#include "verifier/scratch_server.hpp"

#include "common/error.hpp"
#include "common/redact.hpp"
#include "pg/conninfo.hpp"
#include "pg/database_creation.hpp"
#include "pg/pg_connection.hpp"
#include "pg/scratch_cluster.hpp"

#include <pqxx/pqxx>

namespace lastgood::verifier {

ScratchServer::ScratchServer(std::string spec, std::string run_as, std::string named_by)
    : m_spec(std::move(spec)), m_run_as(std::move(run_as)), m_named_by(std::move(named_by))
{
  if (m_spec.empty()) m_spec = "auto";
}

ScratchServer::~ScratchServer() = default;

void ScratchServer::ensure_started()
{
  if (m_spec != "auto" || m_cluster) return;
  pg::ScratchClusterOptions options;
  if (!m_run_as.empty()) options.run_as_user = m_run_as;
  m_cluster = pg::ScratchCluster::start(options);
}

std::string ScratchServer::conninfo(const std::string& dbname)
{
  ensure_started();
  return m_cluster ? m_cluster->conninfo(dbname) : pg::with_dbname(m_spec, dbname);
}

std::string ScratchServer::display() const
{
  return m_spec == "auto" ? "auto" : redact(m_spec);
}

void ScratchServer::create_database(const std::string& name)
{
  auto conn = pg::connect(conninfo("postgres"), m_named_by);
  pqxx::nontransaction tx(*conn);
  tx.exec("CREATE DATABASE " + pg::quote_ident(name) + " TEMPLATE template0");
}

void ScratchServer::drop_database(const std::string& name)
{
  if (!name.starts_with(kScratchPrefix))
    throw Error("refusing to drop database '" + name + "': lastgood only drops its own " +
                kScratchPrefix + "<run> databases");
  auto conn = pg::connect(conninfo("postgres"), m_named_by);
  pqxx::nontransaction tx(*conn);
  tx.exec("DROP DATABASE IF EXISTS " + pg::quote_ident(name) + " WITH (FORCE)");
}

std::vector<std::string>
ScratchServer::drop_abandoned(const std::function<bool(std::int64_t)>& abandoned)
{
  std::vector<std::string> names;
  {
    auto conn = pg::connect(conninfo("postgres"), m_named_by);
    // A creation a dead run left running would make its database appear after this look.
    auto creations = pg::databases_being_created(*conn, kScratchPrefix);
    std::erase_if(creations, [&](const pg::DatabaseCreation& c) {
      auto suffix = c.database.substr(std::string_view(kScratchPrefix).size());
      return suffix.empty() || suffix.find_first_not_of("0123456789") != std::string::npos ||
             !abandoned(std::stoll(suffix));
    });
    pg::end_database_creations(*conn, creations);
    pqxx::nontransaction tx(*conn);
    for (auto row :
         tx.exec("SELECT datname FROM pg_database WHERE datname LIKE 'lastgood\\_verify\\_%'")) {
      auto name = row[0].as<std::string>();
      auto suffix = name.substr(std::string_view(kScratchPrefix).size());
      if (suffix.empty() || suffix.find_first_not_of("0123456789") != std::string::npos) continue;
      if (abandoned(std::stoll(suffix))) names.push_back(name);
    }
  }
  for (const auto& name : names)
    drop_database(name);
  return names;
}

} // namespace lastgood::verifier
