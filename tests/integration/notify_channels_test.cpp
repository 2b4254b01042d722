// Notification channels against real servers on loopback: mail through an
// aiosmtpd SMTP server (tests/support/smtp_receiver.py) with AUTH, plain and
// with STARTTLS and a certificate made by the test; Slack's and Teams' JSON
// through the HTTP receiver; and, through several `lastgood run`s, the
// deduplication, reminder, severity filter and "recovered" sequence. The SMTP
// password never appears in any output or in the catalog file.

#include "catalog/catalog.hpp"
#include "compliance/notify_channels.hpp"
#include "compliance/smtp_mail.hpp"
#include "tests/support/catalog_contents.hpp"
#include "tests/support/run_command.hpp"
#include "tests/support/smtp_receiver.hpp"
#include "tests/support/temp_dir.hpp"
#include "tests/support/webhook_receiver.hpp"

#include <filesystem>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace lastgood {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using testing::shell_quote;
using testing::SmtpReceiver;
using testing::TempDir;

const std::string kPassword = "SmtpPa55-w0rd";

bool aiosmtpd_installed()
{
  return testing::run_shell("/usr/bin/python3 -c 'import aiosmtpd' || python3 -c 'import aiosmtpd'")
             .exit_code == 0;
}

// A self-signed certificate for 127.0.0.1, and the file to trust it by.
struct Certificate
{
  Certificate()
  {
    auto r = testing::run_shell(
        "openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=localhost"
        " -addext subjectAltName=IP:127.0.0.1,DNS:localhost -keyout " +
        shell_quote(key().string()) + " -out " + shell_quote(cert().string()) + " 2>&1");
    if (r.exit_code != 0) throw std::runtime_error("openssl req failed: " + r.out);
  }
  fs::path cert() const { return dir.path() / "cert.pem"; }
  fs::path key() const { return dir.path() / "key.pem"; }
  TempDir dir;
};

NotifyChannel mail_channel(const SmtpReceiver& smtp)
{
  NotifyChannel c;
  c.url = smtp.smtp_url();
  c.from = "lastgood@db1.example.com";
  c.to = {"oncall@example.com", "dba@example.com"};
  c.username = "lastgood";
  c.password = kPassword;
  return c;
}

compliance::NotifyEvent failing_shop()
{
  compliance::NotifyEvent e;
  e.key = "database shop";
  e.title = "database shop";
  e.severity = compliance::EventSeverity::Critical;
  e.verdict = "FAIL";
  e.backup = "20261122T0200-shop-7f3a";
  e.problems = {"restore_tested FAIL: no passing test restore in 7d"};
  e.what_to_do = "test-restore it: lastgood verify --due, then lastgood history";
  return e;
}

class NotifyChannelsTest : public ::testing::Test
{
protected:
  void SetUp() override
  {
    if (!aiosmtpd_installed()) GTEST_SKIP() << "python3-aiosmtpd is not installed";
  }
};

TEST_F(NotifyChannelsTest, MailWithAuthOverPlainSmtp)
{
  SmtpReceiver smtp("--user lastgood --password " + kPassword);
  auto channel = mail_channel(smtp);
  channel.starttls = "off";
  auto r = compliance::send_mail(channel, "[lastgood] FAIL database shop", "Verdict: FAIL\nline 2");
  ASSERT_TRUE(r.delivered) << r.error;
  auto mails = smtp.requests();
  ASSERT_EQ(mails.size(), 1u);
  EXPECT_EQ(mails[0]["mail_from"], "lastgood@db1.example.com");
  EXPECT_EQ(mails[0]["rcpt_tos"], json({"oncall@example.com", "dba@example.com"}));
  EXPECT_EQ(mails[0]["auth_user"], "lastgood");
  EXPECT_EQ(mails[0]["tls"], false);
  const auto data = mails[0]["data"].get<std::string>();
  EXPECT_NE(data.find("Subject: [lastgood] FAIL database shop\r\n"), std::string::npos) << data;
  EXPECT_NE(data.find("From: lastgood@db1.example.com\r\n"), std::string::npos) << data;
  EXPECT_NE(data.find("To: oncall@example.com, dba@example.com\r\n"), std::string::npos) << data;
  EXPECT_NE(data.find("Date: "), std::string::npos) << data;
  EXPECT_NE(data.find("\r\n\r\nVerdict: FAIL\r\nline 2\r\n"), std::string::npos) << data;

  channel.password = "wrong-" + kPassword;
  auto denied = compliance::send_mail(channel, "x", "y");
  EXPECT_FALSE(denied.delivered);
  EXPECT_EQ(smtp.requests().size(), 1u);
  EXPECT_NE(denied.error.find("not sent"), std::string::npos) << denied.error;
  EXPECT_EQ(denied.error.find(kPassword), std::string::npos) << denied.error;
}

TEST_F(NotifyChannelsTest, MailOverStartTlsWithATrustedSelfSignedCertificate)
{
  Certificate certificate;
  SmtpReceiver smtp("--user lastgood --password " + kPassword + " --cert " +
                    shell_quote(certificate.cert().string()) + " --key " +
                    shell_quote(certificate.key().string()) + " --require-starttls");
  auto channel = mail_channel(smtp);
  channel.ca_file = certificate.cert().string();
  auto r = compliance::send_mail(channel, "over TLS", "body");
  ASSERT_TRUE(r.delivered) << r.error;
  auto mails = smtp.requests();
  ASSERT_EQ(mails.size(), 1u);
  EXPECT_EQ(mails[0]["tls"], true);
  EXPECT_EQ(mails[0]["auth_user"], "lastgood");

  // Not trusted: the certificate is refused, nothing is sent.
  channel.ca_file.clear();
  auto untrusted = compliance::send_mail(channel, "x", "y");
  EXPECT_FALSE(untrusted.delivered);
  EXPECT_EQ(smtp.requests().size(), 1u);
  EXPECT_EQ(untrusted.error.find(kPassword), std::string::npos) << untrusted.error;
}

TEST_F(NotifyChannelsTest, StartTlsRequiredRefusesAServerWithoutIt)
{
  SmtpReceiver smtp;
  auto channel = mail_channel(smtp);
  channel.username.clear();
  auto r = compliance::send_mail(channel, "x", "y");
  EXPECT_FALSE(r.delivered);
  EXPECT_NE(r.error.find("STARTTLS"), std::string::npos) << r.error;
  EXPECT_TRUE(smtp.requests().empty());
}

TEST_F(NotifyChannelsTest, SlackAndTeamsMessagesCarryVerdictScopeBackupAndWhatToDo)
{
  testing::WebhookReceiver slack, teams;
  TempDir home;
  auto catalog = catalog::Catalog::open((home.path() / "catalog.db").string());
  NotifyConfig config;
  config.slack.push_back({});
  config.slack[0].url = slack.base_url() + "/services/T0/B0/secret";
  config.teams.push_back({});
  config.teams[0].url = teams.base_url() + "/webhookb2/secret";
  auto outcomes = compliance::announce(catalog->db(), config, {failing_shop()},
                                       parse_rfc3339("2026-11-26T03:00:00Z"));
  ASSERT_EQ(outcomes.size(), 2u);
  for (const auto& o : outcomes)
    EXPECT_EQ(o.sent, 1) << o.error;

  ASSERT_EQ(slack.requests().size(), 1u);
  auto body = json::parse(slack.requests()[0]["body"].get<std::string>());
  EXPECT_EQ(body["text"], "[lastgood] FAIL database shop");
  const auto blocks = body["blocks"].dump();
  for (const auto* needle :
       {"*Verdict:* FAIL", "*Scope:* database shop", "*Backup:* 20261122T0200-shop-7f3a",
        "restore_tested FAIL", "*What to do:* test-restore it"})
    EXPECT_NE(blocks.find(needle), std::string::npos) << needle << "\n" << blocks;
  EXPECT_EQ(body["blocks"][0]["type"], "header");

  ASSERT_EQ(teams.requests().size(), 1u);
  auto card = json::parse(teams.requests()[0]["body"].get<std::string>());
  EXPECT_EQ(card["@type"], "MessageCard");
  EXPECT_EQ(card["themeColor"], "E01E5A");
  EXPECT_EQ(card["sections"][0]["facts"][2],
            json({{"name", "Backup"}, {"value", "20261122T0200-shop-7f3a"}}));

  // Severity changes are announced at once; the same severity waits for repeat_every.
  auto warn = failing_shop();
  warn.severity = compliance::EventSeverity::Warning;
  warn.verdict = "WARN";
  compliance::announce(catalog->db(), config, {failing_shop()},
                       parse_rfc3339("2026-11-26T04:00:00Z"));
  EXPECT_EQ(slack.requests().size(), 1u);
  compliance::announce(catalog->db(), config, {warn}, parse_rfc3339("2026-11-26T05:00:00Z"));
  ASSERT_EQ(slack.requests().size(), 2u);
  EXPECT_EQ(json::parse(slack.requests()[1]["body"].get<std::string>())["text"],
            "[lastgood] WARN database shop");
}

// Through `lastgood run`: a repository that is not there is a scan error (a
// warning event, "stage scan") and the empty catalog FAILs (a critical event,
// "catalog"). Mail for every warning, Slack only for critical.
class NotifyRunTest : public NotifyChannelsTest
{
protected:
  void SetUp() override
  {
    NotifyChannelsTest::SetUp();
    if (IsSkipped()) return;
    m_smtp = std::make_unique<SmtpReceiver>("--user lastgood --password " + kPassword);
    m_home.write("config.toml",
                 "[[repository]]\nname = \"r\"\nurl = " + json(repo().string()).dump() +
                     "\n[[notify.email]]\nname = \"oncall-mail\"\nurl = \"" + m_smtp->smtp_url() +
                     "\"\nstarttls = \"off\"\nfrom = \"lastgood@db1.example.com\"\n"
                     "to = [\"oncall@example.com\"]\nusername = \"lastgood\"\npassword = \"" +
                     kPassword + "\"\nrepeat_every = \"6h\"\n[[notify.slack]]\nurl = \"" +
                     m_slack.base_url() +
                     "/services/T0/B0/secret\"\nmin_severity = \"critical\"\n");
    ASSERT_EQ(lg("catalog init").exit_code, 0);
  }
  fs::path repo() const { return m_home.path() / "repo"; }
  testing::CommandResult lg(const std::string& args)
  {
    auto r =
        testing::run_lastgood("--catalog " + shell_quote(catalog_path()) + " --config " +
                              shell_quote((m_home.path() / "config.toml").string()) + " " + args);
    m_outputs += r.out + r.err;
    return r;
  }
  std::string catalog_path() const { return (m_home.path() / "catalog.db").string(); }
  std::vector<std::string> subjects() const
  {
    std::vector<std::string> out;
    for (const auto& m : m_smtp->requests()) {
      const auto data = m["data"].get<std::string>();
      const auto at = data.find("Subject: ");
      out.push_back(data.substr(at + 9, data.find("\r\n", at) - at - 9));
    }
    return out;
  }
  std::vector<std::string> slack_texts() const
  {
    std::vector<std::string> out;
    for (const auto& q : m_slack.requests())
      out.push_back(json::parse(q["body"].get<std::string>())["text"]);
    return out;
  }
  json notify_stage(const testing::CommandResult& r)
  {
    const auto doc = json::parse(r.out);
    for (const auto& s : doc["stages"])
      if (s["name"] == "notify") return s;
    return nullptr;
  }

  TempDir m_home;
  testing::WebhookReceiver m_slack;
  std::unique_ptr<SmtpReceiver> m_smtp;
  std::string m_outputs;
};

TEST_F(NotifyRunTest, ProblemsOnceThenReminderThenRecoveredAndThePasswordNowhere)
{
  // 1: both problems are new.
  auto first = lg("run --json");
  EXPECT_EQ(first.exit_code, 3) << first.out << first.err;
  EXPECT_EQ(notify_stage(first)["outcome"], "ok") << first.out;
  EXPECT_EQ(subjects(), (std::vector<std::string>{"[lastgood] FAIL the catalog",
                                                  "[lastgood] ERROR lastgood run, stage scan"}));
  EXPECT_EQ(slack_texts(), std::vector<std::string>{"[lastgood] FAIL the catalog"})
      << "min_severity critical: no warning to Slack";
  const auto mail = m_smtp->requests()[1]["data"].get<std::string>();
  EXPECT_NE(mail.find("Verdict: ERROR (warning)"), std::string::npos) << mail;
  EXPECT_NE(mail.find("does not exist"), std::string::npos) << mail;
  EXPECT_NE(mail.find("What to do: "), std::string::npos) << mail;

  // 2: nothing changed, nothing sent.
  auto second = lg("run --json");
  EXPECT_EQ(second.exit_code, 3);
  EXPECT_EQ(m_smtp->requests().size(), 2u);
  EXPECT_EQ(m_slack.requests().size(), 1u);
  EXPECT_EQ(notify_stage(second)["data"]["channels"][0]["unchanged"], 2) << second.out;

  // 3: as if 7 hours had passed: the mail channel (repeat_every 6h) is reminded, Slack (24h) not.
  {
    auto catalog = catalog::Catalog::open(catalog_path());
    catalog->db()
        .prepare("UPDATE notification_state SET last_sent_at = '2000-01-01T00:00:00Z'"
                 " WHERE channel = 'oncall-mail'")
        .run();
  }
  lg("run");
  ASSERT_EQ(m_smtp->requests().size(), 4u);
  EXPECT_EQ(subjects()[2].rfind("[lastgood] reminder: FAIL the catalog (since ", 0), 0)
      << subjects()[2];
  EXPECT_EQ(m_slack.requests().size(), 1u);

  // 4: the repository is there: the scan error is over (recovered), the empty catalog still fails.
  fs::create_directories(repo());
  auto fourth = lg("run --json");
  EXPECT_EQ(fourth.exit_code, 3) << fourth.out;
  ASSERT_EQ(m_smtp->requests().size(), 5u);
  EXPECT_EQ(subjects()[4], "[lastgood] RECOVERED lastgood run, stage scan (now OK)");
  EXPECT_EQ(m_slack.requests().size(), 1u);

  // 5: nothing new.
  lg("run");
  EXPECT_EQ(m_smtp->requests().size(), 5u);

  lg("config");
  EXPECT_NE(m_outputs.find("notify.email[0].password"), std::string::npos);
  EXPECT_EQ(m_outputs.find(kPassword), std::string::npos) << m_outputs;
  EXPECT_EQ(m_outputs.find("/services/T0/B0/secret"), std::string::npos) << m_outputs;
  const auto bytes = testing::catalog_contents(catalog_path());
  EXPECT_EQ(bytes.find(kPassword), std::string::npos) << "the password is in the catalog file";
  EXPECT_NE(bytes.find("oncall-mail"), std::string::npos) << "the state is in the catalog file";
}

} // namespace
} // namespace lastgood
