#pragma once
// A private temporary directory removed (recursively) when it goes out of scope.

#include <filesystem>
#include <string>

namespace lastgood::testing {

class TempDir
{
public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::filesystem::path& path() const { return m_path; }
  // Writes content to path()/relative, creating parent directories.
  std::filesystem::path write(const std::string& relative, const std::string& content) const;

private:
  std::filesystem::path m_path;
};

// Directory of real artifacts made by tests/fixtures/make-artifacts
// (env LASTGOOD_ARTIFACTS); skips the current test when it is not set.
std::filesystem::path artifacts_dir();

// The repository the tests were built from (for files kept in it, e.g. docs/).
std::filesystem::path source_dir();

std::string read_file(const std::filesystem::path& path);

} // namespace lastgood::testing
