#pragma once
// The passphrase of another tool's encrypted repository (pgBackRest's
// repo-cipher-pass). A secret: never logged, printed or stored in the catalog.

#include "common/config.hpp"

#include <functional>
#include <optional>
#include <string>

namespace lastgood {

// "LASTGOOD_CIPHER_PASS_" + the repository's name upper-cased, every
// character other than a letter or digit as '_' (repository "pg-br" →
// LASTGOOD_CIPHER_PASS_PG_BR).
std::string cipher_pass_variable(const std::string& repository);

// From the first line of [[repository]] cipher_pass_file, else from the
// environment variable above; nullopt when neither gives one. Throws
// UsageError naming the file (never its contents) when it cannot be read or
// is empty.
std::optional<std::string> repository_cipher_pass(const Config& config,
                                                  const std::string& repository);

// A repository's passphrase by the repository's name, for work that meets
// several repositories (verify, restore, wal-fetch).
using CipherPassLookup = std::function<std::optional<std::string>(const std::string& repository)>;

// repository_cipher_pass over a copy of config's [[repository]] entries.
// environment_first: the variable wins over cipher_pass_file (wal-fetch: the
// lastgood that started the server put it there; the server's user may not
// be able to read the file).
CipherPassLookup cipher_pass_lookup(const Config& config, bool environment_first = false);

// Where a repository's passphrase is given, for messages (never the passphrase).
std::string cipher_pass_hint(const std::string& repository);

} // namespace lastgood
