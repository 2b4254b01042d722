#pragma once
// libpq connection strings as lastgood rewrites them: any form libpq accepts
// (key=value pairs or a postgresql:// URI) is parsed once and rendered back
// as key='value' pairs, with dbname overridden or the password split out so
// it can travel in PGPASSWORD rather than on a command line.

#include <string>

namespace lastgood::pg {

// Throws UsageError (connection string redacted) when libpq cannot parse it.
std::string with_dbname(const std::string& conninfo, const std::string& dbname);

struct SplitConninfo
{
  std::string conninfo; // everything but the password
  std::string password; // empty when there was none
};
SplitConninfo split_password(const std::string& conninfo);

} // namespace lastgood::pg
