// backup_manifest written by pg_basebackup (JSON).
#include "common/error.hpp"
#include "pg/backup_manifest.hpp"
#include "tests/fuzz/fuzz_target.hpp"

LASTGOOD_FUZZ_TARGET(backup_manifest)
{
  try {
    (void)lastgood::pg::parse_backup_manifest(input);
  } catch (const lastgood::ValidationError&) {
  }
}
