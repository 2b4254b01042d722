#pragma once
// The words of one notification, and its shapes per channel: a plain-text
// mail (subject and body), Slack's message JSON (text plus blocks) and a
// Microsoft Teams MessageCard. Pure functions: tested without a network.

#include "compliance/notify_events.hpp"

#include <string>

namespace lastgood::compliance {

// Problem: first announcement of an episode (or a change of severity);
// Reminder: the same problem, repeat_every later; Recovered: the scope is healthy again.
enum class MessageKind { Problem, Reminder, Recovered };

std::string to_string(MessageKind kind); // "problem", "reminder", "recovered"

struct NotifyMessage
{
  MessageKind kind = MessageKind::Problem;
  NotifyEvent event;
  std::string host;         // where lastgood runs
  std::string since;        // Reminder, Recovered: when the episode was first announced
  std::string was_severity; // Recovered: the severity last announced
};

// "[lastgood] FAIL database shop", "[lastgood] reminder: FAIL …", "[lastgood] RECOVERED …"
std::string subject(const NotifyMessage& m);
// Verdict, scope, backup, problems and what to do, one per line.
std::string plain_text(const NotifyMessage& m);
std::string slack_json(const NotifyMessage& m);
std::string teams_json(const NotifyMessage& m);

} // namespace lastgood::compliance
