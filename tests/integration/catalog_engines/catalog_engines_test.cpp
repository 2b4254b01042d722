// The catalog on PostgreSQL (issue 15) beside the catalog on SQLite, with the
// real binary and a real PostgreSQL 15 server: the same commands give the
// same answers on both engines; migrations racing from several processes
// apply once; a newer catalog is refused; the password never shows; catalog
// export copies every row both ways; three verifiers share the due work
// exactly once, as processes and as --verifiers threads of one; the Grafana dashboard's queries run
// on the PostgreSQL catalog.

#include "catalog/test_catalog_server.hpp"
#include "pg/pg_connection.hpp"
#include "pg/scratch_cluster.hpp"
#include "tests/support/run_command.hpp"
#include "tests/support/temp_dir.hpp"

#include <filesystem>
#include <fstream>
#include <gtest/gtest.h>
#include <map>
#include <nlohmann/json.hpp>
#include <pqxx/pqxx>
#include <regex>

namespace lastgood {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using testing::run_lastgood;
using testing::run_shell;
using testing::shell_quote;

class CatalogEngines : public ::testing::Test
{
protected:
  static void SetUpTestSuite()
  {
    // These tests name each engine themselves: an SQLite path here must stay
    // a file even when the suite runs with its catalogs on PostgreSQL.
    ::unsetenv(catalog::kTestCatalogServerVariable);
    s_home = new testing::TempDir();
    fs::permissions(s_home->path(),
                    fs::perms::owner_all | fs::perms::group_exec | fs::perms::others_exec);
    s_server = pg::ScratchCluster::start({.base_dir = s_home->path().string()}).release();
  }
  static void TearDownTestSuite()
  {
    delete s_server;
    delete s_home;
  }
  void SetUp() override
  {
    if (testing::artifacts_dir().empty())
      GTEST_SKIP() << "LASTGOOD_ARTIFACTS not set (run through ctest)";
  }

  // A new, empty database on the server, and the catalog URI naming it.
  std::string new_postgres_catalog(const std::string& name)
  {
    auto conn = pg::connect(s_server->conninfo("postgres"));
    pqxx::nontransaction(*conn).exec("CREATE DATABASE " + name);
    return uri(name);
  }
  static std::string uri(const std::string& database, const std::string& userinfo = "lastgood")
  {
    return "postgresql://" + userinfo + "@/" + database + "?host=" + s_server->socket_dir() +
           "&port=" + std::to_string(s_server->port());
  }
  static pqxx::result query(const std::string& database, const std::string& sql)
  {
    auto conn = pg::connect(s_server->conninfo(database));
    return pqxx::nontransaction(*conn).exec(sql);
  }
  static testing::CommandResult lg(const std::string& catalog, const std::string& args)
  {
    return run_lastgood("--catalog " + shell_quote(catalog) + " " + args);
  }
  static std::string repo(const std::string& name)
  {
    return (testing::artifacts_dir() / "repo" / name).string();
  }
  // Adds the fixture's repositories and scans them.
  static void fill(const std::string& catalog)
  {
    for (const char* name : {"base", "dumps", "wal"})
      ASSERT_EQ(
          lg(catalog, std::string("repo add ") + name + " " + shell_quote(repo(name))).exit_code,
          0);
    auto scan = lg(catalog, "scan -q");
    ASSERT_EQ(scan.exit_code, 0) << scan.err;
  }

  static testing::TempDir* s_home;
  static pg::ScratchCluster* s_server;
  testing::TempDir m_home;
};

testing::TempDir* CatalogEngines::s_home = nullptr;
pg::ScratchCluster* CatalogEngines::s_server = nullptr;

// What differs between two runs of the same command whatever the engine:
// clock readings, durations, ages, speeds, process ids and object numbers.
std::string without_moments(std::string text)
{
  static const std::vector<std::pair<std::regex, std::string>> volatile_parts = {
      {std::regex(R"x(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z)x"), "<time>"},
      {std::regex(R"x("(duration_seconds|age_seconds|seconds|pid|elapsed_seconds)": [0-9.e+-]+)x"),
       "\"$1\": <n>"},
      {std::regex(R"x(\d+(\.\d+)? ?(s|ms|MB/s|MiB/s|GB/s)\b)x"), "<n>"},
      {std::regex(R"x(\d+h\d+m\d+s|\d+m\d+s|\d+d\d+h)x"), "<age>"},
      {std::regex(R"x(=\d+s;)x"), "=<n>s;"},
      {std::regex(R"x((_seconds(\{[^}]*\})?) [0-9.e+-]+)x"), "$1 <n>"},
      {std::regex(R"x("holder": "[^"]*")x"), "\"holder\": <h>"},
      // Objects are numbered in the order parallel hashing finishes them.
      {std::regex(R"x("object_id": \d+)x"), "\"object_id\": <id>"},
      {std::regex(R"x(\b\d+\.\d{4,}\b)x"), "<f>"}, // measured durations
  };
  for (const auto& [pattern, replacement] : volatile_parts)
    text = std::regex_replace(text, pattern, replacement);
  return text;
}

TEST_F(CatalogEngines, TheSameCommandsGiveTheSameAnswersOnSqliteAndPostgresql)
{
  const std::string sqlite = (m_home.path() / "catalog.db").string();
  const std::string postgres = new_postgres_catalog("same_answers");
  fill(sqlite);
  fill(postgres);
  auto backups = json::parse(lg(sqlite, "backups --json").out)["backups"];
  std::string inventory, base;
  for (const auto& b : backups) {
    if (b["database"] == "inventory") inventory = b["id"];
    if (b["location"] == "tar-1") base = b["id"];
  }
  ASSERT_FALSE(inventory.empty());
  ASSERT_FALSE(base.empty());
  // A point in time after tar-1: recovery fetches archived WAL through the
  // catalog (wal-fetch), from a PostgreSQL catalog too.
  std::string mark_time;
  const auto expected = json::parse(testing::read_file(testing::artifacts_dir() / "expected.json"));
  for (const auto& m : expected["marks"])
    if (m["name"] == "after-tar-1") mark_time = m["time"];
  ASSERT_FALSE(mark_time.empty());
  const std::vector<std::string> commands = {
      "backups --json",
      "status --json",
      "verify --level checksum --json",
      "verify --level structure --json",
      "verify " + inventory + " --level restore --scratch auto --json",
      "verify " + base + " --level pitr --target-time " + mark_time + " --json",
      "status --json",
      "pick --json",
      "pick --database inventory --json",
      "report --json",
      "check",
      "metrics",
      "history --json",
      "show " + base + " --json",
      "wal --json",
      "plan --json --target-lsn 0/5000000 --no-waldump",
      "hold add " + base + " --reason audit --indefinite",
      "hold list --json",
      "retention plan --json",
      "status --json",
  };
  for (const auto& command : commands) {
    auto a = lg(sqlite, command);
    auto b = lg(postgres, command);
    EXPECT_EQ(a.exit_code, b.exit_code)
        << command << "\nSQLite: " << a.err << "\nPostgreSQL: " << b.err;
    EXPECT_EQ(without_moments(a.out), without_moments(b.out)) << command;
    EXPECT_EQ(b.err.find("catalog query failed"), std::string::npos) << command << ": " << b.err;
  }
  // The restore test ran and passed on both: the verdict is not vacuous.
  auto pick = json::parse(lg(postgres, "pick --database inventory --json").out);
  EXPECT_EQ(pick["backup"]["id"], inventory);
  // Grafana's PostgreSQL data source charts the fleet from the catalog's
  // views: every panel's query of the shipped dashboard runs and has rows.
  const auto dashboard = json::parse(
      testing::read_file(testing::source_dir() / "docs/grafana/lastgood-catalog-dashboard.json"));
  int panels = 0;
  for (const auto& panel : dashboard["panels"])
    for (const auto& target : panel.value("targets", json::array())) {
      if (!target.contains("rawSql")) continue;
      const std::string sql = target["rawSql"];
      ++panels;
      const auto rows = query("same_answers", sql);
      if (sql.find("v_verification_leases") == std::string::npos) { // none held now
        EXPECT_GT(rows.size(), 0u) << sql;
      }
    }
  EXPECT_GE(panels, 6);
}

TEST_F(CatalogEngines, MigrationsRacingFromSeveralProcessesApplyOnce)
{
  const std::string catalog = new_postgres_catalog("racing");
  std::string script;
  for (int i = 0; i < 4; ++i)
    script += shell_quote(testing::lastgood_binary()) + " --catalog " + shell_quote(catalog) +
              " catalog init > " +
              shell_quote((m_home.path() / ("out" + std::to_string(i))).string()) +
              " 2>&1 & pids=\"$pids $!\"; ";
  auto r = run_shell("bash -c " + shell_quote(script + "fails=0; for p in $pids; do wait $p || "
                                                       "fails=$((fails+1)); done; exit $fails"));
  std::string outputs;
  for (int i = 0; i < 4; ++i)
    outputs += testing::read_file(m_home.path() / ("out" + std::to_string(i)));
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err << outputs;
  auto versions = query("racing", "SELECT count(*), count(DISTINCT version), min(version), "
                                  "max(version) FROM schema_migrations");
  EXPECT_EQ(versions[0][0].as<int>(), versions[0][1].as<int>());
  EXPECT_EQ(versions[0][2].as<int>(), 1);
  EXPECT_EQ(versions[0][3].as<int>(), versions[0][0].as<int>()); // no gaps, each once
  EXPECT_EQ(lg(catalog, "status --json").exit_code, 3);          // an empty catalog, usable
}

TEST_F(CatalogEngines, ANewerCatalogIsRefusedAndLeftUntouched)
{
  const std::string catalog = new_postgres_catalog("newer");
  ASSERT_EQ(lg(catalog, "catalog init").exit_code, 0);
  query("newer", "INSERT INTO schema_migrations VALUES (9999, 'from the future', 'x')");
  auto r = lg(catalog, "status");
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find("newer lastgood"), std::string::npos) << r.err;
  EXPECT_EQ(query("newer", "SELECT max(version) FROM schema_migrations")[0][0].as<int>(), 9999);
  // A database that holds other tables but no catalog is someone else's.
  new_postgres_catalog("someone_else");
  query("someone_else", "CREATE TABLE invoices (id int)");
  auto foreign = lg(uri("someone_else"), "catalog init");
  EXPECT_EQ(foreign.exit_code, 2) << foreign.err;
  EXPECT_NE(foreign.err.find("not a lastgood catalog"), std::string::npos) << foreign.err;
}

TEST_F(CatalogEngines, ThePasswordNeverShows)
{
  for (const auto& catalog :
       {uri("no_such_db", "lastgood:s3cret-pw"), uri("no_such_db") + "&password=s3cret-pw"}) {
    auto r = lg(catalog, "status");
    EXPECT_EQ(r.exit_code, 1) << r.err;
    EXPECT_NE(r.err.find("no_such_db"), std::string::npos) << r.err;
    EXPECT_EQ(r.err.find("s3cret-pw"), std::string::npos) << r.err;
    EXPECT_EQ(r.out.find("s3cret-pw"), std::string::npos) << r.out;
    for (const char* shows_the_catalog : {"config", "config --json"}) {
      auto shown = lg(catalog, shows_the_catalog);
      EXPECT_NE(shown.out.find("no_such_db"), std::string::npos) << shown.out << shown.err;
      EXPECT_EQ(shown.out.find("s3cret-pw"), std::string::npos) << shown.out;
    }
  }
  // Without a catalog there, a command that does not create one says so.
  const std::string empty = new_postgres_catalog("empty");
  auto r = lg(empty + "&password=s3cret-pw", "status");
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find("no catalog in"), std::string::npos) << r.err;
  EXPECT_EQ(r.err.find("s3cret-pw"), std::string::npos) << r.err;
}

TEST_F(CatalogEngines, ExportCopiesEveryRowToPostgresqlAndBack)
{
  const std::string sqlite = (m_home.path() / "catalog.db").string();
  fill(sqlite);
  ASSERT_EQ(lg(sqlite, "verify --level checksum -q").exit_code, 0);
  const std::string postgres = new_postgres_catalog("exported");
  auto out = lg(sqlite, "catalog export --to " + shell_quote(postgres) + " --json");
  ASSERT_EQ(out.exit_code, 0) << out.err;
  auto summary = json::parse(out.out);
  EXPECT_GT(summary["tables"]["objects"].get<int>(), 1000);
  EXPECT_EQ(summary["checked"], "row for row");
  EXPECT_EQ(query("exported", "SELECT count(*) FROM objects")[0][0].as<int>(),
            summary["tables"]["objects"].get<int>());
  // The PostgreSQL copy answers as the original does.
  EXPECT_EQ(without_moments(lg(postgres, "report --json").out),
            without_moments(lg(sqlite, "report --json").out));
  // And back: the same rows, byte for byte.
  const std::string back = (m_home.path() / "back.db").string();
  ASSERT_EQ(lg(postgres, "catalog export --to " + shell_quote(back)).exit_code, 0);
  auto dump = [](const std::string& file) {
    return run_shell("sqlite3 " + shell_quote(file) + " .dump").out;
  };
  EXPECT_EQ(dump(back), dump(sqlite));
  // The copy goes on from there: new runs get new ids.
  ASSERT_EQ(lg(postgres, "verify --level checksum -q").exit_code, 0);
  EXPECT_EQ(query("exported", "SELECT count(*) FROM verification_runs")[0][0].as<int>(),
            2 * query("exported", "SELECT count(DISTINCT backup_id) FROM verification_runs")[0][0]
                    .as<int>());
  // Never into a catalog that holds one.
  auto again = lg(sqlite, "catalog export --to " + shell_quote(postgres));
  EXPECT_EQ(again.exit_code, 2);
  EXPECT_NE(again.err.find("already holds a catalog"), std::string::npos) << again.err;
}

TEST_F(CatalogEngines, ThreeVerifiersShareTheDueWorkExactlyOnce)
{
  const std::string catalog = new_postgres_catalog("fleet");
  ASSERT_EQ(lg(catalog, "repo add dumps " + shell_quote(repo("dumps"))).exit_code, 0);
  ASSERT_EQ(lg(catalog, "scan -q").exit_code, 0);
  const auto config = m_home.path() / "fleet.toml";
  {
    std::ofstream f(config);
    f << "[verify]\nscratch = \"" << s_server->conninfo("postgres") << "\"\n"
      << "lease_expiry = \"30s\"\n";
  }
  std::string script;
  for (int i = 0; i < 3; ++i)
    script += shell_quote(testing::lastgood_binary()) + " --catalog " + shell_quote(catalog) +
              " --config " + shell_quote(config.string()) +
              " verify --due -q > /dev/null 2>&1 & pids=\"$pids $!\"; ";
  auto r = run_shell("bash -c " + shell_quote(script + "fails=0; for p in $pids; do wait $p || "
                                                       "fails=$((fails+1)); done; exit $fails"));
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  auto runs = query("fleet", "SELECT backup_id, level, count(*) FROM verification_runs"
                             " GROUP BY backup_id, level HAVING count(*) > 1");
  EXPECT_EQ(runs.size(), 0u) << "a backup was verified twice at one level";
  auto restored = query("fleet", "SELECT count(DISTINCT backup_id) FROM verification_runs"
                                 " WHERE level = 'restore' AND outcome = 'pass'");
  EXPECT_GE(restored[0][0].as<int>(), 2); // shop and inventory at least
  EXPECT_EQ(query("fleet", "SELECT count(*) FROM verification_runs WHERE outcome = 'running'")[0][0]
                .as<int>(),
            0);
}

// One process verifying three backups at once (--verifiers 3), each worker
// on its own catalog connection, on either engine; the cap of one test
// restore per source holds them back, it does not lose them.
TEST_F(CatalogEngines, VerifiersInOneProcessVerifyEachDueBackupOnce)
{
  const auto config = m_home.path() / "verifiers.toml";
  {
    std::ofstream f(config);
    f << "[verify]\nscratch = \"" << s_server->conninfo("postgres") << "\"\n"
      << "max_concurrent_per_source = 1\n";
  }
  const std::string args = "--config " + shell_quote(config.string()) + " ";
  for (const std::string& catalog :
       {(m_home.path() / "verifiers.db").string(), new_postgres_catalog("verifiers")}) {
    ASSERT_EQ(lg(catalog, "repo add dumps " + shell_quote(repo("dumps"))).exit_code, 0);
    ASSERT_EQ(lg(catalog, "scan -q").exit_code, 0);
    auto verify = lg(catalog, args + "verify --due --verifiers 3 --json");
    ASSERT_EQ(verify.exit_code, 0) << catalog << ": " << verify.out << verify.err;
    const auto reports = json::parse(verify.out)["runs"];
    ASSERT_GE(reports.size(), 3u) << "fewer due backups than workers: " << verify.out;
    std::map<std::string, int> restores_by_backup;
    for (const auto& r : reports) {
      EXPECT_EQ(r["outcome"], "pass") << r.dump();
      if (r["level"] == "restore") ++restores_by_backup[r["backup"].get<std::string>()];
    }
    EXPECT_GE(restores_by_backup.size(), 2u) << "shop and inventory at least";
    for (const auto& [backup, count] : restores_by_backup)
      EXPECT_EQ(count, 1) << backup << " test-restored " << count << " times";
    // Every report is one recorded run, none left running, none twice.
    const auto history = json::parse(lg(catalog, "history --json").out)["runs"];
    EXPECT_EQ(history.size(), reports.size());
    std::map<std::pair<std::string, std::string>, int> runs;
    for (const auto& run : history) {
      EXPECT_EQ(run["outcome"], "pass") << run.dump();
      const std::pair<std::string, std::string> key(run["backup"], run["level"]);
      EXPECT_EQ(++runs[key], 1) << run.dump();
    }
    auto again = lg(catalog, args + "verify --due --verifiers 3 --json");
    EXPECT_EQ(again.exit_code, 0) << again.err;
    EXPECT_EQ(json::parse(again.out)["runs"].size(), 0u) << "due again: " << again.out;
  }
  // `run --verifiers 3`: its verify stage works the same way.
  const std::string catalog = (m_home.path() / "run.db").string();
  ASSERT_EQ(lg(catalog, "repo add dumps " + shell_quote(repo("dumps"))).exit_code, 0);
  auto run = lg(catalog, args + "run --verifiers 3 --json");
  ASSERT_NE(run.exit_code, 1) << run.out << run.err;
  const auto history = json::parse(lg(catalog, "history --json").out)["runs"];
  EXPECT_GE(history.size(), 3u);
  std::map<std::pair<std::string, std::string>, int> runs;
  for (const auto& r : history) {
    EXPECT_EQ(r["outcome"], "pass") << r.dump();
    const std::pair<std::string, std::string> key(r["backup"], r["level"]);
    EXPECT_EQ(++runs[key], 1) << r.dump();
  }
}

} // namespace
} // namespace lastgood
