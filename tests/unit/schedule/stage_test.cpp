// Stages of a scheduled run: how outcomes combine into the exit code, and a
// stage that throws becomes an error instead of stopping the run.

#include "common/error.hpp"
#include "schedule/stage.hpp"

#include <gtest/gtest.h>

namespace lastgood::schedule {
namespace {

TEST(StageOutcome, ProblemOutranksErrorOutranksOkOutranksSkipped)
{
  using O = StageOutcome;
  EXPECT_EQ(worse(O::Ok, O::Skipped), O::Ok);
  EXPECT_EQ(worse(O::Skipped, O::Ok), O::Ok);
  EXPECT_EQ(worse(O::Skipped, O::Skipped), O::Skipped);
  EXPECT_EQ(worse(O::Ok, O::Error), O::Error);
  EXPECT_EQ(worse(O::Error, O::Problem), O::Problem);
  EXPECT_EQ(worse(O::Problem, O::Error), O::Problem);
  EXPECT_EQ(worse(O::Problem, O::Skipped), O::Problem);
}

TEST(StageOutcome, ExitCodesFollowTheContract)
{
  EXPECT_EQ(exit_code_of(StageOutcome::Ok), 0);
  EXPECT_EQ(exit_code_of(StageOutcome::Skipped), 0);
  EXPECT_EQ(exit_code_of(StageOutcome::Problem), 3);
  EXPECT_EQ(exit_code_of(StageOutcome::Error), 1);
}

TEST(RunStage, AnExceptionIsAnErrorWithItsMessageRedacted)
{
  auto s = run_stage("verify", [](Stage&) {
    throw DatabaseError("could not connect to host=db password=hunter2");
  });
  EXPECT_EQ(s.name, "verify");
  EXPECT_EQ(s.outcome, StageOutcome::Error);
  EXPECT_NE(s.summary.find("could not connect"), std::string::npos) << s.summary;
  EXPECT_EQ(s.summary.find("hunter2"), std::string::npos) << s.summary;
  EXPECT_GE(s.seconds, 0.0);
}

TEST(RunStage, WhatTheBodyConcludedIsKept)
{
  auto s = run_stage("scan", [](Stage& st) {
    st.outcome = StageOutcome::Problem;
    st.summary = "1 problem";
    st.details.push_back("r: junk.dump: not a pg_dump archive");
  });
  const auto j = to_json(s);
  EXPECT_EQ(j["outcome"], "problem");
  EXPECT_EQ(j["summary"], "1 problem");
  EXPECT_EQ(j["details"].size(), 1u);
}

} // namespace
} // namespace lastgood::schedule
