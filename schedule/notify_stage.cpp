// The notify stage: one message for the whole run, naming each stage that
// was not ok and what it found, through [notify] webhook. Nothing is sent
// when every stage was ok. A message that could not be delivered makes the
// stage an error: nobody would hear of the problems otherwise.

#include "common/redact.hpp"
#include "compliance/webhook.hpp"
#include "schedule/stages.hpp"

namespace lastgood::schedule {

namespace {

// Enough for a chat message to say what to look at; the rest is in the journal.
constexpr std::size_t kDetailsPerStage = 3;

std::string upper(std::string_view text)
{
  std::string out(text);
  for (auto& c : out)
    c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

std::string message_for(const std::vector<Stage>& stages)
{
  std::string text = "run found problems";
  for (const auto& s : stages) {
    if (s.outcome != StageOutcome::Problem && s.outcome != StageOutcome::Error) continue;
    text += "\n" + s.name + " " + upper(to_string(s.outcome)) + ": " + s.summary;
    for (std::size_t i = 0; i < s.details.size() && i < kDetailsPerStage; ++i)
      text += "\n  " + s.details[i];
    if (s.details.size() > kDetailsPerStage)
      text += "\n  ... and " + std::to_string(s.details.size() - kDetailsPerStage) + " more";
  }
  return redact(text);
}

} // namespace

static void webhook_stage(Stage& stage, const Config& config, const std::vector<Stage>& before)
{
  bool anything = false;
  for (const auto& s : before)
    anything = anything || s.outcome == StageOutcome::Problem || s.outcome == StageOutcome::Error;
  if (!anything) {
    stage.summary = "nothing to announce";
    stage.data = {{"sent", false}};
    return;
  }
  const auto r = compliance::notify(config.notify, message_for(before));
  stage.data = {{"sent", true},
                {"delivered", r.delivered},
                {"attempts", r.attempts},
                {"webhook", compliance::redact_webhook_url(config.notify.webhook)}};
  if (r.delivered) {
    stage.summary = "announced to " + compliance::redact_webhook_url(config.notify.webhook);
    return;
  }
  stage.outcome = StageOutcome::Error;
  stage.summary = "not delivered to " + compliance::redact_webhook_url(config.notify.webhook) +
                  " after " + std::to_string(r.attempts) + " attempt(s): " + r.error;
}

void notify_stage(Stage& stage, catalog::Database& db, const Config& config,
                  const std::vector<Stage>& before)
{
  const bool channels = has_notify_channels(config);
  if (config.notify.webhook.empty() && !channels) {
    stage.outcome = StageOutcome::Skipped;
    stage.summary = "no [notify] webhook or [[notify.*]] channel configured";
    return;
  }
  if (!config.notify.webhook.empty()) webhook_stage(stage, config, before);
  if (channels) announce_to_channels(stage, db, config, before);
}

} // namespace lastgood::schedule
