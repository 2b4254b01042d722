#pragma once
// Reading one configuration value (from the file, the environment, a flag or
// the key table's default) as its key's type, with an error that names the key,
// the expected form and what was found instead.

#include "common/config_keys.hpp"

#include <string>
#include <string_view>
#include <toml++/toml.h>

namespace lastgood {

// `where` starts the error ("configuration file /etc/lg.toml line 4"); `shown` is
// the key as the user wrote it ("retention.database.shop.keep_last").
ConfigValue read_config_value(const ConfigKey& key, const toml::node& node,
                              const std::string& shown, const std::string& where);
// Text from the environment or a flag, read as if written in TOML with the key's type.
ConfigValue read_config_text(const ConfigKey& key, std::string_view text, const std::string& shown,
                             const std::string& where);
ConfigValue read_config_default(const ConfigKey& key);

// "the number 86400", "the string \"1h\"", "a table"; secrets never show their value.
std::string describe_toml(const toml::node& node, bool secret);

} // namespace lastgood
