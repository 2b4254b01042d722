#pragma once
// The audit log: every destructive or surprising event gets a row, written
// before the action it describes.

#include "catalog/database.hpp"

#include <nlohmann/json.hpp>
#include <string_view>

namespace lastgood::catalog {

enum class Severity { Info, Warning, Error };

// Who is acting: the OS user name (or uid when it has no name).
std::string current_actor();

void write_audit(Database& db, std::string_view action, std::string_view subject,
                 Severity severity = Severity::Info, const nlohmann::json& detail = nullptr);

} // namespace lastgood::catalog
