#include "common/text_table.hpp"

#include <gtest/gtest.h>
#include <sstream>

namespace lastgood {
namespace {

std::string printed(const TextTable& table, std::string_view indent = "")
{
  std::ostringstream out;
  table.print(out, indent);
  return out.str();
}

TEST(TextTable, ALongIdKeepsTwoSpacesBeforeTheNextColumn)
{
  // Issue 13: a 43-character ID in a 32-wide column printed "…-6e5aunverified plain".
  TextTable table({"ID", "STATUS", "FORMAT"});
  table.add_row({"20261122T0200-customer-orders-archive-6e5a", "unverified", "plain"});
  table.add_row({"20261122T0200-shop-7f3a", "good", "custom"});
  EXPECT_EQ(printed(table), "ID                                          STATUS      FORMAT\n"
                            "20261122T0200-customer-orders-archive-6e5a  unverified  plain\n"
                            "20261122T0200-shop-7f3a                     good        custom\n");
}

TEST(TextTable, ColumnsAreAsWideAsTheHeaderWhenCellsAreShorter)
{
  TextTable table({"HOLD", "BACKUP"});
  table.add_row({"1", "b"});
  EXPECT_EQ(printed(table, "  "), "  HOLD  BACKUP\n  1     b\n");
}

TEST(TextTable, NoHeaderAndNoTrailingBlanks)
{
  TextTable table;
  EXPECT_TRUE(table.empty());
  table.add_row({"public.orders", "3000"});
  table.add_row({"public.customers", "800", ""});
  EXPECT_FALSE(table.empty());
  EXPECT_EQ(printed(table), "public.orders     3000\npublic.customers  800\n");
}

TEST(TextTable, MultiByteCharactersCountOnce)
{
  EXPECT_EQ(display_width("café—x"), 6u);
  TextTable table({"A", "B"});
  table.add_row({"é", "1"});
  EXPECT_EQ(printed(table), "A  B\né  1\n");
}

TEST(PaddedCell, PadsToTheWidthAndAlwaysLeavesAGap)
{
  EXPECT_EQ(padded_cell("pass", 8), "pass    ");
  EXPECT_EQ(padded_cell("restore", 8), "restore  ");
  EXPECT_EQ(padded_cell("20261122T0200-customer-orders-archive-6e5a", 32),
            "20261122T0200-customer-orders-archive-6e5a  ");
}

} // namespace
} // namespace lastgood
