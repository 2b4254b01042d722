#pragma once
// A backup's bytes as a local path, for PostgreSQL tools that need a seekable
// file (pg_restore -j): the object itself on a file repository, else a copy in
// a private temporary directory that is removed with this object.

#include <string>
#include <vector>

#include "catalog/backup_queries.hpp"
#include "storage/storage.hpp"

namespace lastgood::verifier {

class LocalCopy {
public:
  LocalCopy(storage::Storage& storage, const catalog::BackupRow& backup,
            const std::vector<catalog::BackupObjectRow>& objects);
  ~LocalCopy();
  LocalCopy(const LocalCopy&) = delete;
  LocalCopy& operator=(const LocalCopy&) = delete;

  // The dump file, or the directory of a directory-format dump or base backup.
  const std::string& path() const { return m_path; }

private:
  std::string m_path;
  std::string m_temp_dir;  // empty when nothing was copied
};

} // namespace lastgood::verifier
