// Source fingerprints against a real server: taken in the snapshot pg_dump
// used, they equal the fingerprint of the restored copy exactly (whatever the
// restored session's output settings), and they catch a restore that lost a
// row, changed a value, or came from a dump of another moment.

#include "common/error.hpp"
#include "pg/child_process.hpp"
#include "pg/pg_connection.hpp"
#include "pg/scratch_cluster.hpp"
#include "pg/table_fingerprint.hpp"
#include "tests/support/temp_dir.hpp"

#include <filesystem>
#include <gtest/gtest.h>
#include <pqxx/pqxx>

namespace lastgood::pg {

// Readable failure messages (gtest finds it by argument-dependent lookup).
void PrintTo(const TableFingerprint& t, std::ostream* out)
{
  *out << t.schema_name << "." << t.table_name << " rows=" << t.rows
       << " hash=" << t.content_hash.value_or("-");
}

namespace {

namespace fs = std::filesystem;

void run_sql(const std::string& conninfo, const std::string& sql)
{
  auto conn = connect(conninfo);
  pqxx::nontransaction(*conn).exec(sql);
}

const char* const kSourceSchema = R"SQL(
CREATE TABLE orders (id int PRIMARY KEY, placed timestamptz, total numeric(12,2), ratio float8,
                     span interval, note text, raw bytea, tags text[], doc jsonb, "r" int);
INSERT INTO orders SELECT g, '2026-11-26 02:30:00+00'::timestamptz + g * interval '1 minute',
       g * 1.25, g / 3.0, g * interval '1 hour', CASE WHEN g % 7 = 0 THEN NULL ELSE 'n' || g END,
       decode(md5(g::text), 'hex'), ARRAY['a', g::text], jsonb_build_object('g', g), g
  FROM generate_series(1, 500) g;
CREATE TABLE events (at date NOT NULL, what text) PARTITION BY RANGE (at);
CREATE TABLE events_2026 PARTITION OF events FOR VALUES FROM ('2026-01-01') TO ('2027-01-01');
INSERT INTO events SELECT '2026-03-01'::date + g, 'e' || g FROM generate_series(1, 40) g;
CREATE TABLE base_log (msg text);
CREATE TABLE child_log () INHERITS (base_log);
INSERT INTO base_log VALUES ('parent'); INSERT INTO child_log VALUES ('c1'), ('c2');
CREATE UNLOGGED TABLE scratch_notes AS SELECT g FROM generate_series(1, 9) g;
CREATE TABLE "We""ird" (x int); INSERT INTO "We""ird" VALUES (1), (1);
)SQL";

class TableFingerprintTest : public ::testing::Test
{
protected:
  void SetUp() override
  {
    m_cluster = ScratchCluster::start({});
    run_sql(m_cluster->conninfo(), "CREATE DATABASE shop");
    run_sql(m_cluster->conninfo("shop"), kSourceSchema);
  }

  // pg_dump -Fc of shop (in `snapshot` when given), restored into `target`.
  void dump_and_restore(const std::string& target, const std::string& snapshot = "")
  {
    const std::string file = (m_dir.path() / (target + ".dump")).string();
    std::vector<std::string> dump = {find_pg_program("pg_dump"), "-Fc", "-f", file, "-d",
                                     m_cluster->conninfo("shop")};
    if (!snapshot.empty()) dump.push_back("--snapshot=" + snapshot);
    auto d = run_process({.argv = dump});
    ASSERT_EQ(d.exit_code, 0) << d.err;
    run_sql(m_cluster->conninfo(), "CREATE DATABASE " + quote_ident(target));
    auto r = run_process({.argv = {find_pg_program("pg_restore"), "--no-owner", "-d",
                                   m_cluster->conninfo(target), file}});
    ASSERT_EQ(r.exit_code, 0) << r.err;
  }
  // A session whose own output settings differ from the source's.
  std::string odd_session(const std::string& db)
  {
    return m_cluster->conninfo(db) +
           " options='-c TimeZone=Asia/Tokyo -c DateStyle=SQL,DMY -c extra_float_digits=0 "
           "-c IntervalStyle=sql_standard -c bytea_output=escape'";
  }

  testing::TempDir m_dir;
  std::unique_ptr<ScratchCluster> m_cluster;
};

TEST_F(TableFingerprintTest, SnapshotFingerprintEqualsTheRestoredCopyExactly)
{
  HeldSnapshot snapshot(m_cluster->conninfo("shop"));
  // Written after the snapshot: neither pg_dump nor the fingerprint sees it.
  run_sql(m_cluster->conninfo("shop"), "INSERT INTO orders (id) VALUES (501);"
                                       "DELETE FROM events WHERE what = 'e1'");
  dump_and_restore("copy", snapshot.id());
  const auto source = snapshot.fingerprint(FingerprintMode::Full);
  const auto restored = fingerprint_database(odd_session("copy"), FingerprintMode::Full);

  std::vector<std::string> names;
  for (const auto& t : source.tables)
    names.push_back(t.schema_name + "." + t.table_name + "=" + std::to_string(t.rows));
  EXPECT_EQ(names, (std::vector<std::string>{"public.We\"ird=2", "public.base_log=1",
                                             "public.child_log=2", "public.events_2026=40",
                                             "public.orders=500", "public.scratch_notes=9"}));
  EXPECT_FALSE(source.wal_lsn.empty());
  EXPECT_EQ(source.tables, restored.tables);
  EXPECT_TRUE(compare_fingerprints(source, restored).empty());
}

TEST_F(TableFingerprintTest, LostRowChangedValueAndExtraTableAreDifferences)
{
  HeldSnapshot snapshot(m_cluster->conninfo("shop"));
  dump_and_restore("copy", snapshot.id());
  const auto source = snapshot.fingerprint(FingerprintMode::Full);
  run_sql(m_cluster->conninfo("copy"), "DELETE FROM orders WHERE id = 17;"
                                       "UPDATE events SET what = 'changed' WHERE what = 'e5';"
                                       "DROP TABLE scratch_notes; CREATE TABLE stray (x int)");
  const auto restored = fingerprint_database(m_cluster->conninfo("copy"), FingerprintMode::Full);
  std::vector<std::string> found;
  for (const auto& d : compare_fingerprints(source, restored))
    found.push_back(d.schema_name + "." + d.table_name + ": " + d.what);
  EXPECT_EQ(found,
            (std::vector<std::string>{
                "public.events_2026: 40 rows at backup and restored, but their content differs",
                "public.orders: 500 rows at backup, 499 restored",
                "public.scratch_notes: 9 rows at backup, table missing from the restore",
                "public.stray: not in the source at backup, 0 rows restored"}));

  // Counts alone cannot see the changed value, and say nothing of content.
  const auto counts = fingerprint_database(m_cluster->conninfo("copy"), FingerprintMode::Counts);
  for (const auto& t : counts.tables)
    EXPECT_FALSE(t.content_hash) << t.table_name;
  EXPECT_EQ(compare_fingerprints(source, counts).size(), 3u);
}

TEST_F(TableFingerprintTest, FingerprintTakenOutsideTheDumpsSnapshotDoesNotMatch)
{
  dump_and_restore("copy"); // pg_dump's own snapshot
  run_sql(m_cluster->conninfo("shop"), "INSERT INTO orders (id) SELECT g FROM "
                                       "generate_series(501, 520) g");
  const auto later = fingerprint_database(m_cluster->conninfo("shop"), FingerprintMode::Counts);
  const auto restored = fingerprint_database(m_cluster->conninfo("copy"), FingerprintMode::Counts);
  const auto differences = compare_fingerprints(later, restored);
  ASSERT_EQ(differences.size(), 1u);
  EXPECT_EQ(differences[0].what, "520 rows at backup, 500 restored");
}

TEST(FingerprintMode, ParsesItsThreeNamesOnly)
{
  EXPECT_EQ(parse_fingerprint_mode("counts"), FingerprintMode::Counts);
  EXPECT_EQ(parse_fingerprint_mode("full"), FingerprintMode::Full);
  EXPECT_EQ(parse_fingerprint_mode("none"), FingerprintMode::None);
  EXPECT_THROW(parse_fingerprint_mode("count"), ValidationError);
  EXPECT_EQ(to_string(FingerprintMode::Full), "full");
}

} // namespace
} // namespace lastgood::pg
