#include "pg/conninfo.hpp"

#include "common/error.hpp"
#include "common/redact.hpp"

#include <libpq-fe.h>
#include <memory>
#include <string_view>
#include <utility>
#include <vector>

namespace lastgood::pg {

namespace {

std::string quote_value(const std::string& v)
{
  std::string out = "'";
  for (char c : v) {
    if (c == '\'' || c == '\\') out.push_back('\\');
    out.push_back(c);
  }
  return out + "'";
}

// The options libpq finds in the string, in libpq's order, empty ones left out.
std::vector<std::pair<std::string, std::string>> parse(const std::string& conninfo)
{
  char* raw_error = nullptr;
  struct OptionsFree
  {
    void operator()(PQconninfoOption* o) const { PQconninfoFree(o); }
  };
  std::unique_ptr<PQconninfoOption, OptionsFree> options(
      PQconninfoParse(conninfo.c_str(), &raw_error));
  if (!options) {
    std::string message = raw_error ? raw_error : "out of memory";
    PQfreemem(raw_error);
    throw UsageError("cannot parse the connection string '" + redact(conninfo) +
                     "': " + redact(message) +
                     "; give key=value pairs (host=... dbname=...) or a postgresql:// URI");
  }
  std::vector<std::pair<std::string, std::string>> out;
  for (auto* o = options.get(); o->keyword; ++o)
    if (o->val && *o->val) out.emplace_back(o->keyword, o->val);
  return out;
}

std::string render(const std::vector<std::pair<std::string, std::string>>& options)
{
  std::string out;
  for (const auto& [key, value] : options)
    out += (out.empty() ? "" : " ") + key + "=" + quote_value(value);
  return out;
}

} // namespace

std::string with_dbname(const std::string& conninfo, const std::string& dbname)
{
  auto options = parse(conninfo);
  std::erase_if(options, [](const auto& o) { return o.first == "dbname"; });
  options.emplace_back("dbname", dbname);
  return render(options);
}

SplitConninfo split_password(const std::string& conninfo)
{
  auto options = parse(conninfo);
  SplitConninfo out;
  std::erase_if(options, [&](const auto& o) {
    if (o.first != "password") return false;
    out.password = o.second;
    return true;
  });
  out.conninfo = render(options);
  return out;
}

} // namespace lastgood::pg
