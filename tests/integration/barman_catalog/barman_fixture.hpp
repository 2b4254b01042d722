#pragma once
// The real Barman repository of tests/fixtures/make-barman-repo, as the CLI
// tests of a Barman repository see it: its directories, the facts its
// builder measured (expected.env) and what Barman itself wrote in each
// backup.info, read here line by line (not through lastgood's parser).

#include "tests/support/run_command.hpp"
#include "tests/support/temp_dir.hpp"

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <gtest/gtest.h>
#include <map>
#include <nlohmann/json.hpp>
#include <string>

namespace lastgood::testing {

inline std::filesystem::path barman_fixture_dir()
{
  const char* dir = std::getenv("LASTGOOD_BARMAN_REPO");
  return dir && *dir ? std::filesystem::path(dir) : std::filesystem::path();
}

inline std::filesystem::path barman_home()
{
  return barman_fixture_dir() / "barman";
}

inline std::map<std::string, std::string> key_values(const std::filesystem::path& file)
{
  std::map<std::string, std::string> out;
  std::ifstream in(file);
  std::string line;
  while (std::getline(in, line))
    if (auto eq = line.find('='); eq != std::string::npos)
      out[line.substr(0, eq)] = line.substr(eq + 1);
  return out;
}

// expected.env: SYSTEM_ID, PLAIN1, PLAIN2, TAR1.
inline std::map<std::string, std::string> barman_expected()
{
  return key_values(barman_fixture_dir() / "expected.env");
}

// server/base/<id>/backup.info as Barman wrote it.
inline std::map<std::string, std::string> barman_backup_info(const std::filesystem::path& server,
                                                             const std::string& id)
{
  return key_values(server / "base" / id / "backup.info");
}

// A private copy of one server directory (links kept as links), to damage.
inline void copy_barman_server(const std::string& server, const std::filesystem::path& to)
{
  auto r = run_shell("cp -a " + shell_quote((barman_home() / server).string()) + " " +
                     shell_quote(to.string()));
  ASSERT_EQ(r.exit_code, 0) << r.err;
}

class BarmanCliTest : public ::testing::Test
{
protected:
  void SetUp() override
  {
    if (barman_fixture_dir().empty())
      GTEST_SKIP() << "LASTGOOD_BARMAN_REPO is not set (ctest sets it)";
    m_expected = barman_expected();
    ASSERT_FALSE(m_expected["PLAIN1"].empty()) << "expected.env is incomplete";
    m_catalog = "--catalog " + shell_quote((m_home.path() / "catalog.db").string()) + " ";
  }
  CommandResult lastgood(const std::string& args) { return run_lastgood(m_catalog + args); }
  nlohmann::json json_of(const std::string& args, int exit_code = 0)
  {
    auto r = lastgood(args);
    EXPECT_EQ(r.exit_code, exit_code) << args << "\n" << r.out << r.err;
    return r.out.empty() ? nlohmann::json() : nlohmann::json::parse(r.out);
  }
  // The cataloged backup whose Barman id (label) is `label`.
  nlohmann::json backup_labelled(const std::string& label)
  {
    auto backups = json_of("backups --json")["backups"];
    for (const auto& b : backups)
      if (b["label"] == label) return b;
    ADD_FAILURE() << "no backup labelled " << label << " in " << backups.dump(2);
    return {};
  }

  TempDir m_home;
  std::string m_catalog;
  std::map<std::string, std::string> m_expected;
};

} // namespace lastgood::testing
