// wal search and --target-xid / --exclusive against a real cluster built here:
// a base backup, then known commits (INSERT, a large DELETE, an UPDATE,
// TRUNCATE, DROP TABLE) at recorded xids, archived. wal search finds each with
// its xid (the dropped table resolved from pg_class of the test-restored base
// backup, the others on the live server), a second search reads no WAL, and
// restore --pgdata --target-xid X --exclusive --start brings back exactly the
// rows as they were just before X.

#include "common/time.hpp"
#include "pg/child_process.hpp"
#include "pg/pg_connection.hpp"
#include "pg/scratch_cluster.hpp"
#include "tests/support/run_command.hpp"
#include "tests/support/temp_dir.hpp"

#include <chrono>
#include <filesystem>
#include <fstream>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <pqxx/pqxx>
#include <thread>
#include <unistd.h>

namespace lastgood {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using namespace std::chrono_literals;

class WalSearch : public ::testing::Test
{
protected:
  void SetUp() override
  {
    fs::permissions(m_home.path(),
                    fs::perms::owner_all | fs::perms::group_exec | fs::perms::others_exec);
    fs::create_directories(archive());
    fs::create_directories(m_home.path() / "repo/base");
    fs::permissions(archive(), fs::perms::all); // the server's user archives into it
    m_cluster = pg::ScratchCluster::start(
        {.base_dir = m_home.path().string(),
         .settings = {"wal_level=replica", "archive_mode=on",
                      "archive_command=cp %p " + archive().string() + "/%f", "max_wal_senders=4"}});
    exec("postgres", "CREATE DATABASE shop");
    exec("shop", "CREATE TABLE orders (id int PRIMARY KEY, note text NOT NULL);"
                 "INSERT INTO orders SELECT g, 'order ' || g FROM generate_series(1, 100) g;"
                 "CREATE TABLE items (id int PRIMARY KEY, qty int NOT NULL);"
                 "INSERT INTO items SELECT g, g FROM generate_series(1, 50) g;"
                 "CREATE TABLE notes (id int, body text);"
                 "INSERT INTO notes SELECT g, 'n' FROM generate_series(1, 30) g;");
    auto bb =
        pg::run_process({.argv = {pg::find_pg_program("pg_basebackup"), "-d", m_cluster->conninfo(),
                                  "-D", (m_home.path() / "repo/base/b1").string(), "-Fp", "-X",
                                  "none", "-c", "fast", "--no-sync", "-l", "b1"},
                         .timeout = 120s});
    ASSERT_EQ(bb.exit_code, 0) << bb.err;
    m_xid["insert"] = committed("INSERT INTO orders SELECT g, 'order ' || g "
                                "FROM generate_series(101, 110) g");
    m_xid["delete"] = committed("DELETE FROM items WHERE id > 20");
    m_xid["update"] = committed("UPDATE items SET qty = qty + 1000 WHERE id <= 5");
    m_xid["truncate"] = committed("TRUNCATE notes");
    m_xid["drop"] = committed("DROP TABLE orders");
    archive_everything();
    ASSERT_EQ(lastgood("repo add arch " + (m_home.path() / "repo").string()).exit_code, 0);
    auto scan = lastgood("scan -q");
    ASSERT_EQ(scan.exit_code, 0) << scan.out << scan.err;
  }
  void TearDown() override
  {
    for (const auto& dir : {pgdata(), pgdata("delete"), pgdata("update"), pgdata("truncate")})
      stop(dir);
  }
  static void stop(const fs::path& dir)
  {
    if (fs::exists(dir / "postmaster.pid"))
      pg::run_process(
          {.argv = {pg::find_pg_program("pg_ctl"), "-D", dir.string(), "-m", "immediate", "stop"},
           .run_as_user = ::geteuid() == 0 ? "postgres" : "",
           .cwd = "/",
           .timeout = 60s});
  }
  fs::path archive() const { return m_home.path() / "repo/wal"; }
  fs::path pgdata(const std::string& name = "") const
  {
    return m_home.path() / (name.empty() ? "pgdata" : "pgdata-" + name);
  }
  void exec(const std::string& db, const std::string& sql)
  {
    auto conn = pg::connect(m_cluster->conninfo(db));
    pqxx::nontransaction(*conn).exec(sql);
  }
  // Runs sql in a transaction of its own and returns that transaction's xid.
  std::string committed(const std::string& sql)
  {
    auto conn = pg::connect(m_cluster->conninfo("shop"));
    pqxx::work tx(*conn);
    tx.exec(sql);
    auto xid = tx.exec1("SELECT txid_current()")[0].as<std::string>();
    tx.commit();
    return xid;
  }
  void archive_everything()
  {
    auto conn = pg::connect(m_cluster->conninfo("postgres"));
    pqxx::nontransaction tx(*conn);
    auto last = tx.exec1("SELECT pg_walfile_name(pg_current_wal_lsn())")[0].as<std::string>();
    tx.exec("SELECT pg_switch_wal()");
    for (int i = 0; i < 300 && !fs::exists(archive() / last); ++i)
      std::this_thread::sleep_for(100ms);
    ASSERT_TRUE(fs::exists(archive() / last)) << last << " was not archived";
  }
  testing::CommandResult lastgood(const std::string& args)
  {
    return testing::run_lastgood(
        "--catalog " + testing::shell_quote((m_home.path() / "catalog.db").string()) + " " + args);
  }
  json search(const std::string& args, int exit_code = 0)
  {
    auto r = lastgood("wal search --database shop --json " + args);
    EXPECT_EQ(r.exit_code, exit_code) << r.out << r.err;
    try {
      return json::parse(r.out);
    } catch (const std::exception&) {
      ADD_FAILURE() << "not JSON: " << r.out << r.err;
      return json::object();
    }
  }
  // restore --pgdata ... --start; returns a connection string to the restored server.
  std::string restore_started(const std::string& target, const fs::path& dir = {})
  {
    auto r = lastgood("restore --json --pgdata " + (dir.empty() ? pgdata() : dir).string() + " " +
                      target + " --start");
    EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
    auto doc = json::parse(r.out);
    EXPECT_EQ(doc["outcome"], "pass") << doc.dump(2);
    const auto& point = doc["recovery_point"];
    return "host=" + point.value("socket_dir", std::string("/tmp")) +
           " port=" + std::to_string(point.value("port", 0)) +
           " dbname=shop user=" + pg::ScratchCluster::kSuperuser;
  }
  static std::string one(const std::string& conninfo, const std::string& sql)
  {
    auto conn = pg::connect(conninfo);
    return pqxx::nontransaction(*conn).exec1(sql)[0].as<std::string>();
  }
  static json hit_of(const json& doc, const std::string& xid)
  {
    for (const auto& h : doc["results"])
      if (std::to_string(h["xid"].get<std::uint32_t>()) == xid) return h;
    ADD_FAILURE() << "no result with xid " << xid << " in " << doc.dump(2);
    return json::object();
  }

  testing::TempDir m_home;
  std::unique_ptr<pg::ScratchCluster> m_cluster;
  std::map<std::string, std::string> m_xid;
};

TEST_F(WalSearch, TargetXidExclusiveStopsJustBeforeTheTransaction)
{
  auto plan = lastgood("plan --json --target-xid " + m_xid["insert"] + " --exclusive");
  ASSERT_EQ(plan.exit_code, 0) << plan.out << plan.err;
  auto p = json::parse(plan.out);
  EXPECT_EQ(p["reachable"], true) << p.dump(2);
  EXPECT_EQ(p["target"]["kind"], "xid");
  EXPECT_EQ(p["target"]["inclusive"], false);
  EXPECT_EQ(p["transaction"]["kind"], "commit") << p.dump(2);
  EXPECT_EQ(p["target_point"]["lsn"], p["transaction"]["end_lsn"]);

  auto conninfo = restore_started("--target-xid " + m_xid["insert"] + " --exclusive");
  // The transaction's 10 rows are absent, everything committed before it is there.
  EXPECT_EQ(one(conninfo, "SELECT count(*) FROM orders"), "100");
  EXPECT_EQ(one(conninfo, "SELECT max(id) FROM orders"), "100");
  EXPECT_EQ(one(conninfo, "SELECT count(*) FROM items"), "50");
  auto conf = testing::read_file(pgdata() / "postgresql.auto.conf");
  EXPECT_NE(conf.find("recovery_target_xid = '" + m_xid["insert"] + "'"), std::string::npos);
  EXPECT_NE(conf.find("recovery_target_inclusive = 'off'"), std::string::npos) << conf;
}

TEST_F(WalSearch, UsageErrorsAndUnknownXid)
{
  EXPECT_EQ(lastgood("plan --target latest --exclusive").exit_code, 2);
  EXPECT_EQ(lastgood("plan --target-xid abc").exit_code, 2);
  EXPECT_EQ(lastgood("plan --target-xid 1").exit_code, 2);
  EXPECT_EQ(lastgood("plan --target-xid 5 --target-lsn 0/1").exit_code, 2);
  EXPECT_EQ(
      lastgood("restore --pgdata " + pgdata().string() + " --last-good --exclusive").exit_code, 2);
  EXPECT_FALSE(fs::exists(pgdata()));
  auto r = lastgood("plan --json --target-xid 4000000000");
  EXPECT_EQ(r.exit_code, 3) << r.out << r.err;
  EXPECT_EQ(json::parse(r.out)["unreachable"]["reason"], "xid_not_found") << r.out;
  EXPECT_EQ(lastgood("wal search --database shop --table public.orders --op nope").exit_code, 2);
}

TEST_F(WalSearch, FindsEachChangeWithItsXidOnTheLiveServer)
{
  const std::string live = "--dbname " + testing::shell_quote(m_cluster->conninfo("shop"));
  auto items = search("--table public.items " + live);
  EXPECT_EQ(items["resolved"], true) << items.dump(2);
  auto del = hit_of(items, m_xid["delete"]);
  EXPECT_EQ(del["operation"], "delete");
  EXPECT_EQ(del["rows"]["deleted"], 30);
  auto upd = hit_of(items, m_xid["update"]);
  EXPECT_EQ(upd["operation"], "update");
  EXPECT_EQ(upd["rows"]["updated"], 5);
  EXPECT_EQ(upd["restore_command"],
            "lastgood restore --pgdata DIR --target-xid " + m_xid["update"] + " --exclusive");
  auto only_deletes = search("--table items --op delete " + live);
  ASSERT_EQ(only_deletes["results"].size(), 1u) << only_deletes.dump(2);
  auto notes = search("--table public.notes --op truncate " + live);
  ASSERT_EQ(notes["results"].size(), 1u) << notes.dump(2);
  EXPECT_EQ(std::to_string(notes["results"][0]["xid"].get<std::uint32_t>()), m_xid["truncate"]);
  // A window after every change finds none of them.
  auto later = search("--table public.items --after 2999-01-01T00:00:00Z " + live);
  EXPECT_TRUE(later["results"].empty()) << later.dump(2);
}

TEST_F(WalSearch, FindsTheDropAndRestoreBringsTheTableBackWithExactlyItsRows)
{
  // No live server knows orders any more: pg_class of the test-restored base backup does.
  auto found = search("--table public.orders --op drop");
  ASSERT_EQ(found["resolved"], true) << found.dump(2);
  EXPECT_NE(found["relation"]["from"].get<std::string>().find("base backup"), std::string::npos);
  ASSERT_EQ(found["results"].size(), 1u) << found.dump(2);
  const auto& drop = found["results"][0];
  EXPECT_EQ(std::to_string(drop["xid"].get<std::uint32_t>()), m_xid["drop"]);
  EXPECT_EQ(drop["operation"], "drop");
  EXPECT_GT(found["segments"]["read"].get<int>(), 0);
  // The second search reads no WAL (nor restores the backup again).
  auto again = lastgood("wal search --database shop --table public.orders --op drop");
  EXPECT_EQ(again.exit_code, 0) << again.err;
  EXPECT_NE(again.out.find("segments read: 0 "), std::string::npos) << again.out;
  EXPECT_NE(again.out.find("xid " + m_xid["drop"]), std::string::npos) << again.out;
  // The insert into orders after the backup is found too, with its row count.
  auto inserts = search("--table public.orders --op insert");
  EXPECT_EQ(hit_of(inserts, m_xid["insert"])["rows"]["inserted"], 10);

  // Paused before the DROP, recovery would hold its lock on orders: the ready command promotes.
  const std::string ready = drop["restore_command"];
  EXPECT_EQ(ready, "lastgood restore --pgdata DIR --target-xid " + m_xid["drop"] +
                       " --exclusive --target-action promote");
  auto conninfo = restore_started(ready.substr(ready.find("--target-xid")));
  EXPECT_EQ(one(conninfo, "SELECT count(*) FROM orders"), "110");
  EXPECT_EQ(one(conninfo, "SELECT sum(id) FROM orders"), "6105");
  EXPECT_EQ(one(conninfo, "SELECT count(*) FROM orders WHERE note = 'order ' || id"), "110");
  // Later changes before the drop are there too: the state just before it.
  EXPECT_EQ(one(conninfo, "SELECT count(*) FROM items"), "20");
  EXPECT_EQ(one(conninfo, "SELECT count(*) FROM notes"), "0");
}

TEST_F(WalSearch, RestoringJustBeforeEachChangeGivesTheRowsAsTheyWere)
{
  const std::string live = "--dbname " + testing::shell_quote(m_cluster->conninfo("shop"));
  auto items = search("--table public.items " + live);
  auto notes = search("--table public.notes --op truncate " + live);
  // Just before the large DELETE: all 50 items, quantities untouched.
  auto ready = [&](const json& hit) {
    const std::string command = hit["restore_command"];
    return command.substr(command.find("--target-xid"));
  };
  auto before_delete = restore_started(ready(hit_of(items, m_xid["delete"])), pgdata("delete"));
  EXPECT_EQ(one(before_delete, "SELECT count(*) FROM items"), "50");
  EXPECT_EQ(one(before_delete, "SELECT sum(qty) FROM items"), "1275");
  stop(pgdata("delete"));
  // Just before the UPDATE: the delete done, the quantities not yet raised.
  auto before_update = restore_started(ready(hit_of(items, m_xid["update"])), pgdata("update"));
  EXPECT_EQ(one(before_update, "SELECT count(*) FROM items"), "20");
  EXPECT_EQ(one(before_update, "SELECT sum(qty) FROM items WHERE id <= 5"), "15");
  stop(pgdata("update"));
  // Just before the TRUNCATE (promoted: its lock would block the read): all 30 notes.
  ASSERT_EQ(notes["results"].size(), 1u) << notes.dump(2);
  auto before_truncate = restore_started(ready(notes["results"][0]), pgdata("truncate"));
  EXPECT_EQ(one(before_truncate, "SELECT count(*) FROM notes"), "30");
  EXPECT_EQ(one(before_truncate, "SELECT sum(qty) FROM items WHERE id <= 5"), "5015");
}

TEST_F(WalSearch, NarrowWindowReadsOnlyTheWindowAndFindsTheSame)
{
  // Commits stamped well after --before (past the 10 s slack), in segments of their own.
  const auto mark = now_seconds() + std::chrono::seconds(1);
  std::this_thread::sleep_until(mark + std::chrono::seconds(12));
  for (int i = 0; i < 3; ++i) {
    exec("shop", "INSERT INTO items VALUES (" + std::to_string(1000 + i) + ", 1)");
    archive_everything();
  }
  auto scan = lastgood("scan -q");
  ASSERT_EQ(scan.exit_code, 0) << scan.out << scan.err;
  const std::string before = format_rfc3339(mark);

  auto narrow = search("--table public.orders --op drop --before " + before);
  ASSERT_EQ(narrow["results"].size(), 1u) << narrow.dump(2);
  EXPECT_EQ(std::to_string(narrow["results"][0]["xid"].get<std::uint32_t>()), m_xid["drop"]);
  EXPECT_FALSE(narrow["segments"]["window_end"].is_null()) << narrow.dump(2);
  // The whole archive from the base backup on: what the window did not need is read now.
  auto full = search("--table public.orders --op drop");
  EXPECT_TRUE(full["segments"]["window_end"].is_null()) << full.dump(2);
  EXPECT_GT(full["segments"]["read"].get<int>(), 0) << full.dump(2);
  EXPECT_LT(narrow["segments"]["scanned"].get<int>(), full["segments"]["scanned"].get<int>());
  EXPECT_LT(narrow["segments"]["read"].get<int>(), full["segments"]["scanned"].get<int>());
  EXPECT_EQ(narrow["results"], full["results"]);
  EXPECT_EQ(narrow["relation"]["relfilenode"], full["relation"]["relfilenode"]);
  EXPECT_EQ(narrow["relation"]["oid"], full["relation"]["oid"]);
}

// A table created after the only base backup, filled, truncated, filled
// again and dropped: the backup's pg_class does not know it, the backup
// recovered to just before the first change of its files does.
class WalSearchCreatedAfterBackup : public WalSearch
{
protected:
  void SetUp() override
  {
    WalSearch::SetUp();
    if (HasFatalFailure()) return;
    exec("shop", "CREATE TABLE late (id int PRIMARY KEY, body text NOT NULL)");
    m_xid["late_fill"] =
        committed("INSERT INTO late SELECT g, 'late ' || g FROM generate_series(1, 40) g");
    m_xid["late_truncate"] = committed("TRUNCATE late");
    m_xid["late_refill"] =
        committed("INSERT INTO late SELECT g, 'again ' || g FROM generate_series(1, 7) g");
    m_xid["late_drop"] = committed("DROP TABLE late");
    archive_everything();
    auto scan = lastgood("scan -q");
    ASSERT_EQ(scan.exit_code, 0) << scan.out << scan.err;
  }
};

TEST_F(WalSearchCreatedAfterBackup, FindsItsTruncateAndDropAndRestoresExactlyItsRows)
{
  auto found = search("--table public.late");
  ASSERT_EQ(found["resolved"], true) << found.dump(2);
  const std::string from = found["relation"]["from"];
  EXPECT_NE(from.find("recovered to just before"), std::string::npos) << from;
  EXPECT_EQ(from.find("kept in the catalog"), std::string::npos) << from;
  EXPECT_EQ(hit_of(found, m_xid["late_fill"])["rows"]["inserted"], 40);
  EXPECT_EQ(hit_of(found, m_xid["late_refill"])["rows"]["inserted"], 7);
  const auto truncate = hit_of(found, m_xid["late_truncate"]);
  EXPECT_EQ(truncate["operation"], "truncate") << found.dump(2);
  const auto drop = hit_of(found, m_xid["late_drop"]);
  EXPECT_EQ(drop["operation"], "drop") << found.dump(2);

  // The second search recovers nothing and reads no WAL.
  auto again = lastgood("wal search --database shop --table public.late --op drop");
  EXPECT_EQ(again.exit_code, 0) << again.err;
  EXPECT_NE(again.out.find("segments read: 0 "), std::string::npos) << again.out;
  EXPECT_NE(again.out.find("kept in the catalog"), std::string::npos) << again.out;
  EXPECT_NE(again.out.find("xid " + m_xid["late_drop"]), std::string::npos) << again.out;
  // A name no point knows is said so, with exit 3.
  auto never = lastgood("wal search --database shop --table public.never");
  EXPECT_EQ(never.exit_code, 3) << never.out << never.err;
  EXPECT_NE(never.out.find("cannot resolve public.never"), std::string::npos) << never.out;

  auto ready = [](const json& hit) {
    const std::string command = hit["restore_command"];
    return command.substr(command.find("--target-xid"));
  };
  auto before_drop = restore_started(ready(drop));
  EXPECT_EQ(one(before_drop, "SELECT count(*) FROM late"), "7");
  EXPECT_EQ(one(before_drop, "SELECT sum(id) FROM late"), "28");
  EXPECT_EQ(one(before_drop, "SELECT count(*) FROM late WHERE body = 'again ' || id"), "7");
  stop(pgdata());
  auto before_truncate = restore_started(ready(truncate), pgdata("truncate"));
  EXPECT_EQ(one(before_truncate, "SELECT count(*) FROM late"), "40");
  EXPECT_EQ(one(before_truncate, "SELECT sum(id) FROM late"), "820");
  EXPECT_EQ(one(before_truncate, "SELECT count(*) FROM late WHERE body = 'late ' || id"), "40");
}

} // namespace
} // namespace lastgood
