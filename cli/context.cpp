#include "cli/context.hpp"

#include <cstdio>
#include <iostream>
#include <unistd.h>

namespace lastgood::cli {

catalog::Catalog& Context::catalog(catalog::IfMissing if_missing)
{
  if (!m_catalog) m_catalog = catalog::Catalog::open(catalog_location(), if_missing);
  return *m_catalog;
}

const Config& Context::config()
{
  if (!m_config) m_config = std::make_unique<Config>(load_config(config_flag, config_flags));
  return *m_config;
}

void print_json(const nlohmann::json& document)
{
  std::cout << document.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << '\n';
}

bool stderr_is_terminal()
{
  return ::isatty(STDERR_FILENO) == 1;
}

std::string human_bytes(std::uint64_t bytes)
{
  static constexpr const char* units[] = {"B", "KiB", "MiB", "GiB", "TiB", "PiB"};
  double value = static_cast<double>(bytes);
  int unit = 0;
  while (value >= 1024 && unit < 5) {
    value /= 1024;
    ++unit;
  }
  char buf[32];
  std::snprintf(buf, sizeof buf, unit == 0 ? "%.0f %s" : "%.1f %s", value, units[unit]);
  return buf;
}

} // namespace lastgood::cli
