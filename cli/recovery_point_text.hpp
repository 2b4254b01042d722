#pragma once
// Where a recovery stopped, for people: the verifier and the physical restore
// keep it as a JSON object (shown as is with --json); human output shows
// labelled fields instead of that object.

#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

namespace lastgood::cli {

// (label, value) in a fixed order: "consistent at" → "0/3000100", ...
// The server's port, socket directory and log (restore --start) are left out.
std::vector<std::pair<std::string, std::string>> recovery_point_fields(const nlohmann::json& point);

// "consistent at 0/3000100, redo done at 0/3000138, new timeline 2"
std::string recovery_point_summary(const nlohmann::json& point);

} // namespace lastgood::cli
