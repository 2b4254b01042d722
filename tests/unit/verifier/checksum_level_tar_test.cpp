// verify_checksums on fake tar base backups (plain and gzip'd tars, a
// tablespace tar, pg_wal.tar): tar members checked against backup_manifest on
// the same pass that hashes the archive.

#include "tests/unit/verifier/fake_backup.hpp"

#include <filesystem>
#include <gtest/gtest.h>
#include <string>

namespace lastgood::verifier {
namespace {

namespace fs = std::filesystem;
using fake::ChecksumLevel;
using fake::data_files;
using fake::pattern;
using Strings = std::vector<std::string>;

TEST_F(ChecksumLevel, GoodTarBackupsPass)
{
  for (bool gzip : {false, true}) {
    make_tar_backup(gzip);
    auto findings = verify();
    EXPECT_TRUE(findings.items().empty()) << gzip << to_json(findings.items().front()).dump();
    EXPECT_EQ(m_stats.objects, 4u);
    EXPECT_EQ(m_stats.manifest_files, data_files().size()); // + tablespace, - auto.conf
    fs::remove_all(at("base/t1"));
  }
}

TEST_F(ChecksumLevel, FlippedByteInATarMemberIsFoundOnTheSamePass)
{
  make_tar_backup(false);
  std::string tar = testing::read_file(at("base/t1/16384.tar"));
  auto offset = tar.find(pattern(40000, 5).substr(0, 64));
  ASSERT_NE(offset, std::string::npos);
  flip_byte("base/t1/16384.tar", offset + 1000);
  EXPECT_EQ(
      of(verify()),
      (Strings{"checksum_mismatch base/t1/16384.tar",
               "manifest_mismatch base/t1/16384.tar:pg_tblspc/16384/PG_15_202209061/16385/16390"}));
}

TEST_F(ChecksumLevel, DamagedGzipTarIsOneFindingNotAFloodOfMissingFiles)
{
  make_tar_backup(true);
  std::string tar = testing::read_file(at("base/t1/base.tar.gz"));
  write("base/t1/base.tar.gz", tar.substr(0, tar.size() / 2));
  auto failures = of(verify());
  EXPECT_EQ(failures, (Strings{"unreadable_object base/t1/base.tar.gz",
                               "size_mismatch base/t1/base.tar.gz"}));
}

TEST_F(ChecksumLevel, MissingTablespaceTarIsMissing)
{
  make_tar_backup(false);
  fs::remove(at("base/t1/16384.tar"));
  EXPECT_EQ(of(verify()), (Strings{"missing_object base/t1/16384.tar"}));
}

} // namespace
} // namespace lastgood::verifier
