// Plain SQL dumps (pg_dump, pg_dumpall): the head and the tail of one file,
// as the scan reads them.
#include "common/error.hpp"
#include "pg/dump_header.hpp"
#include "tests/fuzz/fuzz_target.hpp"

#include <algorithm>

LASTGOOD_FUZZ_TARGET(plain_dump_header)
{
  const auto tail = input.substr(input.size() - std::min<std::size_t>(input.size(), 4096));
  (void)lastgood::pg::looks_like_plain_dump(input);
  try {
    (void)lastgood::pg::parse_plain_dump_header(input, tail);
  } catch (const lastgood::ValidationError&) {
  }
}
