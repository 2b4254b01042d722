#include "common/error.hpp"
#include "storage/ini_file.hpp"
#include "tests/support/temp_dir.hpp"

#include <fstream>
#include <gtest/gtest.h>

using namespace lastgood;
using namespace lastgood::storage;

TEST(IniFile, SectionsKeysAndValuesAsTheAwsCliReadsThem)
{
  const IniFile file = parse_ini_text("# a comment\n"
                                      "; another\n"
                                      "[default]\n"
                                      "aws_access_key_id = AKIDEXAMPLE\n"
                                      "AWS_Secret_Access_Key=wJalr/K7MDENG+bPxRfiCY\n"
                                      "\n"
                                      "[Profile Prod]\n"
                                      "region = eu-west-1 \n",
                                      "credentials");
  ASSERT_EQ(file.size(), 2u);
  EXPECT_EQ(file.at("default").at("aws_access_key_id"), "AKIDEXAMPLE");
  // Key names are case-insensitive (kept lower case), values kept as written.
  EXPECT_EQ(file.at("default").at("aws_secret_access_key"), "wJalr/K7MDENG+bPxRfiCY");
  // Section names keep their case; values lose surrounding blanks.
  EXPECT_EQ(file.at("Profile Prod").at("region"), "eu-west-1");
}

TEST(IniFile, SemicolonInsideAValueIsNotAComment)
{
  const IniFile file = parse_ini_text("[x]\nkey = a;b ; c\nother = d # e\n", "config");
  EXPECT_EQ(file.at("x").at("key"), "a;b ; c");
  EXPECT_EQ(file.at("x").at("other"), "d # e");
}

TEST(IniFile, IndentedLinesContinueTheValueAbove)
{
  const IniFile file = parse_ini_text("[profile p]\n"
                                      "s3 =\n"
                                      "  max_concurrent_requests = 20\n"
                                      "  addressing_style = path\n"
                                      "region = us-west-2\n",
                                      "config");
  EXPECT_EQ(file.at("profile p").at("s3"), "max_concurrent_requests = 20\naddressing_style = path");
  EXPECT_EQ(file.at("profile p").at("region"), "us-west-2");
  EXPECT_FALSE(file.at("profile p").contains("max_concurrent_requests"));
}

TEST(IniFile, LongSessionTokensAreKeptWhole)
{
  // Real session tokens run past 1,000 characters; a fixed line buffer cuts them.
  std::string token(3000, 'T');
  token.back() = 'Z';
  const IniFile file = parse_ini_text("[t]\naws_session_token = " + token + "\nafter = 1\n", "x");
  EXPECT_EQ(file.at("t").at("aws_session_token"), token);
  EXPECT_EQ(file.at("t").at("after"), "1");
}

TEST(IniFile, ByteOrderMarkAndWindowsLineEndings)
{
  const IniFile file = parse_ini_text("\xEF\xBB\xBF[default]\r\nregion = ap-south-1\r\n", "x");
  EXPECT_EQ(file.at("default").at("region"), "ap-south-1");
}

TEST(IniFile, ABadLineIsNamedByNumberWithoutItsContent)
{
  try {
    parse_ini_text("[default]\naws_access_key_id = A\nwJalrXUtnFEMI-secret-line\n", "/h/.aws/x");
    FAIL() << "expected UsageError";
  } catch (const UsageError& e) {
    const std::string message = e.what();
    EXPECT_NE(message.find("/h/.aws/x: line 3"), std::string::npos) << message;
    EXPECT_EQ(message.find("wJalrXUtnFEMI"), std::string::npos) << message;
  }
}

TEST(IniFile, MissingFileIsNoFileAndAFileIsRead)
{
  lastgood::testing::TempDir dir;
  EXPECT_FALSE(read_ini_file(dir.path() / "absent").has_value());
  std::ofstream(dir.path() / "present") << "[a]\nb = c\n";
  const auto file = read_ini_file(dir.path() / "present");
  ASSERT_TRUE(file.has_value());
  EXPECT_EQ(file->at("a").at("b"), "c");
}
