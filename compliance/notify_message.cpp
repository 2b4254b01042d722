#include "compliance/notify_message.hpp"

#include <nlohmann/json.hpp>

namespace lastgood::compliance {

namespace {

using nlohmann::json;

std::string dump(const json& j)
{
  return j.dump(-1, ' ', false, json::error_handler_t::replace);
}

std::string backup_line(const NotifyMessage& m)
{
  if (m.event.key.rfind("stage ", 0) == 0) return "-"; // a stage is about no backup
  return m.event.backup.empty() ? "none restorable" : m.event.backup;
}

// Slack and Teams colours: red, amber, green.
std::string colour(const NotifyMessage& m)
{
  if (m.kind == MessageKind::Recovered) return "2EB67D";
  return m.event.severity == EventSeverity::Critical ? "E01E5A" : "ECB22E";
}

std::string headline(const NotifyMessage& m)
{
  switch (m.kind) {
  case MessageKind::Problem:
    return m.event.verdict + " " + m.event.title;
  case MessageKind::Reminder:
    return "reminder: " + m.event.verdict + " " + m.event.title + " (since " + m.since + ")";
  case MessageKind::Recovered:
    return "RECOVERED " + m.event.title + " (now " + m.event.verdict + ")";
  }
  return m.event.title;
}

} // namespace

std::string to_string(MessageKind kind)
{
  switch (kind) {
  case MessageKind::Problem:
    return "problem";
  case MessageKind::Reminder:
    return "reminder";
  case MessageKind::Recovered:
    return "recovered";
  }
  return "problem";
}

std::string subject(const NotifyMessage& m)
{
  return "[lastgood] " + headline(m);
}

std::string plain_text(const NotifyMessage& m)
{
  std::string text = headline(m) + "\n\n";
  text += "Verdict: " + m.event.verdict + " (" + to_string(m.event.severity) + ")\n";
  text += "Scope: " + m.event.title + "\n";
  text += "Backup: " + backup_line(m) + "\n";
  if (m.kind == MessageKind::Recovered) {
    text += "Was: " + m.was_severity + ", announced since " + m.since + "\n";
  } else {
    for (const auto& p : m.event.problems)
      text += "Problem: " + p + "\n";
    text += "What to do: " + m.event.what_to_do + "\n";
  }
  text += "Host: " + m.host + "\n";
  return text;
}

std::string slack_json(const NotifyMessage& m)
{
  std::string fields = "*Verdict:* " + m.event.verdict + "\n*Scope:* " + m.event.title +
                       "\n*Backup:* " + backup_line(m);
  std::string details;
  if (m.kind == MessageKind::Recovered) {
    details = "Was " + m.was_severity + " since " + m.since + ".";
  } else {
    for (const auto& p : m.event.problems)
      details += "• " + p + "\n";
    details += "*What to do:* " + m.event.what_to_do;
  }
  json blocks = json::array();
  blocks.push_back({{"type", "header"},
                    {"text", {{"type", "plain_text"}, {"text", headline(m).substr(0, 150)}}}});
  blocks.push_back({{"type", "section"}, {"text", {{"type", "mrkdwn"}, {"text", fields}}}});
  blocks.push_back({{"type", "section"}, {"text", {{"type", "mrkdwn"}, {"text", details}}}});
  blocks.push_back(
      {{"type", "context"},
       {"elements", json::array({{{"type", "mrkdwn"}, {"text", "lastgood on " + m.host}}})}});
  // "text" is the notification and fallback line; blocks are what the channel shows.
  return dump({{"text", "[lastgood] " + headline(m)},
               {"blocks", blocks},
               {"attachments", json::array({{{"color", "#" + colour(m)}}})}});
}

std::string teams_json(const NotifyMessage& m)
{
  json facts = json::array({{{"name", "Verdict"}, {"value", m.event.verdict}},
                            {{"name", "Scope"}, {"value", m.event.title}},
                            {{"name", "Backup"}, {"value", backup_line(m)}},
                            {{"name", "Host"}, {"value", m.host}}});
  std::string text;
  if (m.kind == MessageKind::Recovered) {
    text = "Was " + m.was_severity + " since " + m.since + ".";
  } else {
    for (const auto& p : m.event.problems)
      text += "- " + p + "\n";
    text += "\n**What to do:** " + m.event.what_to_do;
  }
  return dump({{"@type", "MessageCard"},
               {"@context", "https://schema.org/extensions"},
               {"summary", "[lastgood] " + headline(m)},
               {"themeColor", colour(m)},
               {"title", "[lastgood] " + headline(m)},
               {"sections", json::array({{{"facts", facts}, {"text", text}}})}});
}

} // namespace lastgood::compliance
