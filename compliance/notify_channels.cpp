#include "compliance/notify_channels.hpp"

#include "catalog/local_process.hpp"
#include "common/redact.hpp"
#include "compliance/smtp_mail.hpp"

#include <map>

namespace lastgood::compliance {

namespace {

int rank(EventSeverity s)
{
  return static_cast<int>(s);
}

// Sends one message; returns the error, empty when delivered.
std::string deliver(const ChannelRef& ref, const NotifyMessage& message,
                    const WebhookOptions& options)
{
  if (ref.kind == "email") {
    auto r = send_mail(*ref.channel, subject(message), plain_text(message));
    return r.delivered ? "" : r.error;
  }
  const auto body = ref.kind == "slack" ? slack_json(message) : teams_json(message);
  auto r = send_json(ref.channel->url, body, options);
  if (r.delivered) return "";
  return ref.kind + " webhook " + redact_webhook_url(ref.channel->url) + " not delivered after " +
         std::to_string(r.attempts) + " attempt(s): " + r.error;
}

// Events announced before and gone now (a stage that no longer errs): healthy.
// A scope missing from this run's verdicts keeps its state: the report may
// simply not have been judged.
std::vector<NotifyEvent>
with_ended_stage_events(std::vector<NotifyEvent> events,
                        const std::vector<catalog::NotificationState>& states)
{
  for (const auto& s : states) {
    if (!s.active || s.event.rfind("stage ", 0) != 0) continue;
    const bool present = std::any_of(events.begin(), events.end(),
                                     [&](const NotifyEvent& e) { return e.key == s.event; });
    if (present) continue;
    NotifyEvent e;
    e.key = s.event;
    e.title = "lastgood run, " + s.event;
    e.verdict = "OK";
    events.push_back(std::move(e));
  }
  return events;
}

} // namespace

std::vector<ChannelRef> configured_channels(const NotifyConfig& config)
{
  std::vector<ChannelRef> out;
  for (const auto& [kind, list] :
       {std::pair{"email", &config.email}, std::pair{"slack", &config.slack},
        std::pair{"teams", &config.teams}})
    for (std::size_t i = 0; i < list->size(); ++i) {
      const auto& c = (*list)[i];
      out.push_back({kind, c.name.empty() ? kind + std::to_string(i + 1) : c.name, &c});
    }
  return out;
}

std::optional<MessageKind> decide(const NotifyEvent& event,
                                  const std::optional<catalog::NotificationState>& last,
                                  const NotifyChannel& channel, TimePoint now)
{
  const bool announced = last && last->active;
  const bool worth_it = event.severity != EventSeverity::Ok &&
                        rank(event.severity) >= rank(severity_from_name(channel.min_severity));
  if (!worth_it) return announced ? std::optional(MessageKind::Recovered) : std::nullopt;
  if (!announced || last->severity != to_string(event.severity)) return MessageKind::Problem;
  if (now - parse_rfc3339(last->last_sent_at) >= channel.repeat_every) return MessageKind::Reminder;
  return std::nullopt;
}

std::vector<ChannelOutcome> announce(catalog::Database& db, const NotifyConfig& config,
                                     const std::vector<NotifyEvent>& events, TimePoint now,
                                     const WebhookOptions& webhook_options)
{
  std::vector<ChannelOutcome> outcomes;
  const auto host = catalog::this_host();
  const auto now_text = format_rfc3339(now);
  for (const auto& ref : configured_channels(config)) {
    ChannelOutcome outcome;
    outcome.kind = ref.kind;
    outcome.name = ref.name;
    std::map<std::string, catalog::NotificationState> last;
    const auto states = catalog::notification_states(db, ref.name);
    for (const auto& s : states)
      last[s.event] = s;
    for (const auto& event : with_ended_stage_events(events, states)) {
      const auto found = last.find(event.key);
      const auto previous = found == last.end() ? std::nullopt : std::optional(found->second);
      const auto kind = decide(event, previous, *ref.channel, now);
      if (!kind) {
        if (previous && previous->active) ++outcome.unchanged;
        continue;
      }
      NotifyMessage message{*kind, event, host, previous ? previous->first_sent_at : now_text,
                            previous ? previous->severity : ""};
      // After a failure the channel is not tried again this run: bounded time, retried next run.
      const auto error = outcome.error.empty() ? deliver(ref, message, webhook_options)
                                               : std::string("not tried after the first failure");
      outcome.messages.push_back(
          {{"event", event.key}, {"kind", to_string(*kind)}, {"delivered", error.empty()}});
      if (!error.empty()) {
        ++outcome.failed;
        if (outcome.error.empty()) outcome.error = redact(error);
        continue;
      }
      ++outcome.sent;
      if (*kind == MessageKind::Recovered)
        catalog::record_recovery_sent(db, ref.name, event.key, now_text);
      else
        catalog::record_problem_sent(db, ref.name, event.key, to_string(event.severity), now_text,
                                     redact(subject(message)));
    }
    outcomes.push_back(std::move(outcome));
  }
  return outcomes;
}

} // namespace lastgood::compliance
