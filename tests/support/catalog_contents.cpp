#include "tests/support/catalog_contents.hpp"

#include "catalog/test_catalog_server.hpp"
#include "common/error.hpp"
#include "tests/support/run_command.hpp"
#include "tests/support/temp_dir.hpp"

#include <filesystem>

namespace lastgood::testing {

std::string catalog_contents(const std::string& catalog_path)
{
  if (auto database = catalog::catalog_on_test_server(catalog_path)) {
    auto dump = run_shell("pg_dump --no-owner " + shell_quote(*database));
    if (dump.exit_code != 0) throw Error("pg_dump of " + catalog_path + " failed: " + dump.err);
    return dump.out;
  }
  auto bytes = read_file(catalog_path);
  if (std::filesystem::exists(catalog_path + "-wal")) bytes += read_file(catalog_path + "-wal");
  return bytes;
}

} // namespace lastgood::testing
