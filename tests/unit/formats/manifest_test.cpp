#include "common/error.hpp"
#include "formats/pgbackrest/manifest.hpp"
#include "tests/support/temp_dir.hpp"

#include <gtest/gtest.h>

namespace pgbr = lastgood::formats::pgbackrest;

namespace {

// A real pgBackRest 2.45 manifest cut down to a few files (the fuzz corpus seed).
std::string seed_manifest()
{
  return lastgood::testing::read_file(
      lastgood::testing::source_dir() /
      "tests/fuzz/corpus/pgbackrest_manifest/incr-bundled.manifest");
}

TEST(Manifest, ParsesABundledIncremental)
{
  auto m = pgbr::parse_manifest(pgbr::parse_info_text(seed_manifest(), "seed"), "seed");
  EXPECT_EQ(m.type, pgbr::BackupType::incr);
  ASSERT_TRUE(m.prior);
  EXPECT_EQ(m.references.size(), 2u);
  EXPECT_EQ(m.references.back(), m.label);
  EXPECT_TRUE(m.bundle);
  EXPECT_EQ(m.compress_type, pgbr::CompressType::gz);
  EXPECT_EQ(m.pg_version, "15");
  const auto* version = m.find_file("pg_data/PG_VERSION");
  ASSERT_NE(version, nullptr);
  EXPECT_EQ(version->size, 3u);
  EXPECT_EQ(version->reference, *m.prior);
  ASSERT_TRUE(version->bundle_id);
  EXPECT_GT(version->repo_size, 0u);
  EXPECT_TRUE(version->repo_checksum);
  const auto* label = m.find_file("pg_data/backup_label");
  ASSERT_NE(label, nullptr);
  EXPECT_FALSE(label->reference);
  EXPECT_FALSE(label->bundle_id) << "backup_label is stored on its own";
  EXPECT_EQ(label->mode, "0600");
}

TEST(Manifest, PageChecksumErrorsAreRead)
{
  // parse_manifest reads values parse_info_text already verified: edit them directly.
  auto text = pgbr::parse_info_text(seed_manifest(), "seed");
  for (auto& v : text.values)
    if (v.section == "target:file" && v.key == "pg_data/base/1/1259")
      v.json.insert(v.json.find("\"checksum-page\":true"), "\"checksum-page-error\":[3,[7,9]],");
  for (auto& v : text.values)
    if (v.key == "pg_data/base/1/1259") {
      auto pos = v.json.find("\"checksum-page\":true");
      v.json.replace(pos, 20, "\"checksum-page\":false");
    }
  auto m = pgbr::parse_manifest(text, "seed");
  const auto* f = m.find_file("pg_data/base/1/1259");
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(f->checksum_page, false);
  ASSERT_EQ(f->page_errors.size(), 2u);
  EXPECT_EQ(f->page_errors[0].first, 3u);
  EXPECT_EQ(f->page_errors[1].first, 7u);
  EXPECT_EQ(f->page_errors[1].last, 9u);
}

TEST(Manifest, UnsafeOrInconsistentEntriesAreErrors)
{
  auto text = pgbr::parse_info_text(seed_manifest(), "seed");
  auto with_reference = text;
  for (auto& v : with_reference.values)
    if (v.key == "pg_data/PG_VERSION")
      v.json.replace(v.json.find("\"reference\":\""), 13, "\"reference\":\"X");
  EXPECT_THROW((void)pgbr::parse_manifest(with_reference, "seed"), lastgood::ValidationError);
  auto without_checksum = text;
  for (auto& v : without_checksum.values)
    if (v.key == "pg_data/PG_VERSION") v.json.replace(v.json.find("\"checksum\""), 10, "\"sum\"");
  EXPECT_THROW((void)pgbr::parse_manifest(without_checksum, "seed"), lastgood::ValidationError);
}

} // namespace
