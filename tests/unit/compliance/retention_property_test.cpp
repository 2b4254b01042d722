// Property tests: thousands of random catalogs (backups at random times in
// two repositories, databases and clusters, random holds, storage locks,
// verification outcomes, missing and undated backups, random WAL) under random
// rules. Whatever the rules, the plan never deletes the last known good
// backup, a held or locked backup, or WAL a kept base backup needs; and each
// rule keeps exactly what an independent, simple computation expects.
// A failure prints the case's seed; LASTGOOD_PROPERTY_SEED=<seed> reruns it alone.

#include "compliance/retention_plan.hpp"

#include <algorithm>
#include <cstdlib>
#include <ctime>
#include <gtest/gtest.h>
#include <map>
#include <random>
#include <set>

namespace lastgood::compliance {
namespace {

using std::chrono::seconds;
constexpr std::uint64_t kSeg = 16u << 20;
constexpr std::int64_t kDay = 86400;

struct Case
{
  TimePoint now;
  std::vector<BackupFacts> backups;
  std::vector<WalSegmentFacts> wal;
  RetentionConfig config;
};

int pick(std::mt19937& rng, int lo, int hi)
{
  return std::uniform_int_distribution<int>(lo, hi)(rng);
}
bool chance(std::mt19937& rng, int percent)
{
  return pick(rng, 1, 100) <= percent;
}

RetentionRules random_rules(std::mt19937& rng, int percent)
{
  RetentionRules r;
  if (chance(rng, percent)) r.keep_last = pick(rng, 0, 6);
  if (chance(rng, percent)) r.keep_within = seconds(pick(rng, 0, 60) * kDay / 2);
  if (chance(rng, percent)) r.keep_daily = pick(rng, 0, 10);
  if (chance(rng, percent)) r.keep_weekly = pick(rng, 0, 6);
  if (chance(rng, percent)) r.keep_monthly = pick(rng, 0, 12);
  if (chance(rng, percent)) r.keep_yearly = pick(rng, 0, 3);
  if (chance(rng, percent)) r.pitr_window = seconds(pick(rng, 0, 40) * kDay / 2);
  return r;
}

Case random_case(std::uint32_t seed)
{
  std::mt19937 rng(seed);
  Case c;
  c.now = parse_rfc3339("2026-01-01T00:00:00Z") +
          seconds(pick(rng, 0, 700) * kDay + pick(rng, 0, kDay - 1));
  const int n = pick(rng, 0, 40);
  // Spread over up to three years, sometimes packed into a few days so that
  // buckets hold several backups.
  const std::int64_t span = chance(rng, 30) ? 6 * kDay : 3 * 366 * kDay;
  const bool around_year_end = chance(rng, 20);
  const char* statuses[] = {"good", "bad", "unverified"};
  for (int i = 0; i < n; ++i) {
    BackupFacts b;
    b.row_id = i + 1;
    b.backup_id = "b" + std::to_string(i + 1);
    b.repository = chance(rng, 80) ? "main" : "offsite";
    b.repository_active = !chance(rng, 3);
    b.status = statuses[pick(rng, 0, 2)];
    b.size_bytes = static_cast<std::uint64_t>(pick(rng, 1, 1000));
    if (!chance(rng, 5))
      b.time = c.now - seconds(std::uniform_int_distribution<std::int64_t>(0, span)(rng));
    if (b.time && around_year_end) {
      // Within ten days of a New Year (ISO weeks and calendar years disagree there).
      const int year = pick(rng, 2024, 2026);
      b.time = parse_rfc3339(std::to_string(year) + "-01-01T00:00:00Z") +
               seconds(pick(rng, -10 * kDay, 10 * kDay));
      if (*b.time > c.now) b.time = c.now;
    }
    if (chance(rng, 5)) b.missing_since = "2026-01-01T00:00:00Z";
    if (chance(rng, 60)) {
      b.kind = "logical";
      b.database = chance(rng, 50) ? "shop" : "inventory";
    } else {
      b.kind = "physical";
      if (!chance(rng, 3)) b.system_identifier = chance(rng, 60) ? "7001" : "7002";
      if (!chance(rng, 5)) {
        b.start_lsn = static_cast<std::int64_t>(
            static_cast<std::uint64_t>(pick(rng, 0, 200)) * kSeg + pick(rng, 0, 9999));
        b.stop_lsn = *b.start_lsn + pick(rng, 1, 3 * static_cast<int>(kSeg));
      }
    }
    for (int h = pick(rng, 0, 2) * (chance(rng, 25) ? 1 : 0); h > 0; --h) {
      HoldFact hold;
      hold.id = pick(rng, 1, 1000);
      hold.reason = "case";
      if (chance(rng, 70))
        hold.until = c.now + seconds(pick(rng, -30, 30) * kDay + pick(rng, -5, 5));
      hold.released = chance(rng, 30);
      b.holds.push_back(hold);
    }
    if (chance(rng, 5)) b.locks.push_back({"k", c.now + seconds(pick(rng, -10, 10) * kDay)});
    c.backups.push_back(std::move(b));
  }
  // The last known good per database / cluster: the newest good one that is
  // not missing (as pick: by time, undated last, then by row).
  std::map<std::string, std::size_t> newest_good;
  for (std::size_t i = 0; i < c.backups.size(); ++i) {
    const auto& b = c.backups[i];
    if (b.status != "good" || b.missing_since) continue;
    std::string scope = b.kind == "logical"   ? "db:" + *b.database
                        : b.system_identifier ? "cl:" + *b.system_identifier
                                              : "";
    if (scope.empty()) continue;
    auto it = newest_good.find(scope);
    auto later = [&](const BackupFacts& x, const BackupFacts& y) {
      if (x.time.has_value() != y.time.has_value()) return x.time.has_value();
      if (x.time && *x.time != *y.time) return *x.time > *y.time;
      return x.row_id > y.row_id;
    };
    if (it == newest_good.end() || later(b, c.backups[it->second])) newest_good[scope] = i;
  }
  for (const auto& [scope, i] : newest_good)
    c.backups[i].last_good = true;
  for (int i = pick(rng, 0, 60); i > 0; --i) {
    WalSegmentFacts w;
    w.object_id = i;
    w.repository = chance(rng, 80) ? "main" : "offsite";
    w.repository_active = !chance(rng, 3);
    if (!chance(rng, 5))
      w.system_identifier = chance(rng, 50) ? "7001" : (chance(rng, 80) ? "7002" : "7003");
    w.timeline = static_cast<std::uint32_t>(pick(rng, 1, 3));
    w.segno = static_cast<std::uint64_t>(pick(rng, 0, 220));
    w.segment_size = kSeg;
    w.size = kSeg;
    w.partial = chance(rng, 5);
    w.name = std::to_string(w.timeline) + "/" + std::to_string(w.segno);
    w.key = "wal/" + w.name + "/" + std::to_string(i);
    if (chance(rng, 5)) w.retain_until = c.now + seconds(pick(rng, -10, 10) * kDay);
    c.wal.push_back(std::move(w));
  }
  if (!chance(rng, 10)) c.config.defaults = random_rules(rng, 40);
  if (chance(rng, 30)) c.config.per_database["shop"] = random_rules(rng, 30);
  if (chance(rng, 30)) c.config.per_cluster["7001"] = random_rules(rng, 30);
  return c;
}

// Bucket numbers computed without the date library: days since the epoch,
// the ISO week from the Thursday of the same week, gmtime for month and year.
std::int64_t bucket_number(const std::string& period, TimePoint t)
{
  const std::int64_t secs = t.time_since_epoch().count();
  const std::int64_t day = secs >= 0 ? secs / kDay : (secs - kDay + 1) / kDay;
  auto civil = [](std::int64_t d) {
    std::time_t tt = static_cast<std::time_t>(d * kDay);
    std::tm tm{};
    gmtime_r(&tt, &tm);
    return tm;
  };
  if (period == "daily") return day;
  if (period == "weekly") {
    const std::int64_t monday_based = ((day + 3) % 7 + 7) % 7; // 1970-01-01 was a Thursday
    const std::int64_t thursday = day - monday_based + 3;
    const auto tm = civil(thursday);
    return (tm.tm_year + 1900) * 100 + tm.tm_yday / 7 + 1;
  }
  const auto tm = civil(day);
  if (period == "monthly") return (tm.tm_year + 1900) * 12 + tm.tm_mon;
  return tm.tm_year + 1900;
}

RetentionRules rules_for(const Case& c, const BackupFacts& b)
{
  RetentionRules r = c.config.defaults;
  const RetentionRules* narrow = nullptr;
  if (b.kind == "logical" && c.config.per_database.count(*b.database))
    narrow = &c.config.per_database.at(*b.database);
  if (b.kind == "physical" && b.system_identifier &&
      c.config.per_cluster.count(*b.system_identifier))
    narrow = &c.config.per_cluster.at(*b.system_identifier);
  if (narrow) {
    if (narrow->keep_last) r.keep_last = narrow->keep_last;
    if (narrow->keep_within) r.keep_within = narrow->keep_within;
    if (narrow->keep_daily) r.keep_daily = narrow->keep_daily;
    if (narrow->keep_weekly) r.keep_weekly = narrow->keep_weekly;
    if (narrow->keep_monthly) r.keep_monthly = narrow->keep_monthly;
    if (narrow->keep_yearly) r.keep_yearly = narrow->keep_yearly;
    if (narrow->pitr_window) r.pitr_window = narrow->pitr_window;
  }
  return r;
}

bool has_prefix(const BackupDecision& d, const std::string& prefix)
{
  return std::any_of(d.reasons.begin(), d.reasons.end(),
                     [&](const auto& r) { return r.rfind(prefix, 0) == 0; });
}

void check_case(std::uint32_t seed)
{
  SCOPED_TRACE("seed " + std::to_string(seed) +
               " (rerun: LASTGOOD_PROPERTY_SEED=" + std::to_string(seed) + ")");
  const Case c = random_case(seed);
  const auto plan = make_plan(c.backups, c.wal, c.config, c.now);
  ASSERT_EQ(plan.decisions.size(), c.backups.size());

  std::size_t deletes = 0;
  for (std::size_t i = 0; i < c.backups.size(); ++i) {
    const auto& b = c.backups[i];
    const auto& d = plan.decisions[i];
    SCOPED_TRACE(b.backup_id);
    ASSERT_FALSE(d.reasons.empty()) << "every decision has a reason";
    EXPECT_EQ(d.keep, !has_prefix(d, "not kept by any rule"));
    if (!d.keep) {
      ++deletes;
      EXPECT_EQ(d.reasons.size(), 1u);
    }
    EXPECT_TRUE(!b.last_good || d.keep) << "the last known good backup is never deleted";
    for (const auto& h : b.holds) {
      auto active = [&](const HoldFact& x) {
        return !x.released && (!x.until || *x.until > c.now);
      };
      EXPECT_TRUE(!active(h) || d.keep) << "a held backup is never deleted";
      // Only an active hold is given as a reason (ids may repeat in these random catalogs).
      const bool any_active_with_id =
          std::any_of(b.holds.begin(), b.holds.end(),
                      [&](const HoldFact& o) { return o.id == h.id && active(o); });
      EXPECT_EQ(has_prefix(d, "legal hold #" + std::to_string(h.id) + " "), any_active_with_id);
    }
    for (const auto& l : b.locks)
      EXPECT_TRUE(l.until <= c.now || d.keep) << "a storage-locked backup is never deleted";
    EXPECT_TRUE(!(b.missing_since || !b.time || !b.repository_active) || d.keep);
  }
  EXPECT_EQ(plan.backups_to_delete, deletes);

  // Each group's rules keep exactly what a plain computation expects.
  std::map<std::string, std::vector<std::size_t>> groups;
  for (std::size_t i = 0; i < c.backups.size(); ++i) {
    const auto& b = c.backups[i];
    if (b.missing_since || !b.time || !b.repository_active) continue;
    groups[b.repository + "|" + b.kind + "|" + b.database.value_or("") + "|" +
           b.system_identifier.value_or("?")]
        .push_back(i);
  }
  for (auto& [group, members] : groups) {
    std::sort(members.begin(), members.end(), [&](auto x, auto y) {
      const auto& a = c.backups[x];
      const auto& b = c.backups[y];
      return *a.time != *b.time ? *a.time > *b.time : a.row_id > b.row_id;
    });
    auto rules = rules_for(c, c.backups[members[0]]);
    if (c.backups[members[0]].kind == "logical") rules.pitr_window.reset(); // no PITR from a dump
    const bool any = rules.keep_last || rules.keep_within || rules.keep_daily ||
                     rules.keep_weekly || rules.keep_monthly || rules.keep_yearly ||
                     rules.pitr_window;
    for (std::size_t n = 0; n < members.size(); ++n) {
      const auto& d = plan.decisions[members[n]];
      const auto& t = *c.backups[members[n]].time;
      EXPECT_TRUE(any || (d.keep && has_prefix(d, "no retention rule"))) << group;
      EXPECT_EQ(has_prefix(d, "keep_last "),
                rules.keep_last && n < static_cast<std::size_t>(*rules.keep_last))
          << group << " #" << n;
      EXPECT_EQ(has_prefix(d, "keep_within "), rules.keep_within && t >= c.now - *rules.keep_within)
          << group;
    }
    const std::pair<std::string, std::optional<int>> periods[] = {{"daily", rules.keep_daily},
                                                                  {"weekly", rules.keep_weekly},
                                                                  {"monthly", rules.keep_monthly},
                                                                  {"yearly", rules.keep_yearly}};
    for (const auto& [period, count] : periods) {
      std::set<std::size_t> expected;
      if (count) {
        std::set<std::int64_t> buckets;
        for (auto i : members) {
          auto bucket = bucket_number(period, *c.backups[i].time);
          if (buckets.count(bucket)) continue; // not the newest of its bucket
          if (static_cast<int>(buckets.size()) == *count) break;
          buckets.insert(bucket);
          expected.insert(i);
        }
      }
      for (auto i : members)
        EXPECT_EQ(has_prefix(plan.decisions[i], "keep_" + period + " "), expected.count(i) > 0)
            << group << " " << period << " " << c.backups[i].backup_id << " at "
            << format_rfc3339(*c.backups[i].time);
    }
  }

  // WAL: nothing a kept base backup needs, nothing locked, nothing unattributed.
  std::size_t wal_deleted = 0;
  for (const auto& range : plan.wal_decision.delete_ranges) {
    for (auto index : range.segments) {
      ++wal_deleted;
      const auto& w = c.wal[index];
      SCOPED_TRACE("WAL " + w.key);
      ASSERT_TRUE(w.system_identifier.has_value());
      EXPECT_TRUE(w.repository_active);
      EXPECT_FALSE(w.retain_until && *w.retain_until > c.now);
      EXPECT_EQ(range.timeline, w.timeline);
      bool some_kept_base = false;
      for (std::size_t i = 0; i < c.backups.size(); ++i) {
        const auto& b = c.backups[i];
        if (b.kind != "physical" || !plan.decisions[i].keep) continue;
        EXPECT_TRUE(b.system_identifier.has_value())
            << "a kept base backup of unknown cluster blocks WAL deletion";
        if (b.system_identifier != w.system_identifier) continue;
        some_kept_base = true;
        ASSERT_TRUE(b.start_lsn.has_value())
            << b.backup_id << " has no start, its cluster's WAL must stay";
        EXPECT_LE((w.segno + 1) * w.segment_size, static_cast<std::uint64_t>(*b.start_lsn))
            << "needed from " << b.backup_id << "'s start on";
      }
      EXPECT_TRUE(some_kept_base) << "WAL of a cluster without a kept base backup stays";
    }
  }
  EXPECT_EQ(plan.wal_segments_to_delete, wal_deleted);
}

TEST(RetentionProperties, RandomCatalogsKeepWhatMustBeKept)
{
  if (const char* one = std::getenv("LASTGOOD_PROPERTY_SEED")) {
    check_case(static_cast<std::uint32_t>(std::strtoul(one, nullptr, 10)));
    return;
  }
  constexpr int kCases = 3000;
  for (std::uint32_t seed = 1; seed <= kCases; ++seed) {
    check_case(seed);
    if (HasFailure()) {
      std::cerr << "first failing seed: " << seed << '\n';
      return;
    }
  }
}

} // namespace
} // namespace lastgood::compliance
