// retention apply on a temporary catalog with in-memory storage: audit rows
// come first, objects are removed, rows are marked and never removed, holds
// put on after planning still protect, objects already gone count as done.

#include "compliance/holds.hpp"
#include "compliance/retention_apply.hpp"
#include "tests/unit/compliance/catalog_fixture.hpp"

#include <gtest/gtest.h>

namespace lastgood::compliance {
namespace {

class Apply : public testing::CatalogFixture
{
protected:
  RetentionPlan plan(int keep_last)
  {
    RetentionConfig config;
    config.defaults.keep_last = keep_last;
    return plan_retention(
        db(), config, [](const GoodScope&) { return std::optional<std::string>(); }, now);
  }
  std::optional<std::string> deleted_at(const std::string& backup_id)
  {
    auto s = db().prepare("SELECT deleted_at FROM backups WHERE backup_id = ?");
    s.bind(1, backup_id);
    EXPECT_TRUE(s.step());
    return s.opt_text(0);
  }
  std::vector<std::string> actions()
  {
    auto s = db().prepare("SELECT action || ' ' || coalesce(subject, '') FROM audit_log"
                          " WHERE action LIKE 'retention.%' ORDER BY id");
    std::vector<std::string> out;
    while (s.step())
      out.push_back(s.text(0));
    return out;
  }
  const TimePoint now = parse_rfc3339("2026-11-22T12:00:00Z");
};

TEST_F(Apply, DeletesObjectsMarksRowsAndAuditsFirst)
{
  add_dump("old", "shop", "2026-11-01T02:00:00Z");
  add_dump("mid", "shop", "2026-11-10T02:00:00Z");
  add_dump("new", "shop", "2026-11-20T02:00:00Z");
  auto p = plan(1);
  ASSERT_EQ(p.backups_to_delete, 2u);
  auto result = apply_retention(db(), p);
  EXPECT_TRUE(result.refused.empty());
  EXPECT_EQ(result.deleted_backups, (std::vector<std::string>{"old", "mid"}));
  EXPECT_FALSE(exists("dumps/old.dump"));
  EXPECT_FALSE(exists("dumps/mid.dump"));
  EXPECT_TRUE(exists("dumps/new.dump"));
  EXPECT_TRUE(deleted_at("old").has_value());
  EXPECT_FALSE(deleted_at("new").has_value());
  auto objects = db().prepare("SELECT count(*), count(deleted_at) FROM objects");
  ASSERT_TRUE(objects.step());
  EXPECT_EQ(objects.int64(0), 3) << "rows are marked, never removed";
  EXPECT_EQ(objects.int64(1), 2);
  EXPECT_EQ(actions(), (std::vector<std::string>{"retention.apply 2 backups, 0 WAL segments",
                                                 "retention.delete_backup old",
                                                 "retention.delete_backup mid"}));
  // The next plan does not see deleted backups at all.
  EXPECT_EQ(plan(1).backups.size(), 1u);
}

TEST_F(Apply, AHoldAddedAfterPlanningStillProtects)
{
  add_dump("old", "shop", "2026-11-01T02:00:00Z");
  add_dump("new", "shop", "2026-11-20T02:00:00Z");
  auto p = plan(1);
  ASSERT_EQ(p.backups_to_delete, 1u);
  add_hold(db(), "old", std::nullopt, "late request", now);
  auto result = apply_retention(db(), p);
  EXPECT_EQ(result.skipped_backups, std::vector<std::string>{"old"});
  EXPECT_TRUE(exists("dumps/old.dump"));
  EXPECT_FALSE(deleted_at("old").has_value());
}

TEST_F(Apply, AnObjectAlreadyGoneCountsAsDeleted)
{
  add_dump("old", "shop", "2026-11-01T02:00:00Z");
  add_dump("new", "shop", "2026-11-20T02:00:00Z");
  m_storage.remove("dumps/old.dump");
  auto result = apply_retention(db(), plan(1));
  EXPECT_TRUE(result.refused.empty());
  EXPECT_EQ(result.objects_already_gone, 1u);
  EXPECT_TRUE(deleted_at("old").has_value());
}

} // namespace
} // namespace lastgood::compliance
