#include "common/markup_escape.hpp"

#include <gtest/gtest.h>

namespace lastgood {
namespace {

TEST(MarkupEscape, EscapesTheFiveMarkupCharactersAndNothingElse)
{
  EXPECT_EQ(markup_escape("a<b>&\"c'd"), "a&lt;b&gt;&amp;&quot;c&#39;d");
  EXPECT_EQ(markup_escape("wal/000000010000000000000001 ü"), "wal/000000010000000000000001 ü");
  EXPECT_EQ(markup_escape("&amp;"), "&amp;amp;");  // never assumes it was escaped already
  EXPECT_EQ(markup_escape(""), "");
}

} // namespace
} // namespace lastgood
