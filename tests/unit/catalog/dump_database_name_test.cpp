// The naming convention for dumps whose header names no database, and the
// per-repository override (docs/sources.md).

#include "catalog/dump_database_name.hpp"
#include "common/error.hpp"

#include <gtest/gtest.h>

namespace lastgood::catalog {
namespace {

TEST(DatabaseFromName, StripsTrailingDateTimeStampsAndSeparators)
{
  EXPECT_EQ(database_from_name("shop-20261103T0200.sql"), "shop");
  EXPECT_EQ(database_from_name("shop_2026-11-03_0200.sql.gz"), "shop");
  EXPECT_EQ(database_from_name("shop-2026-11-03T02:00:00Z.sql"), "shop");
  EXPECT_EQ(database_from_name("shop.20261103.sql"), "shop");
  EXPECT_EQ(database_from_name("shop-20261103-020000.sql.zst"), "shop");
  EXPECT_EQ(database_from_name("shop-1730592000.sql"), "shop") << "a Unix time";
  EXPECT_EQ(database_from_name("shop_03-11-2026.sql"), "shop") << "day first";
  EXPECT_EQ(database_from_name("my_app-20261103.sql"), "my_app");
}

TEST(DatabaseFromName, PlainNamesAndExtensions)
{
  EXPECT_EQ(database_from_name("shop.sql"), "shop");
  EXPECT_EQ(database_from_name("shop"), "shop");
  EXPECT_EQ(database_from_name("dumps/nightly/shop.sql"), "shop") << "only the file name counts";
  EXPECT_EQ(database_from_name("SHOP.SQL.GZ"), "SHOP") << "extensions in any case";
  EXPECT_EQ(database_from_name("shop.dir/"), "shop") << "a directory dump's name";
  EXPECT_EQ(database_from_name("shop.data"), "shop")
      << "an unknown extension is cut at the first dot";
}

TEST(DatabaseFromName, KeepsWhatIsNotAStamp)
{
  EXPECT_EQ(database_from_name("2026-11-03.sql"), "2026-11-03") << "all stamp: kept as is";
  EXPECT_EQ(database_from_name("20261103T0200.sql"), "20261103T0200");
  EXPECT_EQ(database_from_name("app-2024.sql"), "app-2024") << "4 digits are a name, not a stamp";
  EXPECT_EQ(database_from_name("shop-v2-20261103.sql"), "shop-v2") << "stamp only at the end";
  EXPECT_EQ(database_from_name("shop2.sql"), "shop2");
  EXPECT_EQ(database_from_name("shop-1-20261103.sql"), "shop-1")
      << "a 1-digit number starts no stamp";
  EXPECT_EQ(database_from_name("db_2024_archive-20261103.sql"), "db_2024_archive");
  EXPECT_EQ(database_from_name(".sql"), ".sql") << "nothing left: the name as it is";
}

TEST(DatabaseFromName, RepositoryPatternOverridesTheConvention)
{
  EXPECT_EQ(database_from_name("dumps/shop/2026-11-03.sql", "^dumps/([^/]+)/"), "shop")
      << "searched in the whole key";
  EXPECT_EQ(database_from_name("nightly_shop_v2.sql", "nightly_([a-z0-9_]+)\\.sql$"), "shop_v2");
  EXPECT_EQ(database_from_name("other-20261103.sql", "^dumps/([^/]+)/"), "other")
      << "no match: the convention";
}

TEST(DatabaseFromName, BadPatternsAreUsageErrors)
{
  EXPECT_THROW(database_from_name("shop.sql", "([a-z"), UsageError);
  EXPECT_THROW(check_database_from_name("[a-z]+", "repository.database_from_name"), UsageError)
      << "no capture group";
  EXPECT_NO_THROW(check_database_from_name("^([a-z]+)", "repository.database_from_name"));
  try {
    check_database_from_name("[a-z]+", "repository prod.database_from_name");
  } catch (const UsageError& e) {
    EXPECT_NE(std::string(e.what()).find("repository prod.database_from_name"), std::string::npos);
    EXPECT_NE(std::string(e.what()).find("capture group"), std::string::npos);
  }
}

} // namespace
} // namespace lastgood::catalog
