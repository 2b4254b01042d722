#include "common/config.hpp"

#include <gtest/gtest.h>

#include "common/error.hpp"
#include "tests/support/temp_dir.hpp"

namespace lastgood {
namespace {

using namespace std::chrono_literals;

Config load_text(const testing::TempDir& dir, const std::string& text)
{
  return load_config(dir.write("config.toml", text).string());
}

TEST(Config, ReadsRetentionWithNarrowerScopes)
{
  testing::TempDir dir;
  auto config = load_text(dir, R"(
[retention]
keep_last = 7
keep_daily = 7
keep_within = "36h"
pitr_window = "7d"

[retention.database.shop]
keep_last = 30

[retention.cluster.7312345678901234567]
keep_yearly = 10
)");
  EXPECT_EQ(config.retention.defaults.keep_last, 7);
  EXPECT_EQ(config.retention.defaults.keep_daily, 7);
  EXPECT_FALSE(config.retention.defaults.keep_weekly.has_value());
  EXPECT_EQ(config.retention.defaults.keep_within, std::chrono::seconds(36h));
  EXPECT_EQ(config.retention.defaults.pitr_window, std::chrono::seconds(24h * 7));
  ASSERT_EQ(config.retention.per_database.count("shop"), 1u);
  EXPECT_EQ(config.retention.per_database.at("shop").keep_last, 30);
  EXPECT_FALSE(config.retention.per_database.at("shop").keep_daily.has_value());
  EXPECT_EQ(config.retention.per_cluster.at("7312345678901234567").keep_yearly, 10);
}

TEST(Config, ReadsComplianceNotifyDrillAndS3)
{
  testing::TempDir dir;
  auto config = load_text(dir, R"(
[compliance]
rpo = "12h"
rto = "30m"

[notify]
webhook = "https://hooks.example/T000/secret"

[drill]
database = "shop"
tables = ["orders", "public.customers"]
[[drill.command]]
name = "cache"
run = "redis-cli PING"

[s3]
access_key_id = "AKID"
secret_access_key = "SECRET"
region = "eu-west-1"
)");
  EXPECT_EQ(config.compliance.rpo, std::chrono::seconds(12h));
  EXPECT_EQ(config.compliance.verified_within, std::chrono::seconds(24h * 7));  // default
  EXPECT_EQ(config.compliance.rto, std::chrono::seconds(30min));
  EXPECT_EQ(config.notify.webhook, "https://hooks.example/T000/secret");
  EXPECT_EQ(config.drill.database, "shop");
  EXPECT_EQ(config.drill.tables, (std::vector<std::string>{"orders", "public.customers"}));
  ASSERT_EQ(config.drill.commands.size(), 1u);
  EXPECT_EQ(config.drill.commands[0].run, "redis-cli PING");
  EXPECT_EQ(config.s3.access_key_id, "AKID");
  EXPECT_EQ(config.s3.region, "eu-west-1");
}

TEST(Config, RejectsBadRetentionValuesNamingTheKey)
{
  testing::TempDir dir;
  try {
    load_text(dir, "[retention]\nkeep_daily = -1\n");
    FAIL() << "negative count accepted";
  } catch (const UsageError& e) {
    EXPECT_NE(std::string(e.what()).find("retention.keep_daily"), std::string::npos) << e.what();
  }
  EXPECT_THROW(load_text(dir, "[retention.database.shop]\npitr_window = \"soon\"\n"), UsageError);
  EXPECT_THROW(load_text(dir, "[[drill.command]]\nname = \"x\"\n"), UsageError);
  EXPECT_THROW(load_text(dir, "[drill]\ntables = [1]\n"), UsageError);
}

} // namespace
} // namespace lastgood
