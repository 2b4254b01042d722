#include "catalog/catalog.hpp"
#include "catalog/migrations.hpp"
#include "common/error.hpp"
#include "common/sha256.hpp"
#include "tests/support/sqlite_file_only.hpp"
#include "tests/support/temp_dir.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>

namespace lastgood::catalog {
namespace {

using lastgood::testing::TempDir;

int newest_version()
{
  return embedded_migrations().back().version;
}

TEST(Migrations, EmbeddedInOrderWithoutGaps)
{
  const auto& all = embedded_migrations();
  ASSERT_FALSE(all.empty());
  for (std::size_t i = 0; i < all.size(); ++i) {
    EXPECT_EQ(all[i].version, static_cast<int>(i) + 1) << all[i].name;
    EXPECT_FALSE(all[i].sql.empty());
  }
}

TEST(Migrations, FreshCatalogIsPrivateWalModeWithForeignKeys)
{
  LASTGOOD_SQLITE_FILE_ONLY();
  TempDir dir;
  auto path = (dir.path() / "sub" / "catalog.db").string();
  auto catalog = Catalog::open(path);
  EXPECT_EQ(catalog->schema_version(), newest_version());
  struct stat st
  {
  };
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  auto mode = catalog->db().prepare("PRAGMA journal_mode");
  ASSERT_TRUE(mode.step());
  EXPECT_EQ(mode.text(0), "wal");
  auto fk = catalog->db().prepare("PRAGMA foreign_keys");
  ASSERT_TRUE(fk.step());
  EXPECT_EQ(fk.int64(0), 1);
  EXPECT_THROW(catalog->db().exec(
                   "INSERT INTO backup_objects (backup_id, object_id, role) VALUES (42, 42, 'x')"),
               DatabaseError);
}

TEST(Migrations, UpgradesFromEveryEarlierVersion)
{
  for (const auto& m : embedded_migrations()) {
    TempDir dir;
    auto path = (dir.path() / "catalog.db").string();
    {
      Database db(path, true);
      EXPECT_EQ(migrate(db, m.version), m.version);
      EXPECT_EQ(current_schema_version(db), m.version);
    }
    auto catalog = Catalog::open(path);
    EXPECT_EQ(catalog->schema_version(), newest_version());
    auto count = catalog->db().prepare("SELECT count(*) FROM schema_migrations");
    ASSERT_TRUE(count.step());
    EXPECT_EQ(count.int64(0), newest_version());
  }
}

TEST(Migrations, ReopeningAppliesNothing)
{
  TempDir dir;
  auto path = (dir.path() / "catalog.db").string();
  Catalog::open(path);
  auto catalog = Catalog::open(path);
  auto count = catalog->db().prepare("SELECT count(*) FROM schema_migrations");
  ASSERT_TRUE(count.step());
  EXPECT_EQ(count.int64(0), newest_version());
}

TEST(Migrations, RefusesCatalogFromNewerBinaryWithoutTouchingIt)
{
  LASTGOOD_SQLITE_FILE_ONLY();
  TempDir dir;
  auto path = (dir.path() / "catalog.db").string();
  {
    auto catalog = Catalog::open(path);
    catalog->db()
        .prepare(
            "INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, 'future', 'x')")
        .bind(1, newest_version() + 1)
        .run();
    catalog->db().exec("PRAGMA wal_checkpoint(TRUNCATE)");
  }
  const auto before = Sha256::of(lastgood::testing::read_file(path));
  try {
    Catalog::open(path);
    FAIL() << "a newer catalog was accepted";
  } catch (const DatabaseError& e) {
    EXPECT_EQ(e.exit_code(), kExitUsage);
    EXPECT_NE(std::string(e.what()).find("newer"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("not modified"), std::string::npos) << e.what();
  }
  EXPECT_EQ(Sha256::of(lastgood::testing::read_file(path)), before);
}

TEST(Catalog, TwoConnectionsShareOneFile)
{
  TempDir dir;
  auto path = (dir.path() / "catalog.db").string();
  auto first = Catalog::open(path);
  auto second = Catalog::open(path);
  first->db().exec(
      "INSERT INTO repositories (name, url, created_at) VALUES ('a', 'file:///a', 'now')");
  second->db().exec(
      "INSERT INTO repositories (name, url, created_at) VALUES ('b', 'file:///b', 'now')");
  auto count = first->db().prepare("SELECT count(*) FROM repositories");
  ASSERT_TRUE(count.step());
  EXPECT_EQ(count.int64(0), 2);
}

TEST(Catalog, PathResolutionPrefersFlagThenEnvThenXdg)
{
  ::setenv("LASTGOOD_CATALOG", "/env/catalog.db", 1);
  EXPECT_EQ(resolve_catalog_path("/flag.db"), "/flag.db");
  EXPECT_EQ(resolve_catalog_path(""), "/env/catalog.db");
  ::unsetenv("LASTGOOD_CATALOG");
  ::setenv("XDG_DATA_HOME", "/xdg", 1);
  EXPECT_EQ(resolve_catalog_path(""), "/xdg/lastgood/catalog.db");
  ::unsetenv("XDG_DATA_HOME");
}

} // namespace
} // namespace lastgood::catalog
