// pg_waldump's output for WAL segments taken from a repository: the tool
// prints what the damaged or hostile WAL holds.
#include "pg/waldump_times.hpp"
#include "tests/fuzz/fuzz_target.hpp"

LASTGOOD_FUZZ_TARGET(waldump_commits)
{
  (void)lastgood::pg::parse_waldump_commits(input);
}
