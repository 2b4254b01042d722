#include "common/error.hpp"
#include "formats/pgbackrest/archive_info.hpp"
#include "formats/pgbackrest/info_text.hpp"

#include <gtest/gtest.h>

namespace pgbr = lastgood::formats::pgbackrest;

namespace {

// archive.info exactly as pgBackRest 2.45 wrote it (tests/fixtures/make-pgbackrest-repos).
const std::string kArchiveInfo = R"([backrest]
backrest-format=5
backrest-version="2.45"

[db]
db-id=1
db-system-id=7712368278573969996
db-version="15"

[db:history]
1={"db-id":7712368278573969996,"db-version":"15"}

[backrest]
backrest-checksum="23782174dea5122768d3136ed411ebde7ef00683"
)";

std::string replaced(std::string text, const std::string& from, const std::string& to)
{
  text.replace(text.find(from), from.size(), to);
  return text;
}

TEST(InfoText, VerifiesTheChecksumPgBackRestWrote)
{
  auto text = pgbr::parse_info_text(kArchiveInfo, "archive.info");
  EXPECT_EQ(text.checksum, "23782174dea5122768d3136ed411ebde7ef00683");
  EXPECT_EQ(text.backrest_version, "2.45");
  auto info = pgbr::parse_archive_info(text, "archive.info");
  EXPECT_EQ(info.current.system_id, 7712368278573969996u);
  EXPECT_EQ(info.current.version, "15");
  ASSERT_EQ(info.history.size(), 1u);
  EXPECT_EQ(info.history[0].archive_id(), "15-1");
}

TEST(InfoText, AChangedValueBreaksTheChecksum)
{
  auto damaged = replaced(kArchiveInfo, "db-version=\"15\"", "db-version=\"16\"");
  try {
    (void)pgbr::parse_info_text(damaged, "archive.info");
    FAIL() << "a damaged info file was accepted";
  } catch (const lastgood::ValidationError& e) {
    EXPECT_NE(std::string(e.what()).find("archive.info: checksum mismatch"), std::string::npos)
        << e.what();
  }
}

TEST(InfoText, AnUnknownFormatIsRefusedClearly)
{
  auto other = replaced(kArchiveInfo, "backrest-format=5", "backrest-format=6");
  try {
    (void)pgbr::parse_info_text(other, "archive.info");
    FAIL() << "format 6 was accepted";
  } catch (const lastgood::ValidationError& e) {
    EXPECT_NE(std::string(e.what()).find("repository format 6 is not supported"), std::string::npos)
        << e.what();
  }
}

TEST(InfoText, MissingChecksumAndBadJsonAreErrors)
{
  auto no_checksum = kArchiveInfo.substr(0, kArchiveInfo.find("[backrest]\nbackrest-checksum"));
  EXPECT_THROW((void)pgbr::parse_info_text(no_checksum, "x"), lastgood::ValidationError);
  auto bad_json = replaced(kArchiveInfo, "db-version=\"15\"", "db-version=15\"");
  EXPECT_THROW((void)pgbr::parse_info_text(bad_json, "x"), lastgood::ValidationError);
  EXPECT_THROW((void)pgbr::parse_info_text("key=1\n", "x"), lastgood::ValidationError);
}

TEST(InfoText, KeysMayHoldAnEqualsSign)
{
  std::vector<pgbr::InfoValue> values{{"backrest", "backrest-format", "5"},
                                      {"target:file", "pg_data/a=b", "{\"size\":1}"}};
  std::string text = "[backrest]\nbackrest-format=5\n\n[target:file]\npg_data/a=b={\"size\":1}\n\n"
                     "[backrest]\nbackrest-checksum=\"" +
                     pgbr::info_checksum(values) + "\"\n";
  auto parsed = pgbr::parse_info_text(text, "x");
  ASSERT_NE(parsed.find("target:file", "pg_data/a=b"), nullptr);
}

} // namespace
