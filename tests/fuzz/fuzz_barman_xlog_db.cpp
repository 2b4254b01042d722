// Barman's wals/xlog.db catalogue lines - formats/barman. The parser never
// throws: damaged lines are reported as data.
#include "formats/barman/xlog_db.hpp"
#include "tests/fuzz/fuzz_target.hpp"

LASTGOOD_FUZZ_TARGET(barman_xlog_db)
{
  (void)lastgood::formats::barman::parse_xlog_db(input);
}
