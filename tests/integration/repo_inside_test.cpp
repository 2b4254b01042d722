// File repositories stay inside themselves, and odd names stay on one line:
// a symlink out of the repository is reported and never read, a newline in a
// key is printed escaped, and a base backup tar with a member that would land
// outside the data directory fails the structure level (issue 12, finding 6).

#include "tests/support/run_command.hpp"
#include "tests/support/temp_dir.hpp"

#include <filesystem>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <sstream>

namespace lastgood {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using testing::run_lastgood;
using testing::shell_quote;
using testing::TempDir;

std::vector<std::string> lines_of(const std::string& text)
{
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);)
    lines.push_back(line);
  return lines;
}

bool has_line(const std::string& text, const std::string& wanted)
{
  for (const auto& line : lines_of(text))
    if (line == wanted) return true;
  return false;
}

class RepoInside : public ::testing::Test
{
protected:
  void SetUp() override
  {
    if (testing::artifacts_dir().empty())
      GTEST_SKIP() << "LASTGOOD_ARTIFACTS not set (run through ctest)";
    m_catalog = "--catalog " + shell_quote((m_home.path() / "catalog.db").string()) + " ";
  }
  testing::CommandResult lastgood(const std::string& args)
  {
    return run_lastgood(m_catalog + args);
  }
  TempDir m_home;
  std::string m_catalog;
};

TEST_F(RepoInside, LinkOutOfTheRepositoryIsAProblemAndNewlineNamesStayOnOneLine)
{
  const auto dump = testing::read_file(testing::artifacts_dir() / "repo/dumps/shop.dump");
  TempDir repo, outside;
  repo.write("dumps/shop.dump", dump);
  repo.write("dumps/new\nline.dump", dump);
  repo.write("bad/odd\nname.dump", "not a dump");
  // A real dump outside: followed, it would be hashed and become a backup.
  const fs::path secret = outside.write("secret.dump", dump);
  fs::create_symlink(secret, repo.path() / "dumps" / "linked.dump");

  ASSERT_EQ(lastgood("repo add inside " + shell_quote(repo.path().string())).exit_code, 0);
  auto scan = lastgood("scan inside");
  EXPECT_EQ(scan.exit_code, 3) << scan.out << scan.err;
  EXPECT_TRUE(has_line(scan.out,
                       "  PROBLEM dumps/linked.dump: symlink to a path outside the repository: not "
                       "followed; move the file into the repository, or add ?follow_links=true "
                       "to the repository URL if links out of it are intended"))
      << scan.out;
  // Every line is the summary or an indented item: no name split a line.
  for (const auto& line : lines_of(scan.out))
    EXPECT_TRUE(line.starts_with("inside: ") || line.starts_with("  ")) << line << "\n" << scan.out;
  bool odd_reported = false;
  for (const auto& line : lines_of(scan.out))
    odd_reported = odd_reported || line.starts_with("  PROBLEM bad/odd\\nname.dump: ");
  EXPECT_TRUE(odd_reported) << scan.out;

  // Everything hashed is the two dumps inside: the link's target was never read.
  auto rehash = lastgood("scan inside --rehash --json");
  const auto summary = json::parse(rehash.out)["repositories"][0];
  EXPECT_EQ(summary["bytes_hashed"].get<std::uint64_t>(), 2 * dump.size() + 10) << rehash.out;

  auto list = lastgood("backups --json");
  ASSERT_EQ(list.exit_code, 0) << list.err;
  std::string newline_id;
  const auto listed = json::parse(list.out); // kept: the loop runs over a part of it
  for (const auto& b : listed["backups"]) {
    EXPECT_NE(b["location"], "dumps/linked.dump");
    if (b["location"] == "dumps/new\nline.dump")
      newline_id = b["id"].get<std::string>(); // JSON: the raw name
  }
  ASSERT_FALSE(newline_id.empty()) << list.out;

  auto show = lastgood("show " + newline_id);
  ASSERT_EQ(show.exit_code, 0) << show.err;
  EXPECT_NE(show.out.find("dumps/new\\nline.dump"), std::string::npos) << show.out;
  for (const auto& line : lines_of(show.out))
    EXPECT_FALSE(line.starts_with("line.dump")) << show.out;

  // A finding about the object names it escaped as well.
  auto damaged = dump;
  damaged[damaged.size() / 2] ^= 0x01;
  repo.write("dumps/new\nline.dump", damaged);
  auto verify = lastgood("verify " + newline_id + " --level checksum");
  EXPECT_EQ(verify.exit_code, 3) << verify.out << verify.err;
  EXPECT_NE(verify.out.find(" dumps/new\\nline.dump: "), std::string::npos) << verify.out;
  for (const auto& line : lines_of(verify.out))
    EXPECT_FALSE(line.starts_with("line.dump")) << verify.out;
}

TEST_F(RepoInside, StructureLevelFailsOnATarMemberOutsideTheDataDirectory)
{
  TempDir repo;
  const fs::path real = testing::artifacts_dir() / "repo/base/tar-1";
  fs::create_directories(repo.path() / "base");
  fs::copy(real, repo.path() / "base/tar-1", fs::copy_options::recursive);
  // pg_basebackup's own tar with one member appended that climbs out.
  const std::string base_tar = (repo.path() / "base/tar-1/base.tar").string();
  auto rewrite = testing::run_shell(
      "python3 - " + shell_quote((real / "base.tar").string()) + " " + shell_quote(base_tar) +
      " <<'EOF'\n"
      "import io, sys, tarfile\n"
      "with tarfile.open(sys.argv[1]) as src, tarfile.open(sys.argv[2], 'w') as dst:\n"
      "    for m in src.getmembers():\n"
      "        dst.addfile(m, src.extractfile(m) if m.isfile() else None)\n"
      "    data = b'evil\\n'\n"
      "    info = tarfile.TarInfo('../evil')\n"
      "    info.size = len(data)\n"
      "    dst.addfile(info, io.BytesIO(data))\n"
      "EOF\n");
  ASSERT_EQ(rewrite.exit_code, 0) << rewrite.err;

  ASSERT_EQ(lastgood("repo add evil " + shell_quote(repo.path().string())).exit_code, 0);
  auto scan = lastgood("scan evil --json");
  ASSERT_EQ(scan.exit_code, 0) << scan.out << scan.err;
  auto list = json::parse(lastgood("backups --json").out)["backups"];
  ASSERT_EQ(list.size(), 1u) << list;
  const std::string id = list[0]["id"];

  auto verify = lastgood("verify " + id + " --level structure --json");
  EXPECT_EQ(verify.exit_code, 3) << verify.out << verify.err;
  const auto run = json::parse(verify.out)["runs"][0];
  EXPECT_EQ(run["outcome"], "fail") << run;
  bool named = false;
  for (const auto& f : run["findings"])
    if (f["kind"] == "unsafe_member") {
      EXPECT_EQ(f["severity"], "failure") << f;
      EXPECT_EQ(f["subject"], "base/tar-1/base.tar") << f;
      EXPECT_EQ(f["detail"]["member"], "../evil") << f;
      EXPECT_NE(f["message"].get<std::string>().find("'../evil'"), std::string::npos) << f;
      named = true;
    }
  EXPECT_TRUE(named) << run;

  auto text = lastgood("verify " + id + " --level structure");
  EXPECT_EQ(text.exit_code, 3) << text.out;
  EXPECT_NE(text.out.find("unsafe_member base/tar-1/base.tar: 'base/tar-1/base.tar': member "
                          "'../evil' contains a '..' component"),
            std::string::npos)
      << text.out;
}

TEST_F(RepoInside, TheUnchangedTarPassesTheStructureLevel)
{
  TempDir repo;
  fs::create_directories(repo.path() / "base");
  fs::copy(testing::artifacts_dir() / "repo/base/tar-1", repo.path() / "base/tar-1",
           fs::copy_options::recursive);
  ASSERT_EQ(lastgood("repo add clean " + shell_quote(repo.path().string())).exit_code, 0);
  ASSERT_EQ(lastgood("scan clean").exit_code, 0);
  const std::string id = json::parse(lastgood("backups --json").out)["backups"][0]["id"];
  auto verify = lastgood("verify " + id + " --level structure");
  EXPECT_EQ(verify.exit_code, 0) << verify.out << verify.err;
}

} // namespace
} // namespace lastgood
