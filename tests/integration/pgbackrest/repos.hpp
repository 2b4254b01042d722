#pragma once
// The real pgBackRest repositories made by tests/fixtures/make-pgbackrest-repos
// (env LASTGOOD_PGBACKREST_REPOS) and their expected.json.

#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace lastgood::testing {

// Skips the current test when the fixture directory is not given.
std::filesystem::path pgbackrest_fixture_dir();
const nlohmann::json& pgbackrest_expected();
std::filesystem::path pgbackrest_repo(const std::string& name);
std::vector<std::string> pgbackrest_labels(const std::string& name);
std::string pgbackrest_passphrase();
// Copies a fixture repository into `to` (damage tests work on copies).
void copy_pgbackrest_repo(const std::string& name, const std::filesystem::path& to);
// Rewrites an info file (or manifest) with `from` replaced by `to` in one
// line and its backrest-checksum computed again, as pgBackRest would have
// written it: the change is a different fact, not damage.
void rewrite_pgbackrest_info_file(const std::filesystem::path& path, const std::string& from,
                                  const std::string& to);
// Flips one bit of the byte at `offset` of a file.
void flip_byte(const std::filesystem::path& file, std::uintmax_t offset);

} // namespace lastgood::testing
