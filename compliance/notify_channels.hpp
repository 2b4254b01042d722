#pragma once
// Announcing events through [[notify.email]], [[notify.slack]] and
// [[notify.teams]], each channel remembering in the catalog what it was told
// (catalog/notification_state): a problem at min_severity or worse is sent
// once, again when its severity changes or repeat_every has passed (a
// reminder), and a "recovered" message once it is over. Never throws for a
// channel that cannot be reached: that is a failed delivery, retried next run.
//
// Crash safety: each delivery is recorded in its own statement right after it
// succeeds. A run killed between a delivery and its record sends that one
// message again next run (at least once); nothing is lost, nothing else repeats.

#include "catalog/notification_state.hpp"
#include "common/config.hpp"
#include "common/time.hpp"
#include "compliance/notify_message.hpp"
#include "compliance/webhook.hpp"

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

namespace lastgood::compliance {

// One configured channel: its kind (email | slack | teams) and its name in the catalog.
struct ChannelRef
{
  std::string kind;
  std::string name; // [[notify.*]] name, else kind and position: "slack1"
  const NotifyChannel* channel = nullptr;
};

std::vector<ChannelRef> configured_channels(const NotifyConfig& config);

// What a channel should be sent about an event, given what it was last sent (nullopt: nothing).
std::optional<MessageKind> decide(const NotifyEvent& event,
                                  const std::optional<catalog::NotificationState>& last,
                                  const NotifyChannel& channel, TimePoint now);

struct ChannelOutcome
{
  std::string kind, name;
  int sent = 0;
  int unchanged = 0; // problems already announced, not yet due for a reminder
  int failed = 0;    // not delivered (or not tried after the channel's first failure)
  std::string error; // the first failure, secrets masked
  nlohmann::json messages = nlohmann::json::array(); // {"event", "kind", "delivered"}
};

std::vector<ChannelOutcome> announce(catalog::Database& db, const NotifyConfig& config,
                                     const std::vector<NotifyEvent>& events, TimePoint now,
                                     const WebhookOptions& webhook_options = {});

} // namespace lastgood::compliance
