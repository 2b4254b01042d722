#include "catalog/barman_backups.hpp"
#include "catalog/repository_format.hpp"
#include "common/error.hpp"
#include "storage/memory_storage.hpp"

#include <gtest/gtest.h>

namespace lastgood::catalog {
namespace {

void put(storage::Storage& storage, const std::string& key)
{
  auto out = storage.write(key);
  std::string content = "x";
  out->write(std::as_bytes(std::span(content)));
  out->commit();
}

std::string usage_error_of(storage::Storage& storage, std::optional<std::string> format,
                           std::optional<std::string> server)
{
  try {
    recognise_repository_format(storage, format, std::nullopt, server);
  } catch (const UsageError& e) {
    return e.what();
  }
  return "";
}

TEST(BarmanRepositoryFormat, AServerDirectoryIsBarmanAsItIs)
{
  storage::MemoryStorage::clear("barman-format-server");
  storage::MemoryStorage storage("barman-format-server");
  put(storage, "wals/xlog.db");
  auto recognised = recognise_repository_format(storage, std::nullopt, std::nullopt);
  EXPECT_EQ(recognised.format, repository_format::barman);
  EXPECT_EQ(recognised.server_subdirectory, "");
  EXPECT_FALSE(recognised.stanza);
  EXPECT_NE(usage_error_of(storage, std::nullopt, "pg1").find("leave --server out"),
            std::string::npos);
  EXPECT_NE(usage_error_of(storage, "pgbackrest", std::nullopt), "");
  EXPECT_FALSE(recognise_repository_format(storage, "files", std::nullopt).format);
}

TEST(BarmanRepositoryFormat, ABarmanHomeNeedsItsServerNamedWhenItHasSeveral)
{
  storage::MemoryStorage::clear("barman-format-home");
  storage::MemoryStorage storage("barman-format-home");
  put(storage, "pg1/wals/xlog.db");
  auto one = recognise_repository_format(storage, std::nullopt, std::nullopt);
  EXPECT_EQ(one.format, repository_format::barman);
  EXPECT_EQ(one.server_subdirectory, "pg1") << "one server: that one";

  put(storage, "pg2/base/20260101T000000/backup.info");
  const auto several = usage_error_of(storage, std::nullopt, std::nullopt);
  EXPECT_NE(several.find("--server"), std::string::npos) << several;
  EXPECT_NE(several.find("pg1, pg2"), std::string::npos) << several;
  EXPECT_EQ(
      recognise_repository_format(storage, std::nullopt, std::nullopt, "pg2").server_subdirectory,
      "pg2");
  EXPECT_EQ(recognise_repository_format(storage, "barman", std::nullopt, "pg1").server_subdirectory,
            "pg1");
  EXPECT_NE(usage_error_of(storage, std::nullopt, "pg3").find("no server 'pg3'"),
            std::string::npos);
}

TEST(BarmanRepositoryFormat, NoBarmanServerIsFilesUnlessBarmanIsInsistedOn)
{
  storage::MemoryStorage::clear("barman-format-none");
  storage::MemoryStorage storage("barman-format-none");
  put(storage, "dumps/shop.dump");
  EXPECT_FALSE(recognise_repository_format(storage, std::nullopt, std::nullopt).format);
  EXPECT_NE(usage_error_of(storage, "barman", std::nullopt).find("no Barman server"),
            std::string::npos);
  EXPECT_NE(usage_error_of(storage, std::nullopt, "pg1"), "");
  EXPECT_NE(usage_error_of(storage, "files", "pg1"), "");
}

TEST(BarmanRepositoryFormat, UrlBelowKeepsAnS3Query)
{
  EXPECT_EQ(url_below("/var/lib/barman", "pg1"), "/var/lib/barman/pg1");
  EXPECT_EQ(url_below("/var/lib/barman/", "pg1"), "/var/lib/barman/pg1");
  EXPECT_EQ(url_below("file:///srv/barman", "pg1"), "file:///srv/barman/pg1");
  EXPECT_EQ(url_below("s3://bucket/barman?region=eu-west-1", "pg1"),
            "s3://bucket/barman/pg1?region=eu-west-1");
  EXPECT_EQ(url_below("/var/lib/barman", ""), "/var/lib/barman");
}

TEST(BarmanRepositoryFormat, TablespaceLinksAreTold)
{
  EXPECT_TRUE(is_barman_tablespace_link("base/20260101T000000/data/pg_tblspc/16391"));
  EXPECT_FALSE(is_barman_tablespace_link("base/20260101T000000/data/pg_tblspc/16391/PG_15"));
  EXPECT_FALSE(is_barman_tablespace_link("base/20260101T000000/data/base/5/1259"));
  EXPECT_FALSE(is_barman_tablespace_link("wals/data/pg_tblspc/16391"));
}

} // namespace
} // namespace lastgood::catalog
