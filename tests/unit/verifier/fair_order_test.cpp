// Round-robin across sources: one source with many due items does not keep
// the others waiting, and each source keeps its own order.

#include "verifier/fair_order.hpp"

#include <gtest/gtest.h>

namespace lastgood::verifier {
namespace {

TEST(FairOrder, TakesOneItemPerSourceInTurn)
{
  std::vector<std::string> items = {"big-1",   "big-2",  "big-3",  "big-4",
                                    "small-1", "tiny-1", "small-2"};
  auto source = [](const std::string& item) { return item.substr(0, item.find('-')); };
  EXPECT_EQ(round_robin_by_source(items, source),
            (std::vector<std::string>{"big-1", "small-1", "tiny-1", "big-2", "small-2", "big-3",
                                      "big-4"}));
}

TEST(FairOrder, TheSourceServerOfABackup)
{
  catalog::BackupRow dump;
  dump.kind = "logical";
  EXPECT_EQ(source_server_key(dump), "source default");
  dump.source = "prod-eu";
  EXPECT_EQ(source_server_key(dump), "source prod-eu");
  catalog::BackupRow base;
  base.kind = "physical";
  base.system_identifier = "7312";
  EXPECT_EQ(source_server_key(base), "cluster 7312");
  base.source = "prod-eu";
  EXPECT_EQ(source_server_key(base), "source prod-eu") << "a named source is the server";
}

} // namespace
} // namespace lastgood::verifier
