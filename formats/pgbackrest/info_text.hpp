#pragma once
// pgBackRest's info-file text (backup.info, archive.info, backup.manifest and
// their .copy twins): INI sections whose every value is JSON, sealed by
// [backrest] backrest-checksum, the SHA-1 of the values rendered as one JSON
// object in file order (src/info/info.c, infoNewLoad). Repository format 5 only.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace lastgood::formats::pgbackrest {

inline constexpr int kRepositoryFormat = 5;

struct InfoValue
{
  std::string section;
  std::string key;
  std::string json; // the value exactly as written (valid JSON)
};

struct InfoText
{
  std::vector<InfoValue> values;          // every value but the checksum, in file order
  std::string checksum;                   // backrest-checksum, verified equal to the computed one
  std::string backrest_version;           // pgBackRest version that wrote the file
  std::optional<std::string> cipher_pass; // [cipher] cipher-pass: a secret, never print it

  // The raw JSON of section/key, or nullptr.
  const std::string* find(std::string_view section, std::string_view key) const;
  // The values of one section in file order.
  std::vector<const InfoValue*> section(std::string_view section) const;
};

// Parses and verifies the text. `what` names the file in errors. Throws
// ValidationError on malformed lines, a value that is not JSON, a missing or
// unknown backrest-format (only format 5 is understood), and a missing or
// wrong backrest-checksum.
InfoText parse_info_text(std::string_view text, std::string_view what);

// The checksum pgBackRest computes over the given values (for tests and tools).
std::string info_checksum(const std::vector<InfoValue>& values);

} // namespace lastgood::formats::pgbackrest
