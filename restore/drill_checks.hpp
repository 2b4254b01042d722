#pragma once
// The drill's judgements on one verification report, and its extra commands:
// which findings belong to the test restore and which to the data checks,
// whether the configured tables have rows, and running a [[drill.command]].

#include "common/config.hpp"
#include "restore/drill.hpp"
#include "verifier/verifier.hpp"

#include <chrono>
#include <string>
#include <vector>

namespace lastgood::restore {

// How long a [[drill.command]] may run before it is killed (a failed step).
inline constexpr std::chrono::seconds kDrillCommandTimeout{60};

// "kind subject: message" of the first failure or error, else the first note.
std::string first_problem(const std::vector<verifier::Finding>& findings,
                          const std::vector<std::string>& notes);

// The restore itself: every finding that is not a data check's.
DrillStep test_restore_step(const verifier::VerifyReport& report);

// User checks, amcheck and drift from the report, plus: each of `tables`
// ("name" or "schema.name") exists with rows; with no tables configured, the
// database holds at least one row.
DrillStep data_checks_step(const verifier::VerifyReport& report,
                           const std::vector<std::string>& tables, std::size_t user_checks);

// /bin/sh -c RUN with a timeout; passes on exit 0.
DrillStep command_step(const DrillCommand& command);

} // namespace lastgood::restore
