#pragma once
// A Barman server directory in the catalog: each backup of base/<id>/backup.info
// (or meta/<id>-backup.info) becomes a physical backup (format "barman") of
// its cluster whose objects are the files under base/<id>/. Barman stores no
// checksums: the scan's SHA-256 at first sight is what later reads are
// compared with. The WAL under wals/ is classified by catalog/barman_wal_classify.

#include "catalog/database.hpp"
#include "catalog/repositories.hpp"
#include "catalog/scanner.hpp"
#include "storage/storage.hpp"

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace lastgood::catalog {

struct BarmanCatalogResult
{
  std::size_t backups = 0;
  std::size_t new_backups = 0;
  std::vector<ScanProblem> problems; // malformed backup.info, xlog.db disagreeing with wals/...
};

// base/<id>/data/pg_tblspc/<oid>: Barman's link to base/<id>/<oid>, by an
// absolute path that dangles once the repository moves. Not a problem.
bool is_barman_tablespace_link(std::string_view key);

// Call inside a transaction, after the repository's objects are recorded.
// Problems with the repository are returned, never thrown (StorageError
// when storage itself fails).
BarmanCatalogResult catalog_barman_server(Database& db, const Repository& repository,
                                          storage::Storage& storage, const std::string& now);

} // namespace lastgood::catalog
