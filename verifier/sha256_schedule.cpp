#include "verifier/sha256_schedule.hpp"

#include "common/error.hpp"
#include "common/fast_hash.hpp"

namespace lastgood::verifier {

bool sha256_due(const catalog::BackupObjectRow& object, std::chrono::seconds sha256_every,
                TimePoint now)
{
  if (object.fast.empty() || !object.sha256_checked) return true;
  TimePoint checked;
  try {
    checked = parse_rfc3339(*object.sha256_checked);
  } catch (const ValidationError&) {
    return true;
  }
  // A stable fraction in [0, 1) per key: its share of the period.
  const double share =
      static_cast<double>(std::stoull(Xxh3_128::of(object.key).substr(0, 8), nullptr, 16)) /
      4294967296.0;
  const auto period = std::chrono::seconds(
      static_cast<std::int64_t>(static_cast<double>(sha256_every.count()) * (0.5 + 0.5 * share)));
  return now - checked >= period;
}

} // namespace lastgood::verifier
