// parse_fault_plan: the text of LASTGOOD_TEST_FAULTS into FaultRules.

#include "common/error.hpp"
#include "storage/fault_storage.hpp"

#include <charconv>

namespace lastgood::storage {

namespace {

constexpr std::string_view kPlanHelp =
    "expected rules like 'op=write,key=*.dump*,fault=enospc,at_byte=65536' separated by ';' "
    "(op=read|write|stat|list|remove; fault=enospc|eio|short_write|slow_read; optional key, "
    "at_byte, at_call, delay_ms, chunk)";

[[noreturn]] void refuse(std::string_view plan, const std::string& why)
{
  throw UsageError(std::string(kTestFaultsVariable) + "='" + std::string(plan) + "': " + why +
                   "; " + std::string(kPlanHelp));
}

std::uint64_t number(std::string_view plan, std::string_view name, std::string_view text)
{
  std::uint64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || text.empty())
    refuse(plan, std::string(name) + " must be a whole number, not '" + std::string(text) + "'");
  return value;
}

FaultOperation operation_named(std::string_view plan, std::string_view name)
{
  if (name == "read") return FaultOperation::Read;
  if (name == "write") return FaultOperation::Write;
  if (name == "stat") return FaultOperation::Stat;
  if (name == "list") return FaultOperation::List;
  if (name == "remove") return FaultOperation::Remove;
  refuse(plan, "unknown op '" + std::string(name) + "'");
}

FaultKind kind_named(std::string_view plan, std::string_view name)
{
  if (name == "enospc") return FaultKind::NoSpace;
  if (name == "eio") return FaultKind::Io;
  if (name == "short_write") return FaultKind::ShortWrite;
  if (name == "slow_read") return FaultKind::SlowRead;
  refuse(plan, "unknown fault '" + std::string(name) + "'");
}

std::vector<std::string_view> split(std::string_view text, char separator)
{
  std::vector<std::string_view> parts;
  while (true) {
    const std::size_t at = text.find(separator);
    parts.push_back(text.substr(0, at));
    if (at == std::string_view::npos) return parts;
    text.remove_prefix(at + 1);
  }
}

FaultRule parse_rule(std::string_view plan, std::string_view text)
{
  FaultRule rule;
  bool have_op = false, have_fault = false;
  for (const auto field : split(text, ',')) {
    const std::size_t eq = field.find('=');
    if (eq == std::string_view::npos) refuse(plan, "'" + std::string(field) + "' has no '='");
    const auto name = field.substr(0, eq);
    const auto value = field.substr(eq + 1);
    if (name == "op") {
      rule.operation = operation_named(plan, value);
      have_op = true;
    } else if (name == "fault") {
      rule.kind = kind_named(plan, value);
      have_fault = true;
    } else if (name == "key") {
      rule.key_pattern = std::string(value);
    } else if (name == "at_byte") {
      rule.at_byte = number(plan, name, value);
    } else if (name == "at_call") {
      rule.at_call = number(plan, name, value);
      if (rule.at_call == 0) refuse(plan, "at_call counts from 1");
    } else if (name == "delay_ms") {
      rule.delay = std::chrono::milliseconds(number(plan, name, value));
    } else if (name == "chunk") {
      rule.chunk = number(plan, name, value);
      if (rule.chunk == 0) refuse(plan, "chunk must be at least 1");
    } else {
      refuse(plan, "unknown field '" + std::string(name) + "'");
    }
  }
  if (!have_op || !have_fault) refuse(plan, "every rule needs op= and fault=");
  if (rule.kind == FaultKind::ShortWrite && rule.operation != FaultOperation::Write)
    refuse(plan, "short_write applies to op=write only");
  if (rule.kind == FaultKind::SlowRead && rule.operation != FaultOperation::Read)
    refuse(plan, "slow_read applies to op=read only");
  return rule;
}

} // namespace

std::vector<FaultRule> parse_fault_plan(std::string_view plan)
{
  std::vector<FaultRule> rules;
  for (const auto text : split(plan, ';'))
    if (!text.empty()) rules.push_back(parse_rule(plan, text));
  if (rules.empty()) refuse(plan, "no rule given");
  return rules;
}

} // namespace lastgood::storage
