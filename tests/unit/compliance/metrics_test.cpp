// The Prometheus exposition for a small fixed catalog: exact lines for the
// histogram (cumulative buckets, +Inf, _sum, _count), counters by reason and
// status, per-scope gauges, and label values escaped.

#include "catalog/catalog.hpp"
#include "compliance/metrics.hpp"
#include "tests/support/temp_dir.hpp"

#include <gtest/gtest.h>

namespace lastgood::compliance {
namespace {

const TimePoint kNow = parse_rfc3339("2026-11-22T12:00:00Z");

class MetricsTest : public ::testing::Test
{
protected:
  void SetUp() override
  {
    m_catalog = catalog::Catalog::open((m_dir.path() / "c.db").string());
    auto& db = m_catalog->db();
    db.exec("INSERT INTO repositories (id, name, url, created_at) VALUES (1, 'r', '/r', "
            "'2026-11-01T00:00:00Z')");
    // Two backups of shop (one a name that needs escaping), both logical.
    db.exec("INSERT INTO backups (id, backup_id, repository_id, root_key, kind, format, database, "
            "stop_time, size_bytes,"
            " status, first_seen, last_seen) VALUES"
            " (1, 'b-shop', 1, 'shop.dump', 'logical', 'custom', 'shop', '2026-11-22T09:00:00Z', "
            "1000, 'good', 'x', 'x'),"
            " (2, 'b-odd', 1, 'odd.dump', 'logical', 'custom', 'we\"ird\\db', "
            "'2026-11-21T12:00:00Z', 500, 'bad', 'x', 'x')");
    auto run = [&](int id, int backup, const char* outcome, double seconds, const char* finished) {
      auto s = db.prepare(
          "INSERT INTO verification_runs (id, backup_id, level, started_at, finished_at, "
          "duration_seconds,"
          " outcome, host, pid, tool_version) VALUES (?, ?, 'restore', ?, ?, ?, ?, 'h', 1, 't')");
      s.bind_all(id, backup, finished, finished, seconds, outcome);
      s.run();
    };
    run(1, 1, "pass", 5, "2026-11-22T10:00:00Z");
    run(2, 1, "pass", 45, "2026-11-22T11:00:00Z");
    run(3, 2, "fail", 12.5, "2026-11-22T11:30:00Z");
    run(4, 2, "running", 0, "2026-11-22T11:59:00Z");
    db.exec("INSERT INTO verification_findings (run_id, kind, severity, message) VALUES"
            " (3, 'data_shrink', 'warning', 'x'), (3, 'check_failed', 'failure', 'orders exist')");
    db.exec(
        "INSERT INTO restore_runs (backup_id, target, target_database, options, started_at, "
        "finished_at,"
        " duration_seconds, outcome, message, host, pid, tool_version) VALUES"
        " (1, 'host=t', 'shop', '{}', '2026-11-22T11:40:00Z', '2026-11-22T11:45:00Z', 300, 'pass', "
        "'ok', 'h', 1, 't'),"
        " (1, 'host=t', 'shop', '{}', '2026-11-22T11:50:00Z', '2026-11-22T11:50:01Z', 1, 'error',"
        "  'database shop already exists on the target', 'h', 1, 't')");
    auto facts = gather_facts(db, kNow, kNow - std::chrono::hours(24 * 30));
    m_text = render_metrics(judge(facts, Config{}), gather_restore_stats(db), Config{});
  }
  bool has_line(const std::string& line) const
  {
    return m_text.find("\n" + line + "\n") != std::string::npos;
  }

  testing::TempDir m_dir;
  std::unique_ptr<catalog::Catalog> m_catalog;
  std::string m_text;
};

TEST_F(MetricsTest, HistogramIsCumulativeWithInfSumAndCount)
{
  EXPECT_TRUE(has_line("# TYPE restore_duration_seconds histogram")) << m_text;
  // durations: 300, 1 (restore runs), 5, 45, 12.5 (test restores); the running one is not counted
  EXPECT_TRUE(has_line("restore_duration_seconds_bucket{le=\"10\"} 2")) << m_text;
  EXPECT_TRUE(has_line("restore_duration_seconds_bucket{le=\"30\"} 3")) << m_text;
  EXPECT_TRUE(has_line("restore_duration_seconds_bucket{le=\"60\"} 4")) << m_text;
  EXPECT_TRUE(has_line("restore_duration_seconds_bucket{le=\"300\"} 5")) << m_text;
  EXPECT_TRUE(has_line("restore_duration_seconds_bucket{le=\"+Inf\"} 5")) << m_text;
  EXPECT_TRUE(has_line("restore_duration_seconds_sum 363.5")) << m_text;
  EXPECT_TRUE(has_line("restore_duration_seconds_count 5")) << m_text;
}

TEST_F(MetricsTest, CountersByReasonAndStatus)
{
  EXPECT_TRUE(has_line("restore_success_total 3")) << m_text;
  EXPECT_TRUE(has_line("restore_failure_total{failure_reason=\"check\"} 1")) << m_text;
  EXPECT_TRUE(has_line("restore_failure_total{failure_reason=\"target_exists\"} 1")) << m_text;
  EXPECT_TRUE(has_line("restore_verification_total{status=\"pass\"} 2")) << m_text;
  EXPECT_TRUE(has_line("restore_verification_total{status=\"fail\"} 1")) << m_text;
  EXPECT_TRUE(has_line("restore_verification_total{status=\"error\"} 0")) << m_text;
  EXPECT_TRUE(has_line("restore_in_progress 1")) << m_text;
  EXPECT_TRUE(has_line("# TYPE restore_failure_total counter")) << m_text;
}

TEST_F(MetricsTest, PerScopeGaugesWithEscapedLabels)
{
  EXPECT_TRUE(has_line("lastgood_backup_age_seconds{kind=\"database\",name=\"shop\"} 10800"))
      << m_text;
  EXPECT_TRUE(has_line("lastgood_last_good_age_seconds{kind=\"database\",name=\"shop\"} 3600"))
      << m_text;
  EXPECT_TRUE(
      has_line("lastgood_backup_age_seconds{kind=\"database\",name=\"we\\\"ird\\\\db\"} 86400"))
      << m_text;
  EXPECT_TRUE(
      has_line("lastgood_last_good_age_seconds{kind=\"database\",name=\"we\\\"ird\\\\db\"} +Inf"))
      << m_text;
  EXPECT_TRUE(has_line("lastgood_objects_missing{kind=\"database\",name=\"shop\"} 0")) << m_text;
  EXPECT_TRUE(has_line("restore_size_bytes{database=\"shop\"} 1000")) << m_text;
  EXPECT_TRUE(has_line("lastgood_rpo_seconds 86400")) << m_text;
}

TEST_F(MetricsTest, EveryCounterSeriesARuleReadsStartsAtZero)
{
  for (const auto& reason : kFailureReasons) {
    if (reason == "check" || reason == "target_exists") continue; // counted 1 above
    EXPECT_TRUE(has_line("restore_failure_total{failure_reason=\"" + reason + "\"} 0"))
        << reason << "\n"
        << m_text;
  }
}

TEST_F(MetricsTest, CurrentStateAsTimestampsAndVerdicts)
{
  // 2026-11-22T09:00:00Z and 2026-11-22T11:00:00Z as Unix time.
  EXPECT_TRUE(has_line("lastgood_newest_restorable_backup_timestamp_seconds{kind=\"database\","
                       "name=\"shop\"} 1795338000"))
      << m_text;
  EXPECT_TRUE(has_line("lastgood_last_restore_test_pass_timestamp_seconds{kind=\"database\","
                       "name=\"shop\"} 1795345200"))
      << m_text;
  // The odd database's only backup is bad: nothing restorable, never passed.
  EXPECT_TRUE(has_line("lastgood_newest_restorable_backup_timestamp_seconds{kind=\"database\","
                       "name=\"we\\\"ird\\\\db\"} 0"))
      << m_text;
  EXPECT_TRUE(has_line("lastgood_backups_by_state{kind=\"database\",name=\"we\\\"ird\\\\db\","
                       "state=\"bad\"} 1"))
      << m_text;
  EXPECT_TRUE(has_line("lastgood_backups_by_state{kind=\"database\",name=\"shop\","
                       "state=\"good\"} 1"))
      << m_text;
  EXPECT_TRUE(has_line("lastgood_check_status{kind=\"database\",name=\"we\\\"ird\\\\db\","
                       "check=\"newest_backup\"} 2"))
      << m_text;
  EXPECT_TRUE(has_line("lastgood_check_status{kind=\"database\",name=\"shop\","
                       "check=\"backup_age\"} 0"))
      << m_text;
  EXPECT_TRUE(has_line("lastgood_status 2")) << m_text;
  EXPECT_TRUE(has_line("lastgood_schedule_interval_seconds 86400")) << m_text;
}

TEST(MetricsLabels, EscapesBackslashQuoteAndNewline)
{
  EXPECT_EQ(escape_label_value("a\\b\"c\nd"), "a\\\\b\\\"c\\nd");
  EXPECT_EQ(escape_label_value("plain"), "plain");
}

TEST(MetricsReasons, FixedSetOfFailureReasons)
{
  EXPECT_EQ(failure_reason_of_finding("restore_failed"), "pg_restore");
  EXPECT_EQ(failure_reason_of_finding("amcheck"), "amcheck");
  EXPECT_EQ(failure_reason_of_finding("checksum_mismatch"), "storage");
  EXPECT_EQ(failure_reason_of_finding("something new"), "other");
  EXPECT_EQ(failure_reason_of_message("could not connect to server"), "connection");
  EXPECT_EQ(failure_reason_of_message("pg_restore exited with status 1"), "pg_restore");
}

} // namespace
} // namespace lastgood::compliance
