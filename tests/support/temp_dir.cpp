#include "tests/support/temp_dir.hpp"

#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace lastgood::testing {

TempDir::TempDir()
{
  std::string pattern = (std::filesystem::temp_directory_path() / "lastgood-test-XXXXXX").string();
  if (!mkdtemp(pattern.data())) throw std::runtime_error("mkdtemp failed");
  m_path = pattern;
}

TempDir::~TempDir()
{
  std::error_code ignored;
  // Tests make files unreadable on purpose; give permissions back before removing.
  for (auto it = std::filesystem::recursive_directory_iterator(
           m_path, std::filesystem::directory_options::skip_permission_denied, ignored);
       it != std::filesystem::recursive_directory_iterator(); it.increment(ignored)) {
    if (!it->is_symlink(ignored))
      std::filesystem::permissions(it->path(), std::filesystem::perms::owner_all,
                                   std::filesystem::perm_options::add, ignored);
  }
  std::filesystem::remove_all(m_path, ignored);
}

std::filesystem::path TempDir::write(const std::string& relative, const std::string& content) const
{
  auto target = m_path / relative;
  std::filesystem::create_directories(target.parent_path());
  std::ofstream out(target, std::ios::binary);
  out << content;
  if (!out) throw std::runtime_error("cannot write " + target.string());
  return target;
}

std::filesystem::path artifacts_dir()
{
  const char* dir = std::getenv("LASTGOOD_ARTIFACTS");
  if (!dir || !*dir) return {};
  return dir;
}

std::string read_file(const std::filesystem::path& path)
{
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + path.string());
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

std::filesystem::path source_dir() { return LASTGOOD_SOURCE_DIR; }

} // namespace lastgood::testing
