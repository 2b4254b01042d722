#include "common/printable_name.hpp"

#include <gtest/gtest.h>

namespace lastgood {
namespace {

TEST(PrintableName, OrdinaryNamesAndUtf8AreUnchanged)
{
  EXPECT_EQ(printable_name("dumps/shop 2024-05-01.dump"), "dumps/shop 2024-05-01.dump");
  EXPECT_EQ(printable_name("dumps/Größe.dump"), "dumps/Größe.dump");
  EXPECT_EQ(printable_name(""), "");
}

TEST(PrintableName, ControlCharactersAreEscapedOnOneLine)
{
  EXPECT_EQ(printable_name("evil\nPROBLEM fake.dump"), "evil\\nPROBLEM fake.dump");
  EXPECT_EQ(printable_name("a\tb\rc"), "a\\tb\\rc");
  EXPECT_EQ(printable_name("\x1b[31mred"), "\\x1b[31mred");
  EXPECT_EQ(printable_name(std::string_view("nul\0x", 5)), "nul\\x00x");
  EXPECT_EQ(printable_name("del\x7f"), "del\\x7f");
}

TEST(PrintableName, BackslashIsEscapedSoNamesStayDistinct)
{
  // A name spelling "\n" with a backslash must not print like one holding a newline.
  EXPECT_EQ(printable_name("a\\nb"), "a\\\\nb");
  EXPECT_NE(printable_name("a\\nb"), printable_name("a\nb"));
}

TEST(PrintableName, MessagesQuotingTheNameShowItEscaped)
{
  EXPECT_EQ(with_printable_name("'a\nb' does not match; restore 'a\nb'", "a\nb"),
            "'a\\nb' does not match; restore 'a\\nb'");
  // Plain names and other text are left alone, line breaks of the message too.
  EXPECT_EQ(with_printable_name("pg_restore failed:\n  error", "dumps/x.dump"),
            "pg_restore failed:\n  error");
  EXPECT_EQ(with_printable_name("text", ""), "text");
}

} // namespace
} // namespace lastgood
