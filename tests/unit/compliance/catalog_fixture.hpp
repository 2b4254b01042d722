#pragma once
// A temporary catalog with one repository on in-memory storage, and helpers
// that add backups and WAL segments (rows and bytes) to it.

#include "catalog/catalog.hpp"
#include "catalog/repositories.hpp"
#include "storage/memory_storage.hpp"
#include "tests/support/temp_dir.hpp"

#include <gtest/gtest.h>
#include <memory>
#include <string>

namespace lastgood::compliance::testing {

class CatalogFixture : public ::testing::Test
{
protected:
  void SetUp() override
  {
    storage::MemoryStorage::clear(kBucket);
    m_catalog = catalog::Catalog::open((m_home.path() / "catalog.db").string());
    m_repo = catalog::add_repository(db(), "mem", std::string("memory://") + kBucket);
  }
  void TearDown() override { storage::MemoryStorage::clear(kBucket); }

  catalog::Database& db() { return m_catalog->db(); }

  std::int64_t add_object(const std::string& key, const std::string& content,
                          const std::string& kind = "other")
  {
    auto w = m_storage.write(key);
    w->write(std::as_bytes(std::span(content.data(), content.size())));
    w->commit();
    db().prepare("INSERT INTO objects (repository_id, key, size, kind, first_seen, last_seen)"
                 " VALUES (?, ?, ?, ?, '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z')")
        .bind_all(m_repo.id, key, static_cast<std::int64_t>(content.size()), kind)
        .run();
    return db().last_insert_id();
  }

  // A logical backup of `database` at `time` made of one object.
  std::int64_t add_dump(const std::string& backup_id, const std::string& database,
                        const std::string& time)
  {
    const auto key = "dumps/" + backup_id + ".dump";
    const auto object = add_object(key, "dump of " + backup_id, "custom_dump");
    db().prepare("INSERT INTO backups (backup_id, repository_id, root_key, kind, format, database, "
                 "stop_time,"
                 " size_bytes, first_seen, last_seen) VALUES (?, ?, ?, 'logical', 'custom', ?, ?, "
                 "?, ?, ?)")
        .bind_all(backup_id, m_repo.id, key, database, time,
                  8 + static_cast<std::int64_t>(backup_id.size()), time, time)
        .run();
    const auto row = db().last_insert_id();
    db().prepare("INSERT INTO backup_objects (backup_id, object_id, role) VALUES (?, ?, 'archive')")
        .bind_all(row, object)
        .run();
    return row;
  }

  bool exists(const std::string& key) { return m_storage.stat(key).has_value(); }

  static constexpr const char* kBucket = "compliance-tests";
  lastgood::testing::TempDir m_home;
  std::unique_ptr<catalog::Catalog> m_catalog;
  catalog::Repository m_repo;
  storage::MemoryStorage m_storage{kBucket};
};

} // namespace lastgood::compliance::testing
