// Property test on real catalogs: random backups with random verification
// histories (restore passes and failures, checksum failures after them,
// errors) recorded through the catalog, random holds, random rules. The plan,
// wired to `pick` exactly as the command is, flags as last known good exactly
// the backup an independent model of the status rules says, and never deletes
// it or a held backup. A failure prints the seed.

#include "catalog/catalog.hpp"
#include "catalog/repositories.hpp"
#include "catalog/verification_runs.hpp"
#include "compliance/holds.hpp"
#include "compliance/retention_plan.hpp"
#include "restore/pick.hpp"
#include "tests/support/temp_dir.hpp"

#include <gtest/gtest.h>
#include <map>
#include <random>

namespace lastgood {
namespace {

using std::chrono::hours;

int pick_int(std::mt19937& rng, int lo, int hi)
{
  return std::uniform_int_distribution<int>(lo, hi)(rng);
}

struct Model
{
  std::string backup_id, scope;
  TimePoint time;
  std::int64_t row = 0;
  std::optional<std::string> last_restore; // pass | fail
  bool checksum_failed_after = false;
  bool good() const { return last_restore == "pass" && !checksum_failed_after; }
};

void check_catalog(std::uint32_t seed)
{
  SCOPED_TRACE("seed " + std::to_string(seed));
  std::mt19937 rng(seed);
  testing::TempDir home;
  auto catalog = catalog::Catalog::open((home.path() / "catalog.db").string());
  auto& db = catalog->db();
  auto repo = catalog::add_repository(db, "r", "memory://retention-property");
  db.exec("INSERT INTO clusters (system_identifier, first_seen) VALUES ('7001', "
          "'2026-01-01T00:00:00Z')");
  const TimePoint now = parse_rfc3339("2026-11-22T12:00:00Z");

  std::vector<Model> models;
  const int n = pick_int(rng, 1, 14);
  for (int i = 0; i < n; ++i) {
    Model m;
    m.backup_id = "b" + std::to_string(i);
    m.time = now - hours(pick_int(rng, 0, 24 * 90));
    const int scope = pick_int(rng, 0, 2);
    m.scope = scope == 0 ? "database shop" : scope == 1 ? "database inventory" : "cluster 7001";
    db.prepare(
          "INSERT INTO backups (backup_id, repository_id, root_key, kind, format, database, "
          "cluster_id,"
          " stop_time, start_lsn, first_seen, last_seen) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
        .bind_all(m.backup_id, repo.id, "k/" + m.backup_id, scope == 2 ? "physical" : "logical",
                  scope == 2 ? "base_tar" : "custom",
                  scope == 0   ? std::optional<std::string>("shop")
                  : scope == 1 ? std::optional<std::string>("inventory")
                               : std::nullopt,
                  scope == 2 ? std::optional<std::int64_t>(1) : std::nullopt,
                  format_rfc3339(m.time),
                  scope == 2 ? std::optional<std::int64_t>(pick_int(rng, 1, 1000) * 16777216LL)
                             : std::nullopt,
                  "2026-01-01T00:00:00Z", "2026-01-01T00:00:00Z")
        .run();
    m.row = db.last_insert_id();
    models.push_back(m);
  }
  // Verification history, interleaved across backups in run-id order.
  for (int r = pick_int(rng, 0, 3 * n); r > 0; --r) {
    auto& m = models[static_cast<std::size_t>(pick_int(rng, 0, n - 1))];
    const bool restore = pick_int(rng, 0, 2) > 0;
    const char* outcomes[] = {"pass", "fail", "error"};
    const std::string outcome = outcomes[pick_int(rng, 0, restore ? 2 : 1)];
    auto run =
        catalog::begin_run(db, m.row, restore ? "restore" : "checksum", "manual", std::nullopt);
    catalog::finish_run(db, run, outcome, 1.0, {}, {});
    if (restore && outcome != "error") {
      m.last_restore = outcome;
      m.checksum_failed_after = false;
    } else if (!restore && outcome == "fail") {
      m.checksum_failed_after = true;
    }
  }
  std::map<std::int64_t, bool> held;
  for (auto& m : models)
    if (pick_int(rng, 0, 4) == 0) {
      compliance::add_hold(db, m.backup_id, std::nullopt, "case", now);
      held[m.row] = true;
    }

  RetentionConfig config;
  config.defaults.keep_last = pick_int(rng, 0, 2);
  if (pick_int(rng, 0, 1)) config.defaults.keep_daily = pick_int(rng, 0, 3);
  if (pick_int(rng, 0, 1)) config.defaults.pitr_window = hours(pick_int(rng, 0, 24 * 30));
  compliance::LastGoodLookup lookup =
      [&db](const compliance::GoodScope& scope) -> std::optional<std::string> {
    restore::PickRequest request;
    request.database = scope.database;
    request.cluster = scope.system_identifier;
    auto picked = restore::pick_last_good(db, request);
    return picked.backup ? std::optional(picked.backup->backup_id) : std::nullopt;
  };
  const auto plan = compliance::plan_retention(db, config, lookup, now);

  // The model's last good per scope: newest good by time, then by row.
  std::map<std::string, const Model*> expected;
  for (const auto& m : models) {
    if (!m.good()) continue;
    auto& best = expected[m.scope];
    if (!best || m.time > best->time || (m.time == best->time && m.row > best->row)) best = &m;
  }
  ASSERT_EQ(plan.backups.size(), models.size());
  for (std::size_t i = 0; i < plan.backups.size(); ++i) {
    const auto& b = plan.backups[i];
    const auto& m = *std::find_if(models.begin(), models.end(),
                                  [&](const Model& x) { return x.row == b.row_id; });
    SCOPED_TRACE(b.backup_id + " in " + m.scope);
    EXPECT_EQ(b.status, m.good()                                                ? "good"
                        : (m.last_restore == "fail" || m.checksum_failed_after) ? "bad"
                                                                                : "unverified");
    const bool last_good = expected.count(m.scope) && expected[m.scope]->row == m.row;
    EXPECT_EQ(b.last_good, last_good);
    EXPECT_TRUE(!last_good || plan.decisions[i].keep)
        << "the last known good backup is never deleted";
    EXPECT_TRUE(!held.count(m.row) || plan.decisions[i].keep) << "a held backup is never deleted";
  }
}

TEST(RetentionCatalogProperties, RealStatusAndPickAgreeWithTheModel)
{
  for (std::uint32_t seed = 1; seed <= 150; ++seed) {
    check_catalog(seed);
    if (HasFailure()) {
      std::cerr << "first failing seed: " << seed << '\n';
      return;
    }
  }
}

} // namespace
} // namespace lastgood
