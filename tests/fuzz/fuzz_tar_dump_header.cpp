// pg_dump tar format: a ustar archive whose first member is toc.dat.
#include "common/error.hpp"
#include "pg/dump_header.hpp"
#include "tests/fuzz/fuzz_target.hpp"

LASTGOOD_FUZZ_TARGET(tar_dump_header)
{
  (void)lastgood::pg::looks_like_tar_dump(input);
  try {
    (void)lastgood::pg::parse_tar_dump_header(input);
  } catch (const lastgood::ValidationError&) {
  }
}
