// pgBackRest backup.info / archive.info text (INI of JSON values + checksum),
// then the typed parsers on the same values with the checksum made to match.
#include "common/error.hpp"
#include "formats/pgbackrest/archive_info.hpp"
#include "formats/pgbackrest/backup_info.hpp"
#include "tests/fuzz/fuzz_target.hpp"
#include "tests/fuzz/pgbackrest_seal.hpp"

namespace pgbr = lastgood::formats::pgbackrest;

LASTGOOD_FUZZ_TARGET(pgbackrest_info)
{
  auto text = lastgood::fuzz::parse_sealed(input);
  if (!text) return;
  try {
    (void)pgbr::parse_backup_info(*text, "fuzz");
  } catch (const lastgood::ValidationError&) {
  }
  try {
    (void)pgbr::parse_archive_info(*text, "fuzz");
  } catch (const lastgood::ValidationError&) {
  }
}
