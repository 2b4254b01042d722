// pgBackRest backup.manifest (INI of JSON values + checksum, then the typed manifest).
#include "common/error.hpp"
#include "formats/pgbackrest/manifest.hpp"
#include "tests/fuzz/fuzz_target.hpp"

namespace pgbr = lastgood::formats::pgbackrest;

LASTGOOD_FUZZ_TARGET(pgbackrest_manifest)
{
  try {
    (void)pgbr::parse_manifest(pgbr::parse_info_text(input, "fuzz"), "fuzz");
  } catch (const lastgood::ValidationError&) {
  }
}
