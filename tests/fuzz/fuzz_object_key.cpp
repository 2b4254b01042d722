// Repository keys: which database a dump holds when only its name says it
// (the default convention, no user pattern). Documented never to throw.
#include "catalog/dump_database_name.hpp"
#include "tests/fuzz/fuzz_target.hpp"

LASTGOOD_FUZZ_TARGET(object_key)
{
  (void)lastgood::catalog::database_from_name(input);
}
