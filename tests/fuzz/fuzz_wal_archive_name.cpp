// Names of files in a WAL archive (the last part of a repository key).
// Documented never to throw: other names give nullopt.
#include "pg/lsn.hpp"
#include "pg/wal_archive_name.hpp"
#include "tests/fuzz/fuzz_target.hpp"

LASTGOOD_FUZZ_TARGET(wal_archive_name)
{
  if (auto name = lastgood::pg::parse_wal_archive_name(input)) {
    (void)name->segno(lastgood::pg::kDefaultWalSegmentSize);
    (void)name->segno(1u << 20);
    (void)name->segno(1u << 30);
  }
}
