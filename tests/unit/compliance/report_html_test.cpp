// The HTML report escapes every text it shows (database names, hold reasons,
// audit subjects) and refers to nothing outside the page.

#include "compliance/report_render.hpp"

#include <gtest/gtest.h>
#include <regex>

namespace lastgood::compliance {
namespace {

const TimePoint kNow = parse_rfc3339("2026-11-22T12:00:00Z");

TEST(HtmlEscape, EscapesTheFiveCharacters)
{
  EXPECT_EQ(html_escape("<a href=\"x\">'&'</a>"),
            "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;");
}

TEST(ReportHtml, HostileNamesAreEscapedAndNothingIsExternal)
{
  ReportFacts f;
  f.as_of = kNow;
  f.period_start = kNow - std::chrono::hours(24 * 30);
  Scope s;
  s.kind = "database";
  s.name = "<script>alert(1)</script>";
  BackupFact b;
  b.backup_id = "b\"><img src=http://evil.example/x>";
  b.kind = "logical";
  b.status = "good";
  b.taken = kNow - std::chrono::hours(30);
  s.backups.push_back(b);
  s.newest_backup = s.oldest_backup = b.taken;
  s.holds.push_back(
      {b.backup_id, "<b>court order</b>", std::nullopt, "auditor", "2026-11-01T00:00:00Z", false});
  f.scopes.push_back(s);
  f.events.push_back({"2026-11-20T00:00:00Z", "root", "hold.add", "<i>x</i>", "info"});
  auto report = judge(f, Config{});
  auto html = render_html(report);
  EXPECT_EQ(html.find("<script"), std::string::npos);
  EXPECT_EQ(html.find("<img"), std::string::npos);
  EXPECT_EQ(html.find("<b>court"), std::string::npos);
  EXPECT_EQ(html.find("<i>x"), std::string::npos);
  EXPECT_NE(html.find("&lt;script&gt;alert(1)&lt;/script&gt;"), std::string::npos);
  EXPECT_NE(html.find("&lt;b&gt;court order&lt;/b&gt;"), std::string::npos);
  // No tag carries a src or href at all (the hostile one survives only as text).
  EXPECT_FALSE(std::regex_search(html, std::regex(R"(<[^>]*\s(src|href)\s*=)", std::regex::icase)));
  EXPECT_EQ(html.find("<link"), std::string::npos);
  // The timeline shows the backup as a mark, and a gap longer than the RPO up to now.
  EXPECT_NE(html.find("<circle"), std::string::npos);
  EXPECT_NE(html.find("no backup for 1d6h"), std::string::npos) << html;
  EXPECT_NE(html.find(">FAIL<"), std::string::npos);
}

TEST(ReportText, OneVerdictLinePerItemAndOverall)
{
  ReportFacts f;
  f.as_of = kNow;
  f.period_start = kNow - std::chrono::hours(24);
  Scope s;
  s.kind = "database";
  s.name = "shop";
  BackupFact b;
  b.backup_id = "b1";
  b.kind = "logical";
  b.status = "good";
  b.taken = kNow - std::chrono::hours(1);
  s.backups.push_back(b);
  s.newest_backup = s.oldest_backup = b.taken;
  s.last_good_test = kNow - std::chrono::hours(1);
  s.last_good_backup = "b1";
  f.scopes.push_back(s);
  auto text = render_text(judge(f, Config{}));
  EXPECT_NE(text.find("  OK    backup_age"), std::string::npos) << text;
  EXPECT_NE(text.find("overall: OK"), std::string::npos) << text;
  auto md = render_markdown(judge(f, Config{}));
  EXPECT_NE(md.find("| OK | backup_age |"), std::string::npos) << md;
}

} // namespace
} // namespace lastgood::compliance
