// Issue 11, case 8 through the real binary: configuration mistakes are exit 2 naming
// the nearest key; `lastgood config` shows each effective value and its origin.

#include "tests/support/run_command.hpp"
#include "tests/support/temp_dir.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace lastgood {
namespace {

using nlohmann::json;
using testing::run_lastgood;
using testing::run_shell;
using testing::shell_quote;
using testing::TempDir;

#define EXPECT_CONTAINS(haystack, needle)                                                          \
  EXPECT_NE((haystack).find(needle), std::string::npos)                                            \
      << "expected '" << (needle) << "' in: " << (haystack)

class ConfigCli : public ::testing::Test
{
protected:
  void SetUp() override
  {
    if (testing::artifacts_dir().empty())
      GTEST_SKIP() << "LASTGOOD_ARTIFACTS not set (run through ctest)";
    const auto catalog = "--catalog " + shell_quote((m_home.path() / "cat.db").string());
    ASSERT_EQ(run_lastgood(catalog + " catalog init").exit_code, 0);
  }
  std::string config_path() const { return (m_home.path() / "config.toml").string(); }
  testing::CommandResult lastgood(const std::string& config, const std::string& args,
                                  const std::string& env = "")
  {
    m_home.write("config.toml", config);
    return run_shell("env -u LASTGOOD_COMPLIANCE_RPO " + env + " " +
                     shell_quote(testing::lastgood_binary()) + " --catalog " +
                     shell_quote((m_home.path() / "cat.db").string()) + " --config " +
                     shell_quote(config_path()) + " " + args);
  }
  TempDir m_home;
};

TEST_F(ConfigCli, TheFiveMistakesOfCaseEightAreExitTwoNamingTheNearestKey)
{
  struct Mistake
  {
    std::string config, command, expected;
  };
  const Mistake mistakes[] = {
      {"[verify]\nrestor_every = \"1h\"\n", "verify --due",
       "unknown key verify.restor_every; did you mean restore_every?"},
      {"[retension]\nkeep_last = 7\n", "retention plan",
       "unknown section [retension]; did you mean [retention]?"},
      {"[retention]\nkeep_lats = 7\n", "retention plan",
       "unknown key retention.keep_lats; did you mean keep_last?"},
      {"[compliance]\nverfied_within = \"3d\"\n", "report",
       "unknown key compliance.verfied_within; did you mean verified_within?"},
      {"[verify]\nrestore_every = 3600\n", "verify --due",
       "verify.restore_every must be a duration like \"24h\" or \"7d\", got the number 3600"},
  };
  for (const auto& m : mistakes) {
    auto r = lastgood(m.config, m.command);
    EXPECT_EQ(r.exit_code, 2) << m.config << r.out << r.err;
    EXPECT_CONTAINS(r.err, m.expected);
    EXPECT_CONTAINS(r.err, config_path());
    auto shown = lastgood(m.config, "config");
    EXPECT_EQ(shown.exit_code, 2) << "`lastgood config` refuses it too: " << shown.out;
  }
  auto rpo = lastgood("[compliance]\nrpo = 86400\n", "report");
  EXPECT_EQ(rpo.exit_code, 2);
  EXPECT_CONTAINS(rpo.err,
                  "compliance.rpo must be a duration like \"24h\" or \"7d\", got the number 86400");
}

TEST_F(ConfigCli, ConfigShowsEachValueWithItsOriginAndHidesSecrets)
{
  const std::string config =
      "[compliance]\nverified_within = \"3d\"\n"
      "[notify]\nwebhook = \"https://hooks.example/T000/hunter2\"\n"
      "[s3]\nsecret_access_key = \"s3cr3t\"\n"
      "[[repository]]\nname = \"eu\"\nurl = \"/srv/eu\"\nsource = \"prod-eu\"\n";
  auto text = lastgood(config, "config", "LASTGOOD_COMPLIANCE_RPO=2d");
  ASSERT_EQ(text.exit_code, 0) << text.err;
  EXPECT_CONTAINS(text.out, "compliance.rpo = \"2d\"  (env LASTGOOD_COMPLIANCE_RPO)");
  EXPECT_CONTAINS(text.out, "compliance.verified_within = \"3d\"  (file " + config_path() + ")");
  EXPECT_CONTAINS(text.out, "verify.restore_every = \"1d\"  (default)");
  EXPECT_CONTAINS(text.out, "schedule.every = \"1d\"  (default)");
  EXPECT_CONTAINS(text.out, "repository[0].source = \"prod-eu\"  (file ");
  EXPECT_CONTAINS(text.out, "notify.webhook = ********  (file ");
  EXPECT_CONTAINS(text.out, "s3.secret_access_key = ********");
  EXPECT_CONTAINS(text.out,
                  "# catalog: " + (m_home.path() / "cat.db").string() + "  (flag --catalog)");
  for (const char* secret : {"hunter2", "s3cr3t"}) {
    EXPECT_EQ(text.out.find(secret), std::string::npos) << text.out;
    EXPECT_EQ(text.err.find(secret), std::string::npos) << text.err;
  }

  auto as_json = lastgood(config, "config --json", "LASTGOOD_COMPLIANCE_RPO=2d");
  ASSERT_EQ(as_json.exit_code, 0) << as_json.err;
  EXPECT_EQ(as_json.out.find("hunter2"), std::string::npos);
  auto doc = json::parse(as_json.out);
  EXPECT_EQ(doc["config_file"], config_path());
  EXPECT_EQ(doc["catalog"]["origin"], "flag --catalog");
  std::map<std::string, json> by_key;
  for (const auto& k : doc["keys"])
    by_key[k["key"].get<std::string>()] = k;
  EXPECT_EQ(by_key["compliance.rpo"]["value"], "2d");
  EXPECT_EQ(by_key["compliance.rpo"]["origin"], "env");
  EXPECT_EQ(by_key["compliance.rpo"]["from"], "LASTGOOD_COMPLIANCE_RPO");
  EXPECT_EQ(by_key["verify.shrink_threshold"]["value"], 0.5);
  EXPECT_EQ(by_key["verify.shrink_threshold"]["origin"], "default");
  EXPECT_TRUE(by_key["compliance.rto"]["value"].is_null());
  EXPECT_EQ(by_key["notify.webhook"]["value"], "********");
  EXPECT_TRUE(by_key["notify.webhook"]["secret"].get<bool>());
}

TEST_F(ConfigCli, DocsComeFromTheBinary)
{
  auto docs = lastgood("", "config --docs");
  ASSERT_EQ(docs.exit_code, 0) << docs.err;
  EXPECT_EQ(docs.out, testing::read_file(testing::source_dir() / "docs/configuration.md"))
      << "docs/configuration.md is stale: regenerate it with `build/lastgood config --docs > "
         "docs/configuration.md`";
}

} // namespace
} // namespace lastgood
