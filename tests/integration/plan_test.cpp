// `lastgood plan` on the real fixture archive (base backups plain and tar,
// archived WAL of timelines 1 and 2, marker commits at known LSNs and times):
// the right base backup and segments for targets on both timelines, exit 3
// naming a deleted segment, and a segment from another cluster flagged and
// never used.

#include "catalog/catalog.hpp"
#include "pg/child_process.hpp"
#include "pg/lsn.hpp"
#include "pg/scratch_cluster.hpp"
#include "pg/wal_archive_name.hpp"
#include "tests/support/run_command.hpp"
#include "tests/support/temp_dir.hpp"

#include <filesystem>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace lastgood {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using testing::run_lastgood;
using testing::shell_quote;

class PlanTest : public ::testing::Test
{
protected:
  void SetUp() override
  {
    if (testing::artifacts_dir().empty())
      GTEST_SKIP() << "LASTGOOD_ARTIFACTS not set (run through ctest)";
    m_expected = json::parse(testing::read_file(testing::artifacts_dir() / "expected.json"));
    // The WAL archive as hard links (same bytes and archive times, instant),
    // so a test can delete or replace files without touching the fixture.
    m_wal = m_home.path() / "wal";
    auto cp = testing::run_shell("cp -al " +
                                 shell_quote((testing::artifacts_dir() / "repo/wal").string()) +
                                 " " + shell_quote(m_wal.string()));
    ASSERT_EQ(cp.exit_code, 0) << cp.err;
  }
  testing::CommandResult lg(const std::string& args)
  {
    return run_lastgood("--catalog " + shell_quote((m_home.path() / "c.db").string()) + " " + args);
  }
  void scan()
  {
    ASSERT_EQ(lg("repo add base " + shell_quote((testing::artifacts_dir() / "repo/base").string()))
                  .exit_code,
              0);
    ASSERT_EQ(lg("repo add wal " + shell_quote(m_wal.string())).exit_code, 0);
    auto r = lg("scan -q");
    ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  }
  json plan(const std::string& args, int expected_exit)
  {
    auto r = lg("plan --json " + args);
    EXPECT_EQ(r.exit_code, expected_exit) << r.out << r.err;
    return json::parse(r.out);
  }
  json mark(const std::string& name) const
  {
    for (const auto& m : m_expected["marks"])
      if (m["name"] == name) return m;
    throw std::runtime_error("no mark " + name);
  }
  std::vector<std::string> wal_names(const json& p) const
  {
    std::vector<std::string> out;
    for (const auto& f : p["wal"])
      out.push_back(f["name"].get<std::string>());
    return out;
  }
  std::string segment(std::uint32_t tli, const std::string& lsn) const
  {
    auto size = m_expected["wal_segment_size"].get<std::uint64_t>();
    return pg::wal_file_name(tli, pg::segment_of(pg::Lsn::parse(lsn), size), size);
  }

  testing::TempDir m_home;
  fs::path m_wal;
  json m_expected;
};

TEST_F(PlanTest, LsnTargetOnTimelineOneChoosesTheNewestBackupBeforeItAndItsSegments)
{
  scan();
  auto m = mark("after-tar-1");
  auto p = plan("--target-lsn " + m["lsn"].get<std::string>() + " --no-waldump", 0);
  const auto& tar1 = m_expected["base_backups"]["tar-1"];
  EXPECT_EQ(p["backup"]["root_key"], "tar-1");
  EXPECT_EQ(p["backup"]["start_lsn"], tar1["start_lsn"]);
  EXPECT_EQ(p["backup"]["stop_lsn"], tar1["stop_lsn"]);
  // The history file of timeline 2 (recovery_target_timeline = latest), then
  // tar-1's start segment up to the segment holding the target.
  std::vector<std::string> want{"00000002.history", tar1["start_wal_file"].get<std::string>(),
                                segment(1, m["lsn"].get<std::string>())};
  EXPECT_EQ(wal_names(p), want);
  EXPECT_EQ(p["timelines"].size(), 1u);
  EXPECT_EQ(p["target_timeline"], 2);
  EXPECT_EQ(p["earliest"]["lsn"], m_expected["base_backups"]["plain-1"]["stop_lsn"]);
  // The archive is whole up to the last archived segment of timeline 2.
  EXPECT_EQ(p["latest"]["timeline"], 2);
  auto size = m_expected["wal_segment_size"].get<std::uint64_t>();
  auto unarchived = pg::parse_wal_archive_name(
      m_expected["wal"]["tli2_first_unarchived_segment"].get<std::string>());
  EXPECT_EQ(p["latest"]["lsn"], pg::segment_start(unarchived->segno(size), size).str());
  // The compressed segment comes with its compression.
  auto q =
      plan("--target-lsn " + mark("after-plain-1")["lsn"].get<std::string>() + " --no-waldump", 0);
  EXPECT_EQ(q["backup"]["root_key"], "plain-1");
  ASSERT_GE(q["wal"].size(), 3u);
  EXPECT_EQ(q["wal"][2]["name"], "000000010000000000000004");
  EXPECT_EQ(q["wal"][2]["compression"], "gz");
}

TEST_F(PlanTest, TimeTargetChoosesABackupConsistentBeforeItAndReachesTheMark)
{
  scan();
  auto m = mark("after-tar-gz-1");
  auto p = plan("--target-time " + m["time"].get<std::string>() + " --no-waldump", 0);
  // Whichever backup it takes must be consistent before the mark, in LSN too,
  // and be the newest one whose (whole-second) stop time is before the mark.
  auto stop = pg::Lsn::parse(p["backup"]["stop_lsn"].get<std::string>());
  EXPECT_LE(stop, pg::Lsn::parse(m["lsn"].get<std::string>()));
  auto backups = json::parse(lg("backups --json").out)["backups"];
  auto mark_second = m["time"].get<std::string>().substr(0, 19);
  std::string newest_stop;
  for (const auto& b : backups)
    if (b["kind"] == "physical" && b["stop_time"].get<std::string>().substr(0, 19) < mark_second &&
        b["stop_lsn"].get<std::string>() > newest_stop)
      newest_stop = b["stop_lsn"];
  EXPECT_EQ(p["backup"]["stop_lsn"], newest_stop);
  // The segment holding the marker commit is in the list.
  auto names = wal_names(p);
  EXPECT_NE(std::find(names.begin(), names.end(), segment(1, m["lsn"].get<std::string>())),
            names.end());
  EXPECT_FALSE(p["notes"].empty()); // says how precise the time mapping is
}

TEST_F(PlanTest, PgWaldumpCommitRecordsMapEveryMarkExactlyAndAreCached)
{
  scan();
  const auto& backups = m_expected["base_backups"];
  for (const auto& m : m_expected["marks"]) {
    if (m["name"] == "loaded") continue; // before the first base backup
    auto p = plan("--target-time " + m["time"].get<std::string>(), 0);
    auto names = wal_names(p);
    // The file holding the marker's segment on the replay path: from the
    // switch segment on, timeline 2's (tli1-end is the switch point itself).
    auto switch_lsn = m_expected["timelines"][1]["switch_lsn"].get<std::string>();
    std::uint32_t tli = pg::Lsn::parse(m["lsn"].get<std::string>()).value / (16u << 20) >=
                                pg::Lsn::parse(switch_lsn).value / (16u << 20)
                            ? 2
                            : 1;
    // The segment holding the marker commit is replayed, from a backup consistent before it.
    EXPECT_NE(std::find(names.begin(), names.end(), segment(tli, m["lsn"].get<std::string>())),
              names.end())
        << m["name"] << ": " << p.dump(1);
    EXPECT_LE(pg::Lsn::parse(p["backup"]["stop_lsn"].get<std::string>()),
              pg::Lsn::parse(m["lsn"].get<std::string>()));
    bool exact = false;
    for (const auto& n : p["notes"])
      exact = exact || n.get<std::string>().find("pg_waldump commit records") != std::string::npos;
    EXPECT_TRUE(exact) << p["notes"].dump();
  }
  // Right after plain-1, in the second it stopped: only commit records can tell it qualifies.
  auto p = plan("--target-time " + mark("after-plain-1")["time"].get<std::string>(), 0);
  EXPECT_EQ(p["backup"]["stop_lsn"], backups["plain-1"]["stop_lsn"]);
  // The last mark is the last commit archived: after it, the archive ends.
  auto last = plan("--target-time " + mark("tli2-2")["time"].get<std::string>(), 0);
  bool warned = false;
  for (const auto& w : last["warnings"])
    warned = warned || w.get<std::string>().find("after the end") != std::string::npos;
  EXPECT_TRUE(warned) << last.dump(1);
  // Commit times are cached per segment object.
  auto catalog = catalog::Catalog::open((m_home.path() / "c.db").string());
  auto cached = catalog->db().prepare("SELECT count(*) FROM wal_commit_times WHERE commits > 0");
  ASSERT_TRUE(cached.step());
  EXPECT_GT(cached.int64(0), 0);
}

TEST_F(PlanTest, TargetOnTimelineTwoCrossesTheSwitchWithTheHistoryFile)
{
  scan();
  auto m = mark("tli2-1");
  auto p = plan("--target-lsn " + m["lsn"].get<std::string>() + " --timeline 2 --no-waldump", 0);
  const auto& zst = m_expected["base_backups"]["tar-zst-1"];
  EXPECT_EQ(p["backup"]["stop_lsn"], zst["stop_lsn"]);
  auto switch_lsn = m_expected["timelines"][1]["switch_lsn"].get<std::string>();
  // Timeline 1 up to the switch; the segment holding the switch from timeline 2's file.
  std::vector<std::string> want{"00000002.history", zst["start_wal_file"].get<std::string>(),
                                "00000001000000000000000A", segment(2, switch_lsn)};
  EXPECT_EQ(wal_names(p), want);
  ASSERT_EQ(p["timelines"].size(), 2u);
  EXPECT_EQ(p["timelines"][0]["switch_lsn"], switch_lsn);
  EXPECT_EQ(p["timelines"][1]["timeline"], 2);
  // Timeline 1 alone does not lead there.
  auto q = plan("--target-lsn " + m["lsn"].get<std::string>() + " --timeline 1 --no-waldump", 3);
  EXPECT_EQ(q["reachable"], false);
}

TEST_F(PlanTest, DeletedMiddleSegmentMakesPlanExit3NamingIt)
{
  fs::remove(m_wal / "00000001000000000000000A");
  scan();
  auto m = mark("tli2-1");
  auto p = plan("--target-lsn " + m["lsn"].get<std::string>() + " --no-waldump", 3);
  EXPECT_EQ(p["unreachable"]["reason"], "missing_segment");
  EXPECT_EQ(p["unreachable"]["missing"], "00000001000000000000000A");
  // The nearest reachable point: the end of segment 9, on timeline 1.
  EXPECT_EQ(p["unreachable"]["nearest"]["lsn"], "0/A000000");
  auto text = lg("plan --no-waldump --target-lsn " + m["lsn"].get<std::string>());
  EXPECT_EQ(text.exit_code, 3);
  EXPECT_NE(text.out.find("00000001000000000000000A"), std::string::npos) << text.out;
  // A target before the gap is still reachable.
  plan("--target-lsn " + mark("after-tar-gz-1")["lsn"].get<std::string>() + " --no-waldump", 0);
}

TEST_F(PlanTest, SegmentFromAnotherClusterIsFlaggedAndNotUsed)
{
  // A real segment 000000010000000000000006 of a second, throwaway cluster.
  auto other = pg::ScratchCluster::start({});
  for (int i = 0; i < 5; ++i) {
    pg::ProcessOptions psql;
    psql.argv = {
        pg::find_pg_program("psql"),
        "-X",
        "-q",
        "-d",
        other->conninfo(),
        "-c",
        "CREATE TABLE IF NOT EXISTS t (i int); INSERT INTO t VALUES (1); SELECT pg_switch_wal();"};
    auto r = pg::run_process(psql);
    ASSERT_EQ(r.exit_code, 0) << r.err;
  }
  other->stop();
  auto foreign = fs::path(other->data_dir()) / "pg_wal/000000010000000000000006";
  ASSERT_TRUE(fs::exists(foreign));
  fs::remove(m_wal / "000000010000000000000006");
  fs::copy_file(foreign, m_wal / "000000010000000000000006");
  scan();
  auto wal = json::parse(lg("wal --json").out);
  bool flagged = false;
  for (const auto& c : wal["clusters"])
    for (const auto& f : c["foreign_segments"])
      flagged = flagged || f["name"] == "000000010000000000000006";
  EXPECT_TRUE(flagged) << wal.dump(1);
  auto p =
      plan("--cluster " + m_expected["system_identifier"].get<std::string>() + " --target-lsn " +
               mark("after-tar-1")["lsn"].get<std::string>() + " --no-waldump",
           3);
  EXPECT_EQ(p["unreachable"]["missing"], "000000010000000000000006");
  EXPECT_FALSE(p["unreachable"]["foreign_cluster"].is_null());
  EXPECT_NE(p["unreachable"]["foreign_cluster"], m_expected["system_identifier"]);
}

} // namespace
} // namespace lastgood
