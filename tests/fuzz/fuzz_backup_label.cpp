// backup_label (in a base backup) and .backup history files (in the WAL
// archive): one parser for both.
#include "common/error.hpp"
#include "pg/backup_label.hpp"
#include "tests/fuzz/fuzz_target.hpp"

LASTGOOD_FUZZ_TARGET(backup_label)
{
  try {
    (void)lastgood::pg::parse_backup_label(input);
  } catch (const lastgood::ValidationError&) {
  }
}
