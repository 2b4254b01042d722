#include "common/error.hpp"
#include "pg/child_process.hpp"

#include <gtest/gtest.h>
#include <pwd.h>
#include <unistd.h>

namespace lastgood::pg {
namespace {

using namespace std::chrono_literals;
using namespace std::string_literals;

ProcessResult run(std::vector<std::string> argv, std::size_t limit = 1 << 20)
{
  return run_process({.argv = std::move(argv), .output_limit = limit});
}

TEST(ChildProcess, ReportsExitCodesAndCapturesBothStreams)
{
  ProcessResult ok = run({"sh", "-c", "echo out; echo err >&2"});
  EXPECT_EQ(ok.exit_code, 0);
  EXPECT_FALSE(ok.timed_out);
  EXPECT_EQ(ok.out, "out\n");
  EXPECT_EQ(ok.err, "err\n");

  EXPECT_EQ(run({"sh", "-c", "exit 3"}).exit_code, 3);
  EXPECT_EQ(run({"false"}).exit_code, 1);
  ProcessResult killed = run({"sh", "-c", "kill -9 $$"});
  EXPECT_EQ(killed.exit_code, 128 + 9);
  EXPECT_EQ(killed.term_signal, 9);
}

TEST(ChildProcess, StdinIsDevNull)
{
  ProcessResult r = run({"cat"});
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_EQ(r.out, "");
}

TEST(ChildProcess, LargeOutputsKeepHeadAndTailWithinTheLimit)
{
  // Both streams at once, far beyond a pipe buffer: must not deadlock.
  ProcessResult r = run({"sh", "-c",
                         "head -c 5000000 /dev/zero; echo END; head -c 3000000 /dev/zero >&2; "
                         "echo ERR-END >&2"},
                        64 * 1024);
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_LE(r.out.size(), 64u * 1024);
  EXPECT_GE(r.out.size(), 60u * 1024);
  EXPECT_EQ(r.out.substr(0, 16), std::string(16, '\0'));
  EXPECT_TRUE(r.out.ends_with("\0END\n"s)) << r.out.substr(r.out.size() - 10);
  EXPECT_NE(r.out.find("bytes left out"), std::string::npos);
  EXPECT_LE(r.err.size(), 64u * 1024);
  EXPECT_TRUE(r.err.ends_with("ERR-END\n"));
}

TEST(ChildProcess, OutputWithinTheLimitIsKeptWhole)
{
  ProcessResult r = run({"sh", "-c", "seq 1 20000"});
  ASSERT_EQ(r.exit_code, 0);
  EXPECT_EQ(r.out.size(), 108894u); // the bytes of "1\n" ... "20000\n"
  EXPECT_TRUE(r.out.starts_with("1\n2\n"));
  EXPECT_TRUE(r.out.ends_with("\n20000\n"));
}

TEST(ChildProcess, TimeoutKillsTheProcessGroupQuickly)
{
  auto started = std::chrono::steady_clock::now();
  // The grandchild (sleep under sh) must die too, or it would hold the pipes.
  ProcessResult r = run_process({.argv = {"sh", "-c", "sleep 30; echo never"}, .timeout = 200ms});
  auto took = std::chrono::steady_clock::now() - started;
  EXPECT_TRUE(r.timed_out);
  EXPECT_NE(r.exit_code, 0);
  EXPECT_EQ(r.out, "");
  EXPECT_LT(took, 3s);
  EXPECT_GE(took, 190ms);
  EXPECT_NE(describe_failure(r, "sleep").find("timed out"), std::string::npos);
}

TEST(ChildProcess, TimeoutEscalatesToSigkill)
{
  auto started = std::chrono::steady_clock::now();
  ProcessResult r = run_process(
      {.argv = {"sh", "-c", "trap '' TERM; while :; do sleep 0.05; done"}, .timeout = 100ms});
  EXPECT_TRUE(r.timed_out);
  EXPECT_EQ(r.term_signal, 9);
  EXPECT_LT(std::chrono::steady_clock::now() - started, 5s);
}

TEST(ChildProcess, MissingProgramIsAClearError)
{
  try {
    run_process({.argv = {"pg_restore"}, .env = {{"PATH", "/nonexistent"}}});
    FAIL() << "expected an Error";
  } catch (const Error& e) {
    EXPECT_STREQ(e.what(), "pg_restore not found: install postgresql-client or put it on PATH");
  }
  EXPECT_THROW(run({"/nonexistent/lastgood-no-such-program"}), Error);
  EXPECT_THROW(run({"lastgood-no-such-program"}), Error);
  EXPECT_THROW(run({}), Error);
}

TEST(ChildProcess, BadWorkingDirectoryIsAnError)
{
  EXPECT_THROW(run_process({.argv = {"true"}, .cwd = "/nonexistent/dir"}), Error);
  ProcessResult r = run_process({.argv = {"pwd"}, .cwd = "/"});
  EXPECT_EQ(r.out, "/\n");
}

TEST(ChildProcess, PassesAndOverridesEnvironment)
{
  ::setenv("LASTGOOD_TEST_INHERITED", "inherited", 1);
  ::setenv("LASTGOOD_TEST_OVERRIDDEN", "old", 1);
  ProcessResult r = run_process(
      {.argv = {"sh", "-c",
                "echo $LASTGOOD_TEST_INHERITED $LASTGOOD_TEST_OVERRIDDEN $LASTGOOD_TEST_NEW"},
       .env = {{"LASTGOOD_TEST_OVERRIDDEN", "new"}, {"LASTGOOD_TEST_NEW", "added value"}}});
  EXPECT_EQ(r.out, "inherited new added value\n");
  ::unsetenv("LASTGOOD_TEST_INHERITED");
  ::unsetenv("LASTGOOD_TEST_OVERRIDDEN");
}

TEST(ChildProcess, InheritsNoExtraDescriptors)
{
  ProcessResult r = run({"sh", "-c", "ls /proc/self/fd"});
  ASSERT_EQ(r.exit_code, 0);
  // 0, 1, 2 and the one ls opens for reading the directory.
  EXPECT_EQ(r.out, "0\n1\n2\n3\n");
}

TEST(ChildProcess, RunsAsAnotherUserWhenRoot)
{
  if (::geteuid() != 0)
    GTEST_SKIP() << "switching users needs root; running as uid " << ::geteuid();
  ProcessResult r = run_process({.argv = {"id", "-un"}, .run_as_user = "postgres", .cwd = "/"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "postgres\n");
  r = run_process(
      {.argv = {"sh", "-c", "echo $HOME $USER"}, .run_as_user = "postgres", .cwd = "/"});
  EXPECT_EQ(r.out.substr(r.out.find(' ')), " postgres\n");
  EXPECT_THROW(run_process({.argv = {"true"}, .run_as_user = "lastgood-no-such-user"}), Error);
}

TEST(ChildProcess, RunAsSelfIsAllowedWithoutRoot)
{
  if (::geteuid() == 0) GTEST_SKIP() << "covers non-root runs; running as root";
  const passwd* me = ::getpwuid(::geteuid());
  ASSERT_NE(me, nullptr);
  ProcessResult r = run_process({.argv = {"id", "-u"}, .run_as_user = me->pw_name});
  EXPECT_EQ(r.exit_code, 0);
}

TEST(ChildProcess, FindsPostgresPrograms)
{
  std::string initdb = find_pg_program("initdb");
  EXPECT_TRUE(initdb.ends_with("/initdb")) << initdb;
  EXPECT_EQ(::access(initdb.c_str(), X_OK), 0);
  EXPECT_EQ(find_pg_program("initdb"), initdb); // cached
  EXPECT_THROW(find_pg_program("lastgood-no-such-program"), Error);
  EXPECT_THROW(find_pg_program("../bin/sh"), Error);
}

TEST(ChildProcess, FindPgProgramPrefersLastgoodPgBindir)
{
  ::setenv("LASTGOOD_PG_BINDIR", "/bin", 1);
  EXPECT_EQ(find_pg_program("sh"), "/bin/sh");
  ::unsetenv("LASTGOOD_PG_BINDIR");
}

TEST(ChildProcess, DescribeFailureSummarisesAndKeepsTheLastLines)
{
  ProcessResult r;
  r.exit_code = 2;
  for (int i = 1; i <= 30; ++i)
    r.err += "line " + std::to_string(i) + "\n";
  r.err += "could not connect: host=h password=hunter2\n";
  std::string text = describe_failure(r, "pg_restore of shop");
  EXPECT_TRUE(text.starts_with("pg_restore of shop failed with exit code 2:\n")) << text;
  EXPECT_EQ(text.find("line 11\n"), std::string::npos);
  EXPECT_NE(text.find("  line 12\n"), std::string::npos);
  EXPECT_EQ(text.find("hunter2"), std::string::npos);
  EXPECT_NE(text.find("password=********"), std::string::npos);

  ProcessResult quiet;
  quiet.exit_code = 1;
  EXPECT_EQ(describe_failure(quiet, "psql"), "psql failed with exit code 1");
}

} // namespace
} // namespace lastgood::pg
