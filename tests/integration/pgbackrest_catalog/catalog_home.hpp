#pragma once
// What every test of the CLI on pgBackRest repositories starts from: the
// fixture present, a fresh catalog in a temporary home, and the real binary
// run against it.

#include "tests/integration/pgbackrest/repos.hpp"
#include "tests/support/run_command.hpp"
#include "tests/support/temp_dir.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <string>

namespace lastgood::testing {

class PgbackrestCatalogHome : public ::testing::Test
{
protected:
  void SetUp() override
  {
    pgbackrest_fixture_dir(); // fails without the fixture
    m_catalog = "--catalog " + shell_quote((m_home.path() / "catalog.db").string()) + " ";
  }
  CommandResult lastgood(const std::string& args) { return run_lastgood(m_catalog + args); }
  // The command's JSON output; its exit code must be `exit_code`.
  nlohmann::json json_of(const std::string& args, int exit_code = 0)
  {
    auto r = lastgood(args);
    EXPECT_EQ(r.exit_code, exit_code) << args << "\n" << r.out << r.err;
    return r.out.empty() ? nlohmann::json() : nlohmann::json::parse(r.out);
  }

  TempDir m_home;
  std::string m_catalog;
};

} // namespace lastgood::testing
