#include "common/error.hpp"
#include "formats/barman/server_directory.hpp"
#include "storage/memory_storage.hpp"

#include <gtest/gtest.h>

namespace lastgood::formats::barman {
namespace {

void put(storage::Storage& storage, const std::string& key, const std::string& content)
{
  auto out = storage.write(key);
  out->write(std::as_bytes(std::span(content)));
  out->commit();
}

std::vector<std::string> describe(const BarmanServer& server)
{
  std::vector<std::string> out;
  for (const auto& f : server.findings)
    out.push_back(std::string(to_string(f.kind)) + " " + f.message);
  return out;
}

TEST(BarmanServerDirectory, NewerMetaLayoutWinsAndBookkeepingIsChecked)
{
  storage::MemoryStorage storage("barman-unit");
  put(storage, "srv/base/20260101T000000/backup.info", "status=STARTED\n");
  put(storage, "srv/meta/20260101T000000-backup.info", "backup_id=20260101T000000\nstatus=DONE\n");
  put(storage, "srv/base/20260102T000000/backup.info", "status=DONE\n");
  put(storage, "srv/wals/0000000100000000/000000010000000000000002", "seg");
  put(storage, "srv/wals/00000002.history", "1\t0/3000000\tno recovery target specified\n");
  put(storage, "srv/wals/0000000100000001/000000010000000000000003", "misplaced");
  put(storage, "srv/wals/xlog.db",
      "000000010000000000000002\t3\t1.0\tNone\n00000002.history\t40\t1.0\tNone\nbroken line\n");

  BarmanServer server = read_server_directory(storage, "srv");
  EXPECT_EQ(server.prefix, "srv/");
  ASSERT_EQ(server.backups.size(), 2u);
  EXPECT_EQ(server.backups[0].backup_id, "20260101T000000");
  EXPECT_EQ(server.backups[0].status, "DONE") << "meta/ is newer than base/";
  EXPECT_EQ(server.backups[1].backup_id, "20260102T000000") << "the directory names the backup";
  ASSERT_EQ(server.wal_files.size(), 2u);
  EXPECT_EQ(server.wal_files[0].name, "000000010000000000000002");
  EXPECT_EQ(server.wal_files[1].key, "srv/wals/00000002.history");
  auto findings = describe(server);
  ASSERT_EQ(findings.size(), 3u) << ::testing::PrintToString(findings);
  EXPECT_EQ(findings[0], "misplaced_wal wals/0000000100000001/000000010000000000000003 is not "
                         "where Barman keeps it (wals/0000000100000000/000000010000000000000003)");
  EXPECT_EQ(findings[1], "malformed_xlog_db wals/xlog.db line 3: expected name, size, time and "
                         "compression, found 2 fields");
  EXPECT_EQ(findings[2],
            "wal_size_mismatch wals/00000002.history is 41 bytes, wals/xlog.db says 40");
}

TEST(BarmanServerDirectory, SomethingElseIsRefused)
{
  storage::MemoryStorage storage("barman-unit-empty");
  put(storage, "srv/PG_VERSION", "15\n");
  EXPECT_THROW(read_server_directory(storage, "srv"), ValidationError);
}

} // namespace
} // namespace lastgood::formats::barman
