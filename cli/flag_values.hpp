#pragma once
// Checks for flag values, run while the command line is parsed: a bad value is a usage
// error (exit 2) naming its flag ("--target-time: invalid time ...") before any work
// starts. Each check calls the parser the work itself uses, so the two cannot disagree.

#include <CLI/CLI.hpp>
#include <cstdint>
#include <optional>
#include <string_view>

namespace lastgood::cli {

CLI::Validator time_value();              // RFC 3339, offset within -23:59..+23:59
CLI::Validator duration_value();          // 90s, 36h, 7d, 1d12h
CLI::Validator lsn_value();               // X/Y in hex, e.g. 16/B374D848
CLI::Validator xid_value();               // a transaction ID, decimal, 3 .. 4294967295
CLI::Validator timeline_value();          // N (decimal, > 0) or latest
CLI::Validator backup_id_value();         // an ID or a prefix of one: letters, digits, - . _
CLI::Validator system_identifier_value(); // a cluster's system identifier: decimal digits

// --timeline as plan and restore both take it: nullopt for "latest". Throws UsageError.
std::optional<std::uint32_t> parse_timeline(std::string_view text);

} // namespace lastgood::cli
