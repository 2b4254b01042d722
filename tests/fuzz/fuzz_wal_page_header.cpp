// The long page header at the start of every WAL segment. Documented never
// to throw: bytes that are not a header give nullopt.
#include "pg/wal_page_header.hpp"
#include "tests/fuzz/fuzz_target.hpp"

LASTGOOD_FUZZ_TARGET(wal_page_header)
{
  if (auto header = lastgood::pg::parse_wal_long_page_header(input))
    (void)lastgood::pg::pg_major_for_wal_magic(header->magic);
}
