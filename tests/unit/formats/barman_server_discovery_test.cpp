#include "formats/barman/server_discovery.hpp"
#include "storage/memory_storage.hpp"

#include <gtest/gtest.h>

namespace lastgood::formats::barman {
namespace {

void put(storage::Storage& storage, const std::string& key, const std::string& content = "x")
{
  auto out = storage.write(key);
  out->write(std::as_bytes(std::span(content)));
  out->commit();
}

TEST(BarmanServerDiscovery, AServerDirectoryIsToldByXlogDbOrABackupInfo)
{
  for (const std::string marker :
       {"wals/xlog.db", "base/20260101T000000/backup.info", "meta/20260101T000000-backup.info"}) {
    SCOPED_TRACE(marker);
    storage::MemoryStorage::clear("barman-discovery");
    storage::MemoryStorage storage("barman-discovery");
    put(storage, marker);
    EXPECT_TRUE(is_server_directory(storage));
    EXPECT_TRUE(list_servers(storage).empty()) << "a server directory is not a barman home";
  }
  storage::MemoryStorage::clear("barman-discovery");
  storage::MemoryStorage storage("barman-discovery");
  // A backup.info deeper down (a copied data directory, say) says nothing.
  put(storage, "base/20260101T000000/data/backup.info");
  put(storage, "wals/other.db");
  EXPECT_FALSE(is_server_directory(storage));
  EXPECT_TRUE(list_servers(storage).empty());
}

TEST(BarmanServerDiscovery, AHomeListsItsServersSorted)
{
  storage::MemoryStorage::clear("barman-home");
  storage::MemoryStorage storage("barman-home");
  put(storage, "pg2/wals/xlog.db");
  put(storage, "pg1/base/20260101T000000/backup.info");
  put(storage, "pg1/wals/xlog.db");
  put(storage, "notes/readme.txt");
  put(storage, ".pg1-backup.lock");
  EXPECT_FALSE(is_server_directory(storage));
  EXPECT_EQ(list_servers(storage), (std::vector<std::string>{"pg1", "pg2"}));
}

} // namespace
} // namespace lastgood::formats::barman
