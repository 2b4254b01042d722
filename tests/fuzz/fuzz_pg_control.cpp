// global/pg_control of a base backup.
#include "common/error.hpp"
#include "pg/pg_control.hpp"
#include "tests/fuzz/fuzz_target.hpp"

LASTGOOD_FUZZ_TARGET(pg_control)
{
  try {
    (void)lastgood::pg::parse_pg_control(input);
  } catch (const lastgood::ValidationError&) {
  }
}
