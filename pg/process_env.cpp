#include "pg/process_env.hpp"

#include <map>
#include <string_view>
#include <unistd.h>

namespace lastgood::pg {

std::vector<std::string>
environment_with(const std::vector<std::pair<std::string, std::string>>& extra)
{
  std::map<std::string, std::string> vars;
  for (char** e = environ; e && *e; ++e) {
    std::string_view kv(*e);
    auto eq = kv.find('=');
    if (eq != std::string_view::npos) vars.emplace(kv.substr(0, eq), kv.substr(eq + 1));
  }
  for (const auto& [k, v] : extra)
    vars[k] = v;
  std::vector<std::string> out;
  for (const auto& [k, v] : vars)
    out.push_back(k + "=" + v);
  return out;
}

std::vector<char*> c_strings(std::vector<std::string>& strings)
{
  std::vector<char*> out;
  for (auto& s : strings)
    out.push_back(s.data());
  out.push_back(nullptr);
  return out;
}

} // namespace lastgood::pg
