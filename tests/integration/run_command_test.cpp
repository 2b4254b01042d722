// lastgood run, the real binary over real dumps: every stage runs whatever the
// stages before it found (a junk file that makes scan a problem still leaves
// the dumps verified and the metrics and report written), the exit code is the
// worst stage's, and a scratch server that cannot be reached is an error of the
// verify stage only.

#include "tests/support/run_command.hpp"
#include "tests/support/temp_dir.hpp"
#include "tests/support/webhook_receiver.hpp"

#include <filesystem>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <nlohmann/json.hpp>
#include <random>
#include <sstream>
#include <sys/socket.h>
#include <thread>
#include <unistd.h>

namespace lastgood {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using testing::shell_quote;
using testing::TempDir;

// Targets no fixture dump can miss: this suite is about the run, not the verdicts.
const std::string kGenerousConfig = "[compliance]\nrpo = \"3650d\"\nverified_within = \"3650d\"\n";

std::string random_bytes(std::size_t n)
{
  std::mt19937 gen(20261125);
  std::string out(n, '\0');
  for (auto& c : out)
    c = static_cast<char>(gen() & 0xff);
  return out;
}

// A loopback port nobody listens on (bound to find a free one, then closed).
int closed_loopback_port()
{
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  socklen_t len = sizeof addr;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  ::close(fd);
  return ntohs(addr.sin_port);
}

class RunCommand : public ::testing::Test
{
protected:
  void SetUp() override
  {
    if (testing::artifacts_dir().empty())
      GTEST_SKIP() << "LASTGOOD_ARTIFACTS not set (run through ctest)";
    const auto dumps = testing::artifacts_dir() / "repo/dumps";
    for (const char* name : {"shop.dump", "inventory.dump"})
      m_repo.write(name, testing::read_file(dumps / name));
    write_config(kGenerousConfig);
    ASSERT_EQ(lastgood("repo add r " + shell_quote(m_repo.path().string())).exit_code, 0);
  }
  void write_config(const std::string& text) { m_home.write("config.toml", text); }
  testing::CommandResult lastgood(const std::string& args)
  {
    return testing::run_lastgood(
        "--catalog " + shell_quote((m_home.path() / "catalog.db").string()) + " --config " +
        shell_quote((m_home.path() / "config.toml").string()) + " " + args);
  }
  std::string out_path(const std::string& name) const { return (m_out.path() / name).string(); }
  json restore_runs()
  {
    json runs = json::array();
    const auto history = json::parse(lastgood("history --json").out);
    for (const auto& r : history["runs"])
      if (r["level"] == "restore") runs.push_back(r);
    return runs;
  }

  TempDir m_home, m_repo, m_out;
};

const json* stage(const json& run, const std::string& name)
{
  for (const auto& s : run["stages"])
    if (s["name"] == name) return &s;
  return nullptr;
}

TEST_F(RunCommand, JunkFileIsAProblemYetTheDumpsAreVerifiedAndEverythingWritten)
{
  m_repo.write("junk.dump", random_bytes(64 * 1024));
  auto r = lastgood("run --metrics " + shell_quote(out_path("m.prom")) + " --report " +
                    shell_quote(out_path("r.json")) + " --report-format json");
  EXPECT_EQ(r.exit_code, 3) << r.out << r.err;
  for (const char* line : {"scan     PROBLEM", "verify   OK", "metrics  OK", "report   OK",
                           "notify   SKIPPED", "run: PROBLEM"})
    EXPECT_NE(r.out.find(line), std::string::npos) << "missing '" << line << "' in\n" << r.out;
  EXPECT_NE(r.out.find("junk.dump"), std::string::npos) << "the scan problem is named\n" << r.out;

  const auto runs = restore_runs();
  ASSERT_EQ(runs.size(), 2u) << "one test restore per database (shop, inventory)";
  for (const auto& run : runs) {
    EXPECT_EQ(run["outcome"], "pass") << run.dump();
    EXPECT_EQ(run["trigger"], "due") << "run verifies what verify --due would";
  }
  const auto metrics = testing::read_file(out_path("m.prom"));
  EXPECT_NE(metrics.find("restore_verification_total"), std::string::npos) << metrics;
  const auto report = json::parse(testing::read_file(out_path("r.json")));
  EXPECT_TRUE(report.is_object());
  for (const auto& entry : fs::directory_iterator(m_out.path()))
    EXPECT_EQ(entry.path().string().find(".tmp."), std::string::npos)
        << "written atomically: no temporary file left " << entry.path();
}

TEST_F(RunCommand, CleanRepositoryIsAllGoodThenNothingIsDue)
{
  auto r = lastgood("run --json --metrics " + shell_quote(out_path("m.prom")) + " --report " +
                    shell_quote(out_path("r.html")) + " --report-format html");
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  const auto run = json::parse(r.out);
  std::vector<std::string> names, outcomes;
  for (const auto& s : run["stages"]) {
    names.push_back(s["name"]);
    outcomes.push_back(s["outcome"]);
    EXPECT_GE(s["seconds"].get<double>(), 0.0);
  }
  EXPECT_EQ(names, (std::vector<std::string>{"scan", "verify", "metrics", "report", "notify"}));
  EXPECT_EQ(outcomes, (std::vector<std::string>{"ok", "ok", "ok", "ok", "skipped"})) << r.out;
  EXPECT_EQ(run["outcome"], "ok");
  EXPECT_EQ(run["exit_code"], 0);
  std::size_t restores = 0;
  for (const auto& v : (*stage(run, "verify"))["data"]["runs"])
    restores += v["level"] == "restore" && v["outcome"] == "pass";
  EXPECT_EQ(restores, 2u) << r.out;
  EXPECT_NE(testing::read_file(out_path("r.html")).find("<html"), std::string::npos);

  auto again = lastgood("run --json");
  ASSERT_EQ(again.exit_code, 0) << again.out << again.err;
  const auto second = json::parse(again.out);
  EXPECT_EQ((*stage(second, "verify"))["summary"], "nothing is due") << again.out;
  EXPECT_EQ((*stage(second, "metrics"))["outcome"], "skipped") << "no --metrics given";
  // Without --report the verdict is still judged: it decides the exit code.
  EXPECT_EQ((*stage(second, "report"))["outcome"], "ok") << again.out;
  EXPECT_EQ(restore_runs().size(), 2u);
}

TEST_F(RunCommand, UnreachableScratchIsAVerifyErrorAndTheMetricsAreStillWritten)
{
  // Proven once, and due again at once: the next run's test restores cannot be
  // done, while the evidence so far keeps the report compliant.
  write_config(kGenerousConfig + "[verify]\nrestore_every = \"1s\"\n");
  ASSERT_EQ(lastgood("run").exit_code, 0);
  std::this_thread::sleep_for(std::chrono::seconds(2));
  // A loopback port nothing listens on: the connection is refused at once.
  auto r = lastgood("run --json --scratch 'host=127.0.0.1 port=1 dbname=postgres "
                    "connect_timeout=5' --metrics " +
                    shell_quote(out_path("m.prom")));
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  const auto run = json::parse(r.out);
  EXPECT_EQ((*stage(run, "scan"))["outcome"], "ok") << r.out;
  EXPECT_EQ((*stage(run, "verify"))["outcome"], "error") << r.out;
  EXPECT_EQ((*stage(run, "metrics"))["outcome"], "ok") << r.out;
  EXPECT_EQ((*stage(run, "report"))["outcome"], "ok") << r.out;
  EXPECT_EQ(run["outcome"], "error");
  EXPECT_TRUE(fs::exists(out_path("m.prom")));
  EXPECT_NE(testing::read_file(out_path("m.prom")).find("lastgood_"), std::string::npos);
}

TEST_F(RunCommand, ProblemsAreAnnouncedOnceThroughTheWebhook)
{
  testing::WebhookReceiver receiver;
  write_config(kGenerousConfig + "[notify]\nwebhook = \"" + receiver.base_url() + "/hook\"\n");
  m_repo.write("junk.dump", random_bytes(4096));
  auto r = lastgood("run --json");
  EXPECT_EQ(r.exit_code, 3) << r.out << r.err;
  EXPECT_EQ((*stage(json::parse(r.out), "notify"))["outcome"], "ok") << r.out;
  const auto requests = receiver.requests();
  ASSERT_EQ(requests.size(), 1u) << "one message for the whole run";
  const auto text = json::parse(requests[0]["body"].get<std::string>())["text"].get<std::string>();
  EXPECT_NE(text.find("scan PROBLEM"), std::string::npos) << text;
  EXPECT_NE(text.find("junk.dump"), std::string::npos) << text;
  EXPECT_EQ(text.find("verify"), std::string::npos) << "verify was ok: not announced\n" << text;
}

TEST_F(RunCommand, UndeliverableNotificationIsAnErrorYetTheProblemDecidesTheExitCode)
{
  const int port = closed_loopback_port();
  write_config(kGenerousConfig + "[notify]\nwebhook = \"http://127.0.0.1:" + std::to_string(port) +
               "/hook\"\n");
  m_repo.write("junk.dump", random_bytes(4096));
  auto r = lastgood("run --json --metrics " + shell_quote(out_path("m.prom")));
  EXPECT_EQ(r.exit_code, 3) << "a problem outranks a stage that could not run\n" << r.out;
  const auto run = json::parse(r.out);
  EXPECT_EQ((*stage(run, "notify"))["outcome"], "error") << r.out;
  EXPECT_EQ((*stage(run, "metrics"))["outcome"], "ok") << r.out;
}

TEST(RunCommandUsage, MistakesAreExit2BeforeAnythingRan)
{
  TempDir home;
  const auto catalog = "--catalog " + shell_quote((home.path() / "c.db").string()) + " ";
  ASSERT_EQ(
      testing::run_lastgood(catalog + "repo add r " + shell_quote(home.path().string())).exit_code,
      0);
  EXPECT_EQ(testing::run_lastgood(catalog + "run --report-format pdf").exit_code, 2);
  auto budget = testing::run_lastgood(catalog + "run --budget soon");
  EXPECT_EQ(budget.exit_code, 2) << budget.err;
  EXPECT_NE(budget.err.find("--budget"), std::string::npos) << budget.err;
  EXPECT_EQ(budget.out.find("scan"), std::string::npos) << "no stage ran\n" << budget.out;

  ASSERT_EQ(testing::run_lastgood(catalog + "repo remove r").exit_code, 0);
  auto none = testing::run_lastgood(catalog + "run");
  EXPECT_EQ(none.exit_code, 2) << none.out << none.err;
  EXPECT_NE(none.err.find("no repositories registered"), std::string::npos) << none.err;
}

// run --loop: a worker that stays up runs again after --every and stops
// cleanly (exit 0) on SIGTERM between runs; what the first run verified is
// not verified again by the second (nothing is due).
TEST_F(RunCommand, LoopRunsAgainAndStopsOnSigterm)
{
  const auto out = out_path("loop.jsonl");
  const std::string command = testing::shell_quote(testing::lastgood_binary()) + " --catalog " +
                              shell_quote((m_home.path() / "catalog.db").string()) + " --config " +
                              shell_quote((m_home.path() / "config.toml").string()) +
                              " run --loop --every 1s --json";
  auto r = testing::run_shell(command + " >" + shell_quote(out) +
                              " & p=$!\n"
                              "for i in $(seq 3000); do\n"
                              "  [ \"$(wc -l <" +
                              shell_quote(out) +
                              ")\" -ge 2 ] && break\n"
                              "  kill -0 $p 2>/dev/null || break\n"
                              "  sleep 0.1\n"
                              "done\n"
                              "kill -TERM $p; wait $p; echo \"exit=$?\"");
  EXPECT_NE(r.out.find("exit=0"), std::string::npos) << r.out << r.err;
  std::istringstream lines(testing::read_file(out));
  std::vector<json> runs;
  for (std::string line; std::getline(lines, line);)
    runs.push_back(json::parse(line));
  ASSERT_GE(runs.size(), 2u) << testing::read_file(out);
  for (const auto& run : runs)
    EXPECT_EQ(run["outcome"], "ok") << run.dump();
  EXPECT_EQ((*stage(runs[1], "verify"))["summary"], "nothing is due") << runs[1].dump();
  EXPECT_EQ(restore_runs().size(), 2u) << "one test restore per database, once";

  auto every_alone = lastgood("run --every 1s");
  EXPECT_EQ(every_alone.exit_code, 2) << every_alone.err;
  EXPECT_NE(every_alone.err.find("--every requires --loop"), std::string::npos) << every_alone.err;
}

} // namespace
} // namespace lastgood
