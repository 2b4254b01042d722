#include "tests/integration/pgbackrest/repos.hpp"

#include "formats/pgbackrest/info_text.hpp"
#include "tests/support/temp_dir.hpp"

#include <cstdlib>
#include <fstream>
#include <gtest/gtest.h>
#include <sstream>

namespace lastgood::testing {

std::filesystem::path pgbackrest_fixture_dir()
{
  const char* dir = std::getenv("LASTGOOD_PGBACKREST_REPOS");
  if (dir == nullptr || *dir == '\0') {
    ADD_FAILURE() << "LASTGOOD_PGBACKREST_REPOS is not set (run through ctest: "
                     "fixture.make_pgbackrest_repos makes it)";
    return {};
  }
  return dir;
}

const nlohmann::json& pgbackrest_expected()
{
  static const nlohmann::json expected =
      nlohmann::json::parse(read_file(pgbackrest_fixture_dir() / "expected.json"));
  return expected;
}

std::filesystem::path pgbackrest_repo(const std::string& name)
{
  return pgbackrest_fixture_dir() / "repos" / name;
}

std::vector<std::string> pgbackrest_labels(const std::string& name)
{
  return pgbackrest_expected().at("repos").at(name).at("labels").get<std::vector<std::string>>();
}

std::string pgbackrest_passphrase()
{
  return pgbackrest_expected().at("passphrase").get<std::string>();
}

void copy_pgbackrest_repo(const std::string& name, const std::filesystem::path& to)
{
  std::filesystem::copy(pgbackrest_repo(name), to, std::filesystem::copy_options::recursive);
}

void rewrite_pgbackrest_info_file(const std::filesystem::path& path, const std::string& from,
                                  const std::string& to)
{
  namespace pgbr = formats::pgbackrest;
  std::string text = read_file(path);
  const auto at = text.find(from);
  ASSERT_NE(at, std::string::npos) << from << " not in " << path;
  text.replace(at, from.size(), to);
  std::vector<pgbr::InfoValue> values;
  std::string section, checksum_line;
  std::istringstream lines(text);
  for (std::string line; std::getline(lines, line);) {
    if (line.empty()) continue;
    if (line.front() == '[') {
      section = line.substr(1, line.size() - 2);
      continue;
    }
    const auto eq = line.find('=');
    if (line.starts_with("backrest-checksum=")) {
      checksum_line = line;
      continue;
    }
    values.push_back({section, line.substr(0, eq), line.substr(eq + 1)});
  }
  ASSERT_FALSE(checksum_line.empty());
  text.replace(text.find(checksum_line), checksum_line.size(),
               "backrest-checksum=\"" + pgbr::info_checksum(values) + "\"");
  std::ofstream(path, std::ios::binary | std::ios::trunc) << text;
  pgbr::parse_info_text(read_file(path), path.string()); // throws when the test got it wrong
}

void flip_byte(const std::filesystem::path& file, std::uintmax_t offset)
{
  std::fstream f(file, std::ios::in | std::ios::out | std::ios::binary);
  ASSERT_TRUE(f) << "cannot open " << file;
  f.seekg(static_cast<std::streamoff>(offset));
  char c = 0;
  f.get(c);
  f.seekp(static_cast<std::streamoff>(offset));
  f.put(static_cast<char>(c ^ 0x01));
  ASSERT_TRUE(f) << "cannot change " << file;
}

} // namespace lastgood::testing
