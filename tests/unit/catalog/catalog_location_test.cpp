// Where the catalog is, and what happens when it is not there (issue 11, case 7).

#include "catalog/catalog.hpp"
#include "common/error.hpp"
#include "tests/support/sqlite_file_only.hpp"
#include "tests/support/temp_dir.hpp"

#include <filesystem>
#include <fstream>
#include <gtest/gtest.h>
#include <sys/stat.h>

namespace lastgood::catalog {
namespace {

namespace fs = std::filesystem;
using lastgood::testing::TempDir;

#define EXPECT_CONTAINS(haystack, needle)                                                          \
  EXPECT_NE(std::string(haystack).find(needle), std::string::npos)                                 \
      << "expected '" << (needle) << "' in: " << (haystack)

TEST(CatalogLocation, SaysHowThePathWasChosen)
{
  ::setenv("LASTGOOD_CATALOG", "/env/catalog.db", 1);
  EXPECT_EQ(locate_catalog("/flag.db").chosen_by, "flag --catalog");
  auto env = locate_catalog("");
  EXPECT_EQ(env.path, "/env/catalog.db");
  EXPECT_EQ(env.chosen_by, "env LASTGOOD_CATALOG");
  ::unsetenv("LASTGOOD_CATALOG");
  ::setenv("XDG_DATA_HOME", "/xdg", 1);
  auto xdg = locate_catalog("");
  EXPECT_EQ(xdg.path, "/xdg/lastgood/catalog.db");
  EXPECT_EQ(xdg.chosen_by, "default $XDG_DATA_HOME/lastgood/catalog.db");
  ::unsetenv("XDG_DATA_HOME");
}

TEST(CatalogLocation, AMissingCatalogIsAUsageErrorAndNothingIsCreated)
{
  TempDir dir;
  const CatalogLocation where{(dir.path() / "wrong" / "dir" / "cat.db").string(), "flag --catalog"};
  try {
    Catalog::open(where, IfMissing::Refuse);
    FAIL() << "a missing catalog was opened";
  } catch (const UsageError& e) {
    EXPECT_EQ(e.exit_code(), kExitUsage);
    EXPECT_CONTAINS(e.what(), "no catalog at " + where.path + " (path from flag --catalog)");
    EXPECT_CONTAINS(e.what(), "lastgood catalog init");
  }
  EXPECT_FALSE(fs::exists(dir.path() / "wrong"));
}

TEST(CatalogLocation, SetUpCommandsCreateItPrivate)
{
  TempDir dir;
  const CatalogLocation where{(dir.path() / "new" / "cat.db").string(), "flag --catalog"};
  auto catalog = Catalog::open(where, IfMissing::Create);
  EXPECT_FALSE(catalog->read_only());
  struct stat st
  {
  };
  ASSERT_EQ(::stat(where.path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  catalog.reset();
  EXPECT_FALSE(Catalog::open(where, IfMissing::Refuse)->read_only()) << "an existing catalog opens";
}

TEST(CatalogLocation, SomethingElseAtThePathIsNamed)
{
  TempDir dir;
  const auto text = dir.write("notes.txt", std::string(4096, 'x')).string();
  try {
    Catalog::open({text, "env LASTGOOD_CATALOG"}, IfMissing::Refuse);
    FAIL() << "a text file was opened as a catalog";
  } catch (const DatabaseError& e) {
    EXPECT_CONTAINS(e.what(), text);
    EXPECT_CONTAINS(e.what(), "not a database");
  }
  const auto other = (dir.path() / "other.db").string();
  {
    Database db(other, true);
    db.exec("CREATE TABLE invoices (id INTEGER)");
  }
  try {
    Catalog::open({other, "flag --catalog"}, IfMissing::Refuse);
    FAIL() << "someone else's database was opened as a catalog";
  } catch (const DatabaseError& e) {
    EXPECT_EQ(e.exit_code(), kExitUsage);
    EXPECT_CONTAINS(e.what(), other + " is an SQLite database but not a lastgood catalog");
  }
}

TEST(CatalogReadOnly, ReadsWorkAndWritesFailNamingThePath)
{
  LASTGOOD_SQLITE_FILE_ONLY();
  TempDir dir;
  const auto path = (dir.path() / "cat.db").string();
  {
    auto catalog = Catalog::open(path);
    catalog->db().exec(
        "INSERT INTO repositories (name, url, created_at) VALUES ('a', 'file:///a', 'now')");
  }
  Database db(path, Database::Mode::ReadOnly);
  EXPECT_TRUE(db.read_only());
  auto count = db.prepare("SELECT count(*) FROM repositories");
  ASSERT_TRUE(count.step());
  EXPECT_EQ(count.int64(0), 1);
  try {
    db.exec("INSERT INTO repositories (name, url, created_at) VALUES ('b', 'file:///b', 'now')");
    FAIL() << "wrote through a read-only connection";
  } catch (const DatabaseError& e) {
    EXPECT_CONTAINS(e.what(), "catalog " + path);
    EXPECT_CONTAINS(e.what(), "may read the catalog but not write it");
  }
}

} // namespace
} // namespace lastgood::catalog
