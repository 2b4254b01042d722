#include "cli/unknown_names.hpp"

#include "common/nearest_name.hpp"

#include <CLI/CLI.hpp>
#include <algorithm>
#include <utility>

namespace lastgood::cli {
namespace {

// The command the user reached (`repo add`), walking the parsed subcommands.
const CLI::App* deepest_parsed(const CLI::App& root, std::string& path)
{
  const CLI::App* app = &root;
  for (;;) {
    const auto parsed = app->get_subcommands();
    if (parsed.empty()) return app;
    app = parsed.front();
    path += (path.empty() ? "" : " ") + app->get_name();
  }
}

std::vector<std::string> command_names(const CLI::App& app)
{
  std::vector<std::string> names;
  for (const CLI::App* sub :
       app.get_subcommands([](const CLI::App* s) { return !s->get_name().empty(); })) {
    names.push_back(sub->get_name());
    for (const auto& alias : sub->get_aliases())
      names.push_back(alias);
  }
  return names;
}

// The flags valid at `app`: its own and, as lastgood falls through, its parents'.
std::vector<std::string> flag_names(const CLI::App* app)
{
  std::vector<std::string> names;
  for (; app != nullptr; app = app->get_parent()) {
    for (const CLI::Option* option : app->get_options()) {
      for (const auto& name : option->get_lnames())
        names.push_back("--" + name);
      for (const auto& name : option->get_snames())
        names.push_back("-" + name);
    }
  }
  return names;
}

// Words people type that are not lastgood commands: what other backup tools
// call one (pgbackrest info, barman list-backups), and "help", which is a
// spelling away from "hold". The commands to suggest, the first that exists
// wins; none for help (the message points at --help).
const std::vector<std::pair<std::string, std::vector<std::string>>> kKnownWords = {
    {"info", {"status", "backups"}},
    {"list", {"backups"}},
    {"ls", {"backups"}},
    {"help", {}},
};

// A word we know, else a close spelling, else a command the word contains
// ("list-backups" → "backups").
std::optional<std::string> suggestion(const std::string& typo,
                                      const std::vector<std::string>& candidates)
{
  for (const auto& [word, commands] : kKnownWords) {
    if (word != typo) continue;
    for (const auto& command : commands)
      if (std::find(candidates.begin(), candidates.end(), command) != candidates.end())
        return command;
    return std::nullopt;
  }
  if (auto near = nearest_name(typo, candidates)) return near;
  std::optional<std::string> contained;
  for (const auto& c : candidates) {
    if (c.size() >= 3 && typo.find(c) != std::string::npos &&
        (!contained || c.size() > contained->size()))
      contained = c;
  }
  return contained;
}

} // namespace

std::optional<std::string> unknown_name_message(const CLI::App& root)
{
  const auto leftover = root.remaining(true);
  if (leftover.empty()) return std::nullopt;
  std::string path;
  const CLI::App* at = deepest_parsed(root, path);
  const std::string& word = leftover.front();
  const std::string help = "run 'lastgood " + (path.empty() ? "" : path + " ") + "--help'";

  if (word.size() > 1 && word.front() == '-') {
    const std::string flag = word.substr(0, word.find('='));
    // Long flags only: every one-letter flag is a single edit from every other.
    const auto near = flag.starts_with("--") ? suggestion(flag, flag_names(at)) : std::nullopt;
    return "unknown flag '" + flag + "'" +
           (near ? "; did you mean '" + *near + "'?" : "; " + help + " for its flags");
  }
  const auto commands = command_names(*at);
  if (commands.empty()) return std::nullopt; // an extra argument, not a command: CLI11 says it well
  const std::string prefix = path.empty() ? "" : path + " ";
  const auto near = suggestion(word, commands);
  return "unknown command '" + prefix + word + "'" +
         (near ? "; did you mean '" + prefix + *near + "'?"
               : "; " + help + " for the list of commands");
}

} // namespace lastgood::cli
