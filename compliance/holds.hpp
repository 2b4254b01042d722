#pragma once
// Legal holds in the catalog: a backup under an active hold is never deleted.
// A hold is active until released or until its `until` time passes (it then
// stops protecting by itself). Adding and releasing are audited (hold.add,
// hold.release); rows are never deleted.

#include "catalog/database.hpp"
#include "catalog/holds.hpp"
#include "common/time.hpp"

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

namespace lastgood::compliance {

// The stored hold (catalog/holds.hpp); its state() says active, expired or released.
using catalog::HoldRecord;

// Puts the backup (full ID or unique prefix) under hold. Throws UsageError when
// the backup does not exist or was deleted, the reason is empty, or `until`
// is not in the future.
HoldRecord add_hold(catalog::Database& db, const std::string& backup_id,
                    const std::optional<TimePoint>& until, const std::string& reason,
                    TimePoint now);
// Releases every active hold on the backup; returns them. Throws UsageError
// when the backup has no active hold or the reason is empty.
std::vector<HoldRecord> release_holds(catalog::Database& db, const std::string& backup_id,
                                      const std::string& reason, TimePoint now);
// All holds, newest first (released and expired ones too).
using catalog::list_holds;

nlohmann::json to_json(const HoldRecord& hold, TimePoint now);

} // namespace lastgood::compliance
