// The key table and the loader's verdicts on mistakes (issue 11, case 8) and layering.

#include "common/config.hpp"
#include "common/config_keys.hpp"
#include "common/error.hpp"
#include "common/nearest_name.hpp"
#include "tests/support/temp_dir.hpp"

#include <cstdlib>
#include <gtest/gtest.h>

namespace lastgood {
namespace {

using namespace std::chrono_literals;

// The message of the UsageError that loading `text` throws ("" when it loads).
std::string error_for(const std::string& text)
{
  testing::TempDir dir;
  const auto path = dir.write("config.toml", text).string();
  try {
    load_config(path);
  } catch (const UsageError& e) {
    EXPECT_EQ(e.exit_code(), kExitUsage);
    std::string message = e.what();
    EXPECT_NE(message.find(path), std::string::npos) << "names the file: " << message;
    return message;
  }
  return "";
}

#define EXPECT_CONTAINS(haystack, needle)                                                          \
  EXPECT_NE((haystack).find(needle), std::string::npos)                                            \
      << "expected '" << (needle) << "' in: " << (haystack)

const ConfigEntry* entry(const Config& config, const std::string& key)
{
  for (const auto& e : config.entries)
    if (e.key == key) return &e;
  return nullptr;
}

// Sets an environment variable for one test.
class ScopedEnv
{
public:
  ScopedEnv(const char* name, const char* value) : m_name(name) { ::setenv(name, value, 1); }
  ~ScopedEnv() { ::unsetenv(m_name); }

private:
  const char* m_name;
};

TEST(ConfigMistakes, TheFiveOfCaseEightNameTheNearestKey)
{
  auto typo = error_for("[verify]\nrestor_every = \"1h\"\n");
  EXPECT_CONTAINS(typo, "unknown key verify.restor_every; did you mean restore_every?");
  EXPECT_CONTAINS(typo, "line 2");

  EXPECT_CONTAINS(error_for("[retension]\nkeep_last = 7\n"),
                  "unknown section [retension]; did you mean [retention]?");
  EXPECT_CONTAINS(error_for("[retention]\nkeep_lats = 7\n"),
                  "unknown key retention.keep_lats; did you mean keep_last?");
  EXPECT_CONTAINS(error_for("[compliance]\nverfied_within = \"3d\"\n"),
                  "unknown key compliance.verfied_within; did you mean verified_within?");
  EXPECT_CONTAINS(
      error_for("[verify]\nrestore_every = 3600\n"),
      "verify.restore_every must be a duration like \"24h\" or \"7d\", got the number 3600");
}

TEST(ConfigMistakes, WrongTypesNameTheKeyAndTheExpectedForm)
{
  EXPECT_CONTAINS(error_for("[compliance]\nrpo = 86400\n"),
                  "compliance.rpo must be a duration like \"24h\" or \"7d\", got the number 86400");
  EXPECT_CONTAINS(error_for("[compliance]\nrpo = \"soon\"\n"),
                  "compliance.rpo must be a duration like");
  EXPECT_CONTAINS(error_for("[compliance]\nrpo = \"soon\"\n"), "got the string \"soon\"");
  EXPECT_CONTAINS(
      error_for("[retention]\nkeep_last = \"7\"\n"),
      "retention.keep_last must be a whole number, 0 or more, like 7, got the string \"7\"");
  EXPECT_CONTAINS(error_for("[retention]\nkeep_daily = -1\n"),
                  "retention.keep_daily must be a whole number");
  EXPECT_CONTAINS(error_for("[verify]\namcheck_heapallindexed = \"yes\"\n"),
                  "verify.amcheck_heapallindexed must be true or false, got the string \"yes\"");
  EXPECT_CONTAINS(
      error_for("[verify]\nshrink_severity = \"fatal\"\n"),
      "verify.shrink_severity must be one of \"warning\" or \"failure\", got the string \"fatal\"");
  EXPECT_CONTAINS(error_for("[verify]\nshrink_threshold = 2\n"),
                  "verify.shrink_threshold must be a number between");
  EXPECT_CONTAINS(error_for("[verify]\nscratch = 5\n"),
                  "verify.scratch must be a string in quotes, got the number 5");
  EXPECT_CONTAINS(error_for("[drill]\ntables = \"orders\"\n"),
                  "drill.tables must be a list of strings");
  EXPECT_CONTAINS(error_for("[drill]\ntables = [1]\n"), "drill.tables must be a list of strings");
  EXPECT_CONTAINS(error_for("[schedule]\nevery = true\n"),
                  "schedule.every must be a duration like");
  EXPECT_CONTAINS(error_for("verify = 3\n"),
                  "verify must be a section ([verify]), got the number 3");
  EXPECT_CONTAINS(error_for("[repository]\nname = \"a\"\nurl = \"/x\"\n"),
                  "repository must be written as [[repository]] tables");
  EXPECT_CONTAINS(
      error_for("[[repository]]\nname = \"a\"\nurl = \"/x\"\ndatabase_from_name = \"^shop\"\n"),
      "repository[0].database_from_name must be a regular expression with exactly one capture "
      "group");
}

TEST(ConfigMistakes, UnknownKeysInEverySectionShape)
{
  EXPECT_CONTAINS(error_for("[retention.database.shop]\nkeep_lats = 7\n"),
                  "unknown key retention.database.shop.keep_lats; did you mean keep_last?");
  EXPECT_CONTAINS(
      error_for("[[verify.check]]\ndatabase = \"a\"\nname = \"b\"\nsql = \"c\"\nsq = 1\n"),
      "unknown key verify.check[0].sq; did you mean sql?");
  EXPECT_CONTAINS(error_for("[[repository]]\nname = \"a\"\nurl = \"/x\"\nsorce = \"prod\"\n"),
                  "unknown key repository[0].sorce; did you mean source?");
  EXPECT_CONTAINS(error_for("[verify]\nkeep_last = 3\n"),
                  "did you mean retention.keep_last (in [retention])?");
  auto far = error_for("[verify]\nfrobnicate = 1\n");
  EXPECT_CONTAINS(far,
                  "unknown key verify.frobnicate; known keys here: scratch, run_as, restore_every");
  EXPECT_CONTAINS(
      error_for("[retention.database]\nkeep_last = 3\n"),
      "retention.database.keep_last must be a section ([retention.database.keep_last])");
}

TEST(ConfigMistakes, ArrayItemsNeedTheirRequiredKeys)
{
  EXPECT_CONTAINS(error_for("[[repository]]\nname = \"a\"\n"),
                  "repository[0] has no url; every [[repository]] needs name, url");
  EXPECT_CONTAINS(error_for("[[drill.command]]\nname = \"x\"\n"), "drill.command[0] has no run");
  EXPECT_CONTAINS(error_for("[[verify.check]]\ndatabase = \"a\"\nname = \"b\"\n"),
                  "verify.check[0] has no sql");
}

TEST(ConfigMistakes, SecretValuesNeverReachTheMessage)
{
  auto message = error_for("[notify]\nwebhook = [\"https://hooks.example/T000/hunter2\"]\n");
  EXPECT_CONTAINS(message, "notify.webhook must be a string in quotes, got a list");
  EXPECT_EQ(message.find("hunter2"), std::string::npos) << message;
}

TEST(ConfigDefaults, TheTableAgreesWithTheStructAndEveryKeyIsListed)
{
  testing::TempDir dir;
  auto config = load_config(dir.write("config.toml", "").string());
  const Config plain;
  EXPECT_EQ(config.verify.scratch, plain.verify.scratch);
  EXPECT_EQ(config.verify.restore_every, plain.verify.restore_every);
  EXPECT_EQ(config.verify.checksum_every, plain.verify.checksum_every);
  EXPECT_EQ(config.verify.shrink_threshold, plain.verify.shrink_threshold);
  EXPECT_EQ(config.verify.shrink_severity, plain.verify.shrink_severity);
  EXPECT_EQ(config.verify.amcheck_heapallindexed, plain.verify.amcheck_heapallindexed);
  EXPECT_EQ(config.compliance.rpo, plain.compliance.rpo);
  EXPECT_EQ(config.compliance.verified_within, plain.compliance.verified_within);
  EXPECT_FALSE(config.compliance.rto.has_value());
  EXPECT_EQ(config.schedule.every, std::chrono::seconds(24h));
  EXPECT_FALSE(config.retention.defaults.keep_last.has_value());
  for (const auto& key : config_keys()) {
    if (key.path.find_first_of("[<") != std::string::npos) continue;
    const auto* e = entry(config, key.path);
    ASSERT_NE(e, nullptr) << key.path << " missing from `lastgood config`";
    EXPECT_EQ(e->origin.kind, ConfigOrigin::Kind::Default) << key.path;
    EXPECT_EQ(e->origin.text(), "default");
    if (!key.env.empty()) {
      EXPECT_EQ(key.env.rfind("LASTGOOD_", 0), 0u) << key.env;
    }
  }
}

TEST(ConfigLayers, DefaultsFileEnvAndFlagsEachKnowTheirOrigin)
{
  testing::TempDir dir;
  const auto path =
      dir.write("config.toml", "[compliance]\nrpo = \"12h\"\nverified_within = \"3d\"\n"
                               "[verify]\nscratch = \"host=file-server\"\n")
          .string();
  ScopedEnv rpo("LASTGOOD_COMPLIANCE_RPO", "2d");
  ScopedEnv scratch("LASTGOOD_VERIFY_SCRATCH", "host=env-server");
  auto config = load_config(path, {{"verify.scratch", "host=flag-server", "--scratch"}});

  EXPECT_EQ(config.compliance.rpo, std::chrono::seconds(48h)) << "env beats the file";
  EXPECT_EQ(entry(config, "compliance.rpo")->origin.text(), "env LASTGOOD_COMPLIANCE_RPO");
  EXPECT_EQ(entry(config, "compliance.rpo")->value, "\"2d\"");
  EXPECT_EQ(config.compliance.verified_within, std::chrono::seconds(72h));
  EXPECT_EQ(entry(config, "compliance.verified_within")->origin.text(), "file " + path);
  EXPECT_EQ(config.verify.scratch, "host=flag-server") << "a flag beats env and file";
  EXPECT_EQ(entry(config, "verify.scratch")->origin.text(), "flag --scratch");
  EXPECT_EQ(entry(config, "verify.restore_every")->origin.text(), "default");
  EXPECT_EQ(entry(config, "verify.restore_every")->value, "\"1d\"");
  EXPECT_EQ(entry(config, "compliance.rto")->value, "") << "unset";
}

TEST(ConfigLayers, EnvAndFlagValuesAreCheckedLikeTheFile)
{
  testing::TempDir dir;
  const auto path = dir.write("config.toml", "").string();
  {
    ScopedEnv bad("LASTGOOD_RETENTION_KEEP_LAST", "seven");
    try {
      load_config(path);
      FAIL() << "accepted keep_last=seven";
    } catch (const UsageError& e) {
      EXPECT_CONTAINS(std::string(e.what()),
                      "environment variable LASTGOOD_RETENTION_KEEP_LAST: retention.keep_last "
                      "must be a whole number");
    }
  }
  {
    ScopedEnv good("LASTGOOD_RETENTION_KEEP_LAST", "7");
    ScopedEnv flag("LASTGOOD_VERIFY_AMCHECK_HEAPALLINDEXED", "true");
    auto config = load_config(path);
    EXPECT_EQ(config.retention.defaults.keep_last, 7);
    EXPECT_TRUE(config.verify.amcheck_heapallindexed);
  }
  EXPECT_THROW(load_config(path, {{"schedule.every", "daily", "--every"}}), UsageError);
  EXPECT_THROW(load_config(path, {{"verify.restor_every", "1d", "--x"}}), UsageError);
}

TEST(ConfigEntries, SecretsAreMaskedAndArrayItemsListed)
{
  testing::TempDir dir;
  const auto path = dir.write("config.toml", R"(
[[repository]]
name = "eu"
url = "/var/backups/eu"
source = "prod-eu"
database_from_name = "^(.+?)-[0-9]{8}"

[[repository]]
name = "us"
url = "s3://bucket/us"

[notify]
webhook = "https://hooks.example/T000/hunter2"

[s3]
access_key_id = "AKID"
secret_access_key = "s3cr3t"
session_token = "t0ken"

[retention.database.shop]
keep_last = 30

[schedule]
every = "6h"
)")
                        .string();
  auto config = load_config(path);
  ASSERT_EQ(config.repositories.size(), 2u);
  EXPECT_EQ(config.repositories[0].source, "prod-eu");
  EXPECT_EQ(config.repositories[0].database_from_name, "^(.+?)-[0-9]{8}");
  EXPECT_EQ(config.repositories[1].source, "");
  EXPECT_EQ(config.schedule.every, std::chrono::seconds(6h));
  EXPECT_EQ(config.retention.per_database.at("shop").keep_last, 30);

  EXPECT_EQ(entry(config, "repository[1].url")->value, "\"s3://bucket/us\"");
  EXPECT_EQ(entry(config, "repository[1].source")->origin.text(), "default");
  EXPECT_EQ(entry(config, "retention.database.shop.keep_last")->value, "30");
  EXPECT_EQ(entry(config, "s3.access_key_id")->value, "\"AKID\"");
  for (const char* key : {"notify.webhook", "s3.secret_access_key", "s3.session_token"}) {
    ASSERT_NE(entry(config, key), nullptr) << key;
    EXPECT_EQ(entry(config, key)->value, "********") << key;
    EXPECT_TRUE(entry(config, key)->secret);
  }
  for (const auto& e : config.entries)
    for (const char* secret : {"hunter2", "s3cr3t", "t0ken"})
      EXPECT_EQ(e.value.find(secret), std::string::npos);
}

TEST(ConfigDocs, CommittedReferenceIsGeneratedFromTheTable)
{
  const auto committed = testing::read_file(testing::source_dir() / "docs/configuration.md");
  EXPECT_TRUE(committed == configuration_docs())
      << "docs/configuration.md is stale: regenerate it with `build/lastgood config --docs > "
         "docs/configuration.md`";
  for (const auto& key : config_keys())
    EXPECT_CONTAINS(committed, key.path.substr(key.path.find_last_of(".]") + 1));
}

TEST(NearestName, TyposWithinReachAndNothingFar)
{
  EXPECT_EQ(edit_distance("keep_lats", "keep_last"), 1u);
  EXPECT_EQ(edit_distance("restor_every", "restore_every"), 1u);
  EXPECT_EQ(nearest_name("retension", {"repository", "retention", "verify"}), "retention");
  EXPECT_FALSE(nearest_name("frobnicate", {"scratch", "run_as"}).has_value());
}

} // namespace
} // namespace lastgood
