#include "catalog/notification_state.hpp"

namespace lastgood::catalog {

std::vector<NotificationState> notification_states(Database& db, const std::string& channel)
{
  auto s = db.prepare("SELECT channel, event, severity, active, first_sent_at, last_sent_at,"
                      " messages, summary FROM notification_state WHERE channel = ?"
                      " ORDER BY event");
  s.bind_all(channel);
  std::vector<NotificationState> out;
  while (s.step())
    out.push_back({s.text(0), s.text(1), s.text(2), s.int64(3) != 0, s.text(4), s.text(5),
                   s.int64(6), s.text(7)});
  return out;
}

void record_problem_sent(Database& db, const std::string& channel, const std::string& event,
                         const std::string& severity, const std::string& sent_at,
                         const std::string& summary)
{
  // One statement: the row is either the old one or the new one, whenever the run dies.
  db.prepare("INSERT INTO notification_state (channel, event, severity, active, first_sent_at,"
             " last_sent_at, messages, summary) VALUES (?, ?, ?, 1, ?, ?, 1, ?)"
             " ON CONFLICT (channel, event) DO UPDATE SET severity = excluded.severity,"
             " first_sent_at = CASE WHEN notification_state.active = 1"
             "   THEN notification_state.first_sent_at ELSE excluded.first_sent_at END,"
             " messages = CASE WHEN notification_state.active = 1"
             "   THEN notification_state.messages + 1 ELSE 1 END,"
             " active = 1, last_sent_at = excluded.last_sent_at, summary = excluded.summary")
      .bind_all(channel, event, severity, sent_at, sent_at, summary)
      .run();
}

void record_recovery_sent(Database& db, const std::string& channel, const std::string& event,
                          const std::string& sent_at)
{
  db.prepare("UPDATE notification_state SET active = 0, last_sent_at = ?, messages = messages + 1"
             " WHERE channel = ? AND event = ?")
      .bind_all(sent_at, channel, event)
      .run();
}

} // namespace lastgood::catalog
