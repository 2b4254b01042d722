#pragma once
// The compliance report in its four forms. All take the judged report; the
// HTML page is self-contained (inline CSS and SVG, no external assets) and
// escapes every text it shows.

#include "compliance/verdicts.hpp"

#include <nlohmann/json.hpp>
#include <string>

namespace lastgood::compliance {

std::string render_text(const Report& report);
std::string render_markdown(const Report& report);
nlohmann::json render_json(const Report& report);
std::string render_html(const Report& report);

// "&<>\"'" as HTML entities, for text and attribute values alike.
std::string html_escape(std::string_view text);

// "database shop" / "cluster 7312...": how a scope is named everywhere.
std::string scope_title(const Scope& scope);

} // namespace lastgood::compliance
