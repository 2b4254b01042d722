#pragma once
// Loads an info file or manifest with pgBackRest's own rule: read the main
// file, fall back to its .copy twin when the main one is missing or damaged.
// Unlike pgBackRest it also reads the copy when the main file is good, and
// reports a copy that is missing, damaged or different as a finding.

#include "common/error.hpp"
#include "formats/pgbackrest/info_text.hpp"
#include "storage/storage.hpp"

#include <optional>
#include <string>
#include <vector>

namespace lastgood::formats::pgbackrest {

// Something wrong found in the repository while reading it (data, not an exception).
struct RepoFinding
{
  enum class Kind { damaged, missing, copy_disagrees };
  Kind kind = Kind::damaged;
  std::string key;     // the object the finding is about
  std::string problem; // what is wrong, for people
};

struct LoadedInfo
{
  InfoText text;
  std::string loaded_from; // the key whose contents `text` holds (main or .copy)
  std::vector<RepoFinding> findings;
};

// Neither the file nor its copy could be decrypted with the passphrase given
// (or none was given for an encrypted repository). Never holds the passphrase.
class PassphraseError : public Error
{
public:
  using Error::Error;
};

// key: e.g. "backup/demo/backup.info"; passphrase: decrypts both files when set.
// Throws NotFoundError when neither exists, PassphraseError (see above),
// ValidationError naming both problems when neither is usable.
LoadedInfo load_info_file(storage::Storage& storage, const std::string& key,
                          const std::optional<std::string>& passphrase);

} // namespace lastgood::formats::pgbackrest
