// pgBackRest backup.manifest: the info text, then the typed manifest on the
// same values with the checksum made to match.
#include "common/error.hpp"
#include "formats/pgbackrest/manifest.hpp"
#include "tests/fuzz/fuzz_target.hpp"
#include "tests/fuzz/pgbackrest_seal.hpp"

namespace pgbr = lastgood::formats::pgbackrest;

LASTGOOD_FUZZ_TARGET(pgbackrest_manifest)
{
  auto text = lastgood::fuzz::parse_sealed(input);
  if (!text) return;
  try {
    (void)pgbr::parse_manifest(*text, "fuzz");
  } catch (const lastgood::ValidationError&) {
  }
}
