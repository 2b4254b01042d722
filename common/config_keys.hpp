#pragma once
// The one table of configuration keys: each key's type, default, environment
// variable, secrecy and help line, and how its value lands in Config. The
// loader (config.cpp), `lastgood config` and docs/configuration.md all read it.

#include "common/config.hpp"

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace lastgood {

enum class KeyType { String, Duration, Count, Boolean, Real, Choice, StringList };

// How a section is written in TOML: [name], [[name]] (one table per item) or
// [name.ANY] (one table per named item, e.g. [retention.database.shop]).
enum class SectionKind { Table, ArrayOfTables, NamedTables };

struct ConfigSection
{
  std::string_view path; // "verify", "verify.check", "retention.database"
  SectionKind kind;
  std::string_view placeholder; // NamedTables: what the item name is, e.g. "<NAME>"
  std::string_view help;
};

// A value read from the file, the environment or a flag, already checked
// against its key's type.
struct ConfigValue
{
  std::string text; // String, Choice, Duration (as written)
  std::int64_t count = 0;
  double real = 0;
  bool boolean = false;
  std::chrono::seconds duration{0};
  std::vector<std::string> list;
  std::string display; // TOML spelling, e.g. "\"7d\"", "0.5", "[\"a\"]"
};

// Which item of an [[array]] or [section.NAME] a value belongs to.
struct ConfigScope
{
  std::size_t index = 0;
  std::string name;
};

struct ConfigKey
{
  // Pattern: "verify.restore_every", "repository[].url", "retention.database.<NAME>.keep_last".
  std::string path;
  KeyType type;
  std::string default_value; // TOML spelling; empty: unset by default
  std::string env;           // LASTGOOD_SECTION_KEY; empty: not settable from the environment
  bool secret = false;
  bool required = false;            // items of an array of tables must set it
  std::vector<std::string> choices; // KeyType::Choice
  std::string help;
  // Extra rule beyond the type; returns what is wrong ("must be between 0 and 1"), or nothing.
  std::function<std::optional<std::string>(const ConfigValue&)> check;
  std::function<void(Config&, const ConfigValue&, const ConfigScope&)> apply;
};

const std::vector<ConfigSection>& config_sections();
const std::vector<ConfigKey>& config_keys();

const ConfigSection* find_config_section(std::string_view path);
const ConfigKey* find_config_key(std::string_view pattern);

// The expected form of a key's value in words: `a duration like "24h" or "7d"`.
std::string expected_form(const ConfigKey& key);

// The generated reference, docs/configuration.md.
std::string configuration_docs();

// The default config.toml a package installs: every key commented out with its default.
std::string configuration_example();

} // namespace lastgood
