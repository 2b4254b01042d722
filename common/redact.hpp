#pragma once
// Secrets never reach a log line or a catalog row: connection strings and URLs
// pass through these before they are printed or stored.

#include <string>
#include <string_view>

namespace lastgood {

// "postgresql://u:secret@h/db" -> "postgresql://u:********@h/db";
// "host=h password=secret" -> "host=h password=********"; URL query
// parameters that look like credentials are masked too.
std::string redact(std::string_view text);

} // namespace lastgood
