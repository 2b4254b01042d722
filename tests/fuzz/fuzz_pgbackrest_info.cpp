// pgBackRest backup.info / archive.info text (INI of JSON values + checksum).
#include "common/error.hpp"
#include "formats/pgbackrest/archive_info.hpp"
#include "formats/pgbackrest/backup_info.hpp"
#include "formats/pgbackrest/info_text.hpp"
#include "tests/fuzz/fuzz_target.hpp"

namespace pgbr = lastgood::formats::pgbackrest;

LASTGOOD_FUZZ_TARGET(pgbackrest_info)
{
  try {
    auto text = pgbr::parse_info_text(input, "fuzz");
    // The checksum guards the typed parsers; fuzz them on the same values too.
    try {
      (void)pgbr::parse_backup_info(text, "fuzz");
    } catch (const lastgood::ValidationError&) {
    }
    (void)pgbr::parse_archive_info(text, "fuzz");
  } catch (const lastgood::ValidationError&) {
  }
}
