#pragma once
// "unknown command 'bakups'; did you mean 'backups'?": turns CLI11's parse
// errors about words it could not place into a message that names the nearest
// command or flag of the command the user was typing.

#include <optional>
#include <string>

namespace CLI {
class App;
}

namespace lastgood::cli {

// After a failed parse: a message for the first unknown command or flag, or
// nothing when the error was about something else (a missing value, ...).
std::optional<std::string> unknown_name_message(const CLI::App& root);

} // namespace lastgood::cli
