// pg_dump custom format header (and a directory dump's toc.dat): the first
// bytes of any file the scan finds.
#include "common/error.hpp"
#include "pg/dump_header.hpp"
#include "tests/fuzz/fuzz_target.hpp"

LASTGOOD_FUZZ_TARGET(custom_dump_header)
{
  try {
    (void)lastgood::pg::parse_custom_dump_header(input);
  } catch (const lastgood::ValidationError&) {
  }
}
