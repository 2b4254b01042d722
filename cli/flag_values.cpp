#include "cli/flag_values.hpp"

#include "common/error.hpp"
#include "common/time.hpp"
#include "pg/lsn.hpp"
#include "restore/pitr_plan.hpp"

#include <charconv>
#include <functional>

namespace lastgood::cli {

namespace {

// A validator that runs `parse` and reports its exception's message.
CLI::Validator checked_by(const std::string& what, std::function<void(const std::string&)> parse)
{
  return CLI::Validator(
      [parse = std::move(parse)](std::string& value) -> std::string {
        try {
          parse(value);
          return {};
        } catch (const std::exception& e) {
          return e.what();
        }
      },
      what);
}

bool only_chars(std::string_view text, std::string_view extra)
{
  for (char c : text)
    if (!std::isalnum(static_cast<unsigned char>(c)) && extra.find(c) == std::string_view::npos)
      return false;
  return !text.empty();
}

} // namespace

CLI::Validator time_value()
{
  // parse_target_time: fractional seconds too, as --target-time takes them.
  return checked_by("TIME", [](const std::string& v) { restore::parse_target_time(v); });
}

CLI::Validator duration_value()
{
  return checked_by("DURATION", [](const std::string& v) { parse_duration(v); });
}

CLI::Validator lsn_value()
{
  return checked_by("LSN", [](const std::string& v) { pg::Lsn::parse(v); });
}

CLI::Validator xid_value()
{
  return checked_by("XID", [](const std::string& v) { restore::parse_target_xid(v); });
}

CLI::Validator timeline_value()
{
  return checked_by("N|latest", [](const std::string& v) { parse_timeline(v); });
}

CLI::Validator backup_id_value()
{
  return checked_by("ID", [](const std::string& v) {
    if (!only_chars(v, "-._"))
      throw UsageError("invalid backup ID '" + v +
                       "': IDs hold letters, digits and '-' (e.g. 20261122T0200-shop-7f3a); "
                       "see 'lastgood backups'");
  });
}

CLI::Validator system_identifier_value()
{
  return checked_by("SYSID", [](const std::string& v) {
    std::uint64_t n = 0;
    const auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), n);
    if (v.empty() || ec != std::errc() || end != v.data() + v.size())
      throw UsageError("invalid system identifier '" + v +
                       "': a decimal number, e.g. 7318522519461640000 (see 'lastgood wal')");
  });
}

std::optional<std::uint32_t> parse_timeline(std::string_view text)
{
  if (text == "latest") return std::nullopt;
  std::uint32_t n = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size() || n == 0)
    throw UsageError("invalid timeline '" + std::string(text) +
                     "': a positive number (e.g. 2) or 'latest'");
  return n;
}

} // namespace lastgood::cli
