#include "verifier/fair_order.hpp"

namespace lastgood::verifier {

std::string source_server_key(const catalog::BackupRow& backup)
{
  if (backup.source) return "source " + *backup.source;
  if (backup.kind == "physical" && backup.system_identifier)
    return "cluster " + *backup.system_identifier;
  return "source default";
}

} // namespace lastgood::verifier
