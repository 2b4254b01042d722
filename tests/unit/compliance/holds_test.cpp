// Legal holds in a real (temporary) catalog: add, list, release, expiry, audit.

#include "common/error.hpp"
#include "compliance/holds.hpp"
#include "tests/unit/compliance/catalog_fixture.hpp"

#include <gtest/gtest.h>

namespace lastgood::compliance {
namespace {

using std::chrono::hours;

class Holds : public testing::CatalogFixture
{
protected:
  std::vector<std::pair<std::string, std::string>> audit()
  {
    auto s = db().prepare(
        "SELECT action, subject FROM audit_log WHERE action LIKE 'hold.%' ORDER BY id");
    std::vector<std::pair<std::string, std::string>> out;
    while (s.step())
      out.emplace_back(s.text(0), s.text(1));
    return out;
  }
  const TimePoint now = parse_rfc3339("2026-11-22T12:00:00Z");
};

TEST_F(Holds, AddListReleaseAreRecordedWithWhoAndWhenAndAudited)
{
  add_dump("20261122T0200-shop-7f3a", "shop", "2026-11-22T02:00:00Z");
  auto h = add_hold(db(), "20261122T0200-shop", now + hours(24 * 30), "case 42", now);
  EXPECT_EQ(h.backup_id, "20261122T0200-shop-7f3a") << "a unique prefix names the backup";
  EXPECT_EQ(h.until, "2026-12-22T12:00:00Z");
  EXPECT_EQ(h.created_at, "2026-11-22T12:00:00Z");
  EXPECT_FALSE(h.created_by.empty());
  EXPECT_EQ(h.state(now), "active");
  EXPECT_EQ(h.state(now + hours(24 * 31)), "expired") << "a hold expires by itself";
  auto indefinite = add_hold(db(), "20261122T0200-shop-7f3a", std::nullopt, "litigation", now);
  EXPECT_EQ(indefinite.state(now + hours(24 * 3650)), "active");

  auto all = list_holds(db());
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[0].id, indefinite.id) << "newest first";

  auto released = release_holds(db(), "20261122T0200-shop-7f3a", "case closed", now + hours(1));
  ASSERT_EQ(released.size(), 2u);
  all = list_holds(db());
  for (const auto& x : all) {
    EXPECT_EQ(x.state(now + hours(1)), "released");
    EXPECT_EQ(x.release_reason, "case closed");
    EXPECT_EQ(x.released_at, "2026-11-22T13:00:00Z");
  }
  EXPECT_THROW(release_holds(db(), "20261122T0200-shop-7f3a", "again", now + hours(2)), UsageError);
  auto rows = audit();
  ASSERT_EQ(rows.size(), 4u);
  EXPECT_EQ(rows[0],
            std::make_pair(std::string("hold.add"), std::string("20261122T0200-shop-7f3a")));
  EXPECT_EQ(rows[2].first, "hold.release");
  EXPECT_EQ(rows[3].first, "hold.release");
  auto count = db().prepare("SELECT count(*) FROM holds");
  ASSERT_TRUE(count.step());
  EXPECT_EQ(count.int64(0), 2) << "releasing never removes the row";
}

TEST_F(Holds, BadInputIsRefusedAndChangesNothing)
{
  add_dump("b1", "shop", "2026-11-22T02:00:00Z");
  EXPECT_THROW(add_hold(db(), "nope", std::nullopt, "x", now), UsageError);
  EXPECT_THROW(add_hold(db(), "b1", std::nullopt, "  ", now), UsageError);
  EXPECT_THROW(add_hold(db(), "b1", now - hours(1), "x", now), UsageError);
  EXPECT_THROW(add_hold(db(), "b1", now, "x", now), UsageError);
  EXPECT_THROW(release_holds(db(), "b1", "x", now), UsageError) << "no hold to release";
  EXPECT_THROW(release_holds(db(), "b1", "", now), UsageError);
  db().exec("UPDATE backups SET deleted_at = '2026-11-01T00:00:00Z'");
  EXPECT_THROW(add_hold(db(), "b1", std::nullopt, "x", now), UsageError)
      << "a deleted backup cannot be held";
  EXPECT_TRUE(list_holds(db()).empty());
  EXPECT_TRUE(audit().empty());
}

TEST_F(Holds, AnExpiredHoldCannotBeReleasedAndDoesNotCount)
{
  add_dump("b1", "shop", "2026-11-22T02:00:00Z");
  add_hold(db(), "b1", now + hours(1), "short", now);
  EXPECT_THROW(release_holds(db(), "b1", "late", now + hours(2)), UsageError);
  EXPECT_EQ(list_holds(db())[0].state(now + hours(2)), "expired");
}

} // namespace
} // namespace lastgood::compliance
