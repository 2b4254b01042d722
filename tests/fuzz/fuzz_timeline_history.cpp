// Timeline history files (TTTTTTTT.history) in a WAL archive.
#include "common/error.hpp"
#include "pg/timeline_history.hpp"
#include "tests/fuzz/fuzz_target.hpp"

LASTGOOD_FUZZ_TARGET(timeline_history)
{
  try {
    (void)lastgood::pg::parse_timeline_history(input);
  } catch (const lastgood::ValidationError&) {
  }
}
