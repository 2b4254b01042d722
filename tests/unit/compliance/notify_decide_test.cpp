// What a channel is sent about an event given what it was last sent: a new
// problem once, a severity change at once, a reminder after repeat_every, a
// recovery once; the severity filter; and the words of each message.

#include "compliance/notify_channels.hpp"
#include "compliance/notify_message.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace lastgood::compliance {
namespace {

const TimePoint kNow = parse_rfc3339("2026-11-26T03:00:00Z");

NotifyEvent event(EventSeverity severity)
{
  NotifyEvent e;
  e.key = "database shop";
  e.title = "database shop";
  e.severity = severity;
  e.verdict = severity == EventSeverity::Critical  ? "FAIL"
              : severity == EventSeverity::Warning ? "WARN"
                                                   : "OK";
  return e;
}

catalog::NotificationState sent(const std::string& severity, const std::string& at,
                                bool active = true)
{
  return {"mail", "database shop", severity, active, at, at, 1, ""};
}

NotifyChannel channel(const std::string& min = "warning")
{
  NotifyChannel c;
  c.min_severity = min;
  c.repeat_every = std::chrono::hours(24);
  return c;
}

TEST(NotifyDecide, NewProblemOnceThenReminderAfterRepeatEvery)
{
  EXPECT_EQ(decide(event(EventSeverity::Critical), std::nullopt, channel(), kNow),
            MessageKind::Problem);
  EXPECT_EQ(decide(event(EventSeverity::Critical), sent("critical", "2026-11-25T04:00:00Z"),
                   channel(), kNow),
            std::nullopt);
  EXPECT_EQ(decide(event(EventSeverity::Critical), sent("critical", "2026-11-25T03:00:00Z"),
                   channel(), kNow),
            MessageKind::Reminder);
}

TEST(NotifyDecide, SeverityChangeIsAnnouncedAtOnce)
{
  EXPECT_EQ(decide(event(EventSeverity::Critical), sent("warning", "2026-11-26T02:59:00Z"),
                   channel(), kNow),
            MessageKind::Problem);
  EXPECT_EQ(decide(event(EventSeverity::Warning), sent("critical", "2026-11-26T02:59:00Z"),
                   channel(), kNow),
            MessageKind::Problem);
}

TEST(NotifyDecide, RecoveredOnceAndNeverForWhatWasNotAnnounced)
{
  EXPECT_EQ(
      decide(event(EventSeverity::Ok), sent("critical", "2026-11-26T02:00:00Z"), channel(), kNow),
      MessageKind::Recovered);
  EXPECT_EQ(decide(event(EventSeverity::Ok), sent("critical", "2026-11-26T02:00:00Z", false),
                   channel(), kNow),
            std::nullopt);
  EXPECT_EQ(decide(event(EventSeverity::Ok), std::nullopt, channel(), kNow), std::nullopt);
  // After a recovery, the same problem is new again.
  EXPECT_EQ(decide(event(EventSeverity::Critical), sent("critical", "2026-11-26T02:59:00Z", false),
                   channel(), kNow),
            MessageKind::Problem);
}

TEST(NotifyDecide, MinSeverityFilters)
{
  EXPECT_EQ(decide(event(EventSeverity::Warning), std::nullopt, channel("critical"), kNow),
            std::nullopt);
  EXPECT_EQ(decide(event(EventSeverity::Critical), std::nullopt, channel("critical"), kNow),
            MessageKind::Problem);
  // Down from critical to warning on a critical-only channel: over, as far as it is concerned.
  EXPECT_EQ(decide(event(EventSeverity::Warning), sent("critical", "2026-11-26T02:00:00Z"),
                   channel("critical"), kNow),
            MessageKind::Recovered);
}

TEST(NotifyMessage, SubjectsAndPlainText)
{
  NotifyMessage m{MessageKind::Problem, event(EventSeverity::Critical), "db1", "", ""};
  m.event.backup = "20261122T0200-shop-7f3a";
  m.event.problems = {"backup_age FAIL: 30h old"};
  m.event.what_to_do = "take a backup";
  EXPECT_EQ(subject(m), "[lastgood] FAIL database shop");
  const auto text = plain_text(m);
  EXPECT_NE(text.find("Verdict: FAIL (critical)\nScope: database shop\n"
                      "Backup: 20261122T0200-shop-7f3a\nProblem: backup_age FAIL: 30h old\n"
                      "What to do: take a backup\nHost: db1\n"),
            std::string::npos)
      << text;
  m.kind = MessageKind::Reminder;
  m.since = "2026-11-25T03:00:00Z";
  EXPECT_EQ(subject(m), "[lastgood] reminder: FAIL database shop (since 2026-11-25T03:00:00Z)");
  m.kind = MessageKind::Recovered;
  m.event = event(EventSeverity::Ok);
  m.was_severity = "critical";
  EXPECT_EQ(subject(m), "[lastgood] RECOVERED database shop (now OK)");
  EXPECT_NE(plain_text(m).find("Was: critical, announced since 2026-11-25T03:00:00Z"),
            std::string::npos);
  auto slack = nlohmann::json::parse(slack_json(m));
  EXPECT_EQ(slack["attachments"][0]["color"], "#2EB67D");
}

TEST(NotifyChannels, NamesDefaultToKindAndPosition)
{
  NotifyConfig config;
  config.slack.resize(2);
  config.slack[1].name = "ops";
  config.email.resize(1);
  auto refs = configured_channels(config);
  ASSERT_EQ(refs.size(), 3u);
  EXPECT_EQ(refs[0].name, "email1");
  EXPECT_EQ(refs[1].name, "slack1");
  EXPECT_EQ(refs[2].name, "ops");
}

} // namespace
} // namespace lastgood::compliance
