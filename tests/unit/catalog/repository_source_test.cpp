// A repository's source and naming rule reach its backups at each scan
// (docs/sources.md): plain dumps without -C are named by their key, headers
// that name a database win, and a changed [[repository]] re-scopes the
// repository's backups at once.

#include "catalog/catalog.hpp"
#include "catalog/repositories.hpp"
#include "catalog/scanner.hpp"
#include "common/error.hpp"
#include "storage/storage.hpp"
#include "tests/support/temp_dir.hpp"

#include <filesystem>
#include <gtest/gtest.h>
#include <map>

namespace lastgood::catalog {
namespace {

using lastgood::testing::TempDir;

// Head and tail of `pg_dump -Fp shop` (pg_dump 15.18): names no database.
constexpr std::string_view kPlain =
    "--\n-- PostgreSQL database dump\n--\n\n"
    "-- Dumped from database version 15.18 (Debian 15.18-0+deb12u1)\n"
    "-- Dumped by pg_dump version 15.18 (Debian 15.18-0+deb12u1)\n\n"
    "SET statement_timeout = 0;\nSET lock_timeout = 0;\n"
    "--\n-- PostgreSQL database dump complete\n--\n\n";
// `pg_dump -Fp -C shop`: CREATE DATABASE names it.
constexpr std::string_view kPlainCreate =
    "--\n-- PostgreSQL database dump\n--\n\n"
    "-- Dumped from database version 15.18 (Debian 15.18-0+deb12u1)\n"
    "-- Dumped by pg_dump version 15.18 (Debian 15.18-0+deb12u1)\n\n"
    "CREATE DATABASE shop WITH TEMPLATE = template0 ENCODING = 'UTF8';\n\n"
    "ALTER DATABASE shop OWNER TO postgres;\n\\connect shop\n"
    "--\n-- PostgreSQL database dump complete\n--\n\n";

class RepositorySourceTest : public ::testing::Test
{
protected:
  void SetUp() override
  {
    m_catalog = Catalog::open((m_home.path() / "catalog.db").string());
    std::filesystem::create_directories(m_repo.path());
    m_storage = storage::open_storage(m_repo.path().string());
  }
  Database& db() { return m_catalog->db(); }
  RepositoryConfig config(const std::string& source = {}, const std::string& pattern = {})
  {
    return RepositoryConfig{"nightly", m_repo.path().string(), source, pattern, ""};
  }
  void scan(const Repository& repository) { scan_repository(db(), repository, *m_storage, {}); }
  // root key -> "source|database" of every backup
  std::map<std::string, std::string> backups()
  {
    auto s =
        db().prepare("SELECT root_key, coalesce(source, '(default)'), coalesce(database, '(none)')"
                     " FROM backups ORDER BY root_key");
    std::map<std::string, std::string> out;
    while (s.step())
      out[s.text(0)] = s.text(1) + "|" + s.text(2);
    return out;
  }

  TempDir m_home, m_repo;
  std::unique_ptr<Catalog> m_catalog;
  std::unique_ptr<storage::Storage> m_storage;
};

TEST_F(RepositorySourceTest, PlainDumpsAreNamedByConventionUnlessTheHeaderNamesThem)
{
  m_repo.write("shop-20261103T0200.sql", std::string(kPlain));
  m_repo.write("shop_2026-11-03_0200.sql", std::string(kPlain));
  m_repo.write("nightly/inventory/2026-11-03.sql", std::string(kPlain));
  m_repo.write("other-20261103.sql", std::string(kPlainCreate));
  scan(register_configured_repository(db(), config()));
  std::map<std::string, std::string> expected = {
      {"nightly/inventory/2026-11-03.sql", "(default)|2026-11-03"},
      {"other-20261103.sql", "(default)|shop"}, // CREATE DATABASE wins over the name
      {"shop-20261103T0200.sql", "(default)|shop"},
      {"shop_2026-11-03_0200.sql", "(default)|shop"}};
  EXPECT_EQ(backups(), expected);
}

TEST_F(RepositorySourceTest, ChangedSettingsReScopeTheRepositorysBackupsAtOnce)
{
  m_repo.write("nightly/inventory/2026-11-03.sql", std::string(kPlain));
  m_repo.write("shop-20261103T0200.sql", std::string(kPlain));
  scan(register_configured_repository(db(), config()));
  ASSERT_EQ(backups()["shop-20261103T0200.sql"], "(default)|shop");

  auto changed = register_configured_repository(db(), config("prod-eu", "^nightly/([^/]+)/"));
  EXPECT_EQ(changed.source, "prod-eu");
  EXPECT_EQ(find_repository(db(), "nightly")->database_from_name, "^nightly/([^/]+)/");
  {
    auto audit = db().prepare("SELECT count(*) FROM audit_log WHERE action = 'repo.settings'");
    ASSERT_TRUE(audit.step());
    EXPECT_EQ(audit.int64(0), 1);
  }
  std::map<std::string, std::string> expected = {
      {"nightly/inventory/2026-11-03.sql", "prod-eu|inventory"},
      {"shop-20261103T0200.sql", "prod-eu|shop"}}; // the pattern does not match: the convention
  EXPECT_EQ(backups(), expected);

  // A file that sets no source keeps the stored one; "default" clears it.
  EXPECT_EQ(register_configured_repository(db(), config()).source, "prod-eu");
  auto cleared = register_configured_repository(db(), config("default"));
  EXPECT_EQ(cleared.source, std::nullopt);
  EXPECT_EQ(backups()["shop-20261103T0200.sql"], "(default)|shop");
}

TEST_F(RepositorySourceTest, BadSettingsAreRefusedBeforeAnythingIsStored)
{
  EXPECT_THROW(register_configured_repository(db(), config("prod/eu")), UsageError);
  EXPECT_THROW(register_configured_repository(db(), config("", "no-group")), UsageError);
  EXPECT_THROW(register_configured_repository(db(), config("", "([a-z")), UsageError);
  EXPECT_FALSE(find_repository(db(), "nightly"));
  RepositorySettings settings;
  settings.source = "default";
  auto added = add_repository(db(), "plain", m_repo.path().string(), settings);
  EXPECT_EQ(added.source, std::nullopt) << "'default' is the default source";
  EXPECT_EQ(source_label(added.source), "default");
}

} // namespace
} // namespace lastgood::catalog
