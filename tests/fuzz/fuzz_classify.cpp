// The scanner's classification of one repository object: every parser above
// chosen by the object's key and content, as a scan of a hostile repository
// runs them. The first line of the input is the key, the rest the object.
// Documented never to throw: damage becomes Classification::problem.
#include "catalog/carried_wal_facts.hpp"
#include "catalog/classify.hpp"
#include "storage/string_read_stream.hpp"
#include "tests/fuzz/fuzz_target.hpp"

#include <algorithm>

namespace catalog = lastgood::catalog;

LASTGOOD_FUZZ_TARGET(classify)
{
  const auto newline = input.find('\n');
  if (newline == std::string_view::npos) return;
  const auto key = input.substr(0, newline);
  const auto object = input.substr(newline + 1);
  if (catalog::is_base_tar_name(key)) {
    lastgood::storage::StringReadStream source{std::string(object)};
    (void)catalog::classify_base_tar(source);
  } else if (catalog::is_wal_tar_name(key)) {
    lastgood::storage::StringReadStream source{std::string(object)};
    (void)catalog::classify_wal_tar(source);
  } else {
    const auto head = object.substr(0, std::min(object.size(), catalog::kHeadBytes));
    const auto tail = object.substr(object.size() - std::min(object.size(), catalog::kTailBytes));
    (void)catalog::classify_object(key, object.size(), head, tail);
  }
}
