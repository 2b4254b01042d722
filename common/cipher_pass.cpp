#include "common/cipher_pass.hpp"

#include "common/error.hpp"

#include <cctype>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>

namespace lastgood {

std::string cipher_pass_variable(const std::string& repository)
{
  std::string name = "LASTGOOD_CIPHER_PASS_";
  for (unsigned char c : repository)
    name += std::isalnum(c) ? static_cast<char>(std::toupper(c)) : '_';
  return name;
}

std::optional<std::string> repository_cipher_pass(const Config& config,
                                                  const std::string& repository)
{
  for (const auto& r : config.repositories) {
    if (r.name != repository || r.cipher_pass_file.empty()) continue;
    std::ifstream in(r.cipher_pass_file);
    std::string line;
    if (!in || !std::getline(in, line))
      throw UsageError("could not read cipher_pass_file " + r.cipher_pass_file + " of repository " +
                       repository + ": " + (in ? "it is empty" : std::strerror(errno)) +
                       "; it must hold the repository's passphrase on its first line");
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty())
      throw UsageError("cipher_pass_file " + r.cipher_pass_file + " of repository " + repository +
                       " has an empty first line; it must hold the repository's passphrase");
    return line;
  }
  const char* value = std::getenv(cipher_pass_variable(repository).c_str());
  if (value && *value) return std::string(value);
  return std::nullopt;
}

CipherPassLookup cipher_pass_lookup(const Config& config, bool environment_first)
{
  Config repositories;
  repositories.repositories = config.repositories;
  return [repositories = std::move(repositories),
          environment_first](const std::string& repository) -> std::optional<std::string> {
    if (environment_first) {
      const char* value = std::getenv(cipher_pass_variable(repository).c_str());
      if (value && *value) return std::string(value);
    }
    return repository_cipher_pass(repositories, repository);
  };
}

std::string cipher_pass_hint(const std::string& repository)
{
  return "give repository " + repository +
         "'s passphrase in a file named by cipher_pass_file in its [[repository]] entry, or in " +
         cipher_pass_variable(repository);
}

} // namespace lastgood
