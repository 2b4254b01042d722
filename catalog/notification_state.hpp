#pragma once
// What each notification channel was last told about each event (table
// notification_state, migration 0012): the memory behind deduplication,
// reminders and "recovered" messages. One row per channel and event.

#include "catalog/database.hpp"

#include <string>
#include <vector>

namespace lastgood::catalog {

struct NotificationState
{
  std::string channel;
  std::string event;
  std::string severity; // warning | critical: of the last problem message
  bool active = true;   // false: the recovery was announced
  std::string first_sent_at;
  std::string last_sent_at;
  std::int64_t messages = 0;
  std::string summary;
};

// Every row of a channel (active or not).
std::vector<NotificationState> notification_states(Database& db, const std::string& channel);

// A problem or reminder was delivered: the episode starts (or goes on) at this severity.
void record_problem_sent(Database& db, const std::string& channel, const std::string& event,
                         const std::string& severity, const std::string& sent_at,
                         const std::string& summary);
// A recovery was delivered: the episode is over.
void record_recovery_sent(Database& db, const std::string& channel, const std::string& event,
                          const std::string& sent_at);

} // namespace lastgood::catalog
