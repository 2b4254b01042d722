// The notify stage's channels ([[notify.email]], [[notify.slack]],
// [[notify.teams]]): every scope's verdict and every stage that could not do
// its job become events, announced with deduplication, reminders and
// recoveries (compliance/notify_channels). A message that could not be
// delivered makes the stage an error: it is tried again next run.

#include "common/time.hpp"
#include "compliance/notify_channels.hpp"
#include "compliance/report_facts.hpp"
#include "schedule/stages.hpp"

namespace lastgood::schedule {

namespace {

// Like `report` and the report stage: judged over the 30 days before now.
constexpr std::chrono::hours kJudgedPeriod{24 * 30};

std::vector<compliance::NotifyEvent> events_of_this_run(catalog::Database& db, const Config& config,
                                                        const std::vector<Stage>& before)
{
  const auto now = now_seconds();
  const auto facts = compliance::gather_facts(db, now, now - kJudgedPeriod);
  auto events = compliance::scope_events(compliance::judge(facts, config));
  for (const auto& s : before)
    if (s.outcome == StageOutcome::Error)
      events.push_back(compliance::stage_error_event(s.name, s.summary, s.details));
  return events;
}

} // namespace

bool has_notify_channels(const Config& config)
{
  return !compliance::configured_channels(config.notify).empty();
}

void announce_to_channels(Stage& stage, catalog::Database& db, const Config& config,
                          const std::vector<Stage>& before)
{
  const auto outcomes = compliance::announce(db, config.notify,
                                             events_of_this_run(db, config, before), now_seconds());
  nlohmann::json channels = nlohmann::json::array();
  int sent = 0, failed = 0, unchanged = 0;
  for (const auto& o : outcomes) {
    sent += o.sent;
    failed += o.failed;
    unchanged += o.unchanged;
    channels.push_back({{"kind", o.kind},
                        {"name", o.name},
                        {"sent", o.sent},
                        {"unchanged", o.unchanged},
                        {"failed", o.failed},
                        {"error", o.error.empty() ? nlohmann::json() : nlohmann::json(o.error)},
                        {"messages", o.messages}});
    if (!o.error.empty()) stage.details.push_back(o.kind + " " + o.name + ": " + o.error);
  }
  stage.data["channels"] = channels;
  const auto line =
      std::to_string(sent) + " message(s) to " + std::to_string(outcomes.size()) + " channel(s)" +
      (unchanged ? ", " + std::to_string(unchanged) + " already announced" : std::string()) +
      (failed ? ", " + std::to_string(failed) + " not delivered" : std::string());
  stage.summary = stage.summary.empty() ? line : stage.summary + "; " + line;
  if (failed) stage.outcome = StageOutcome::Error;
}

} // namespace lastgood::schedule
