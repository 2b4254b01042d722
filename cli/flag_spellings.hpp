#pragma once
// One value under several spellings: the documented flag first, then aliases that other
// commands use for the same thing (`restore --to` and `--dbname`). Each spelling is its own
// CLI11 option writing the same variable, so a command can tell which one the user typed and
// name that one in messages and hints; giving two spellings at once is a usage error.

#include <CLI/CLI.hpp>
#include <string>
#include <vector>

namespace lastgood::cli {

class FlagSpellings
{
public:
  FlagSpellings() = default;
  // names: "--to", "--dbname", ...; validator: checks every spelling's value.
  template <typename T>
  FlagSpellings(CLI::App& cmd, T& value, const std::vector<std::string>& names,
                const std::string& help, const CLI::Validator* validator = nullptr)
  {
    for (const auto& name : names) {
      auto* option =
          cmd.add_option(name, value, m_options.empty() ? help : "same as " + names.front());
      if (validator) option->check(*validator);
      for (auto* other : m_options)
        option->excludes(other);
      m_options.push_back(option);
    }
  }

  // The spelling on the command line, or the documented one when none was given.
  std::string given() const
  {
    for (const auto* option : m_options)
      if (option->count() > 0) return option->get_name();
    return m_options.empty() ? std::string() : m_options.front()->get_name();
  }
  bool was_given() const
  {
    for (const auto* option : m_options)
      if (option->count() > 0) return true;
    return false;
  }

private:
  std::vector<CLI::Option*> m_options;
};

} // namespace lastgood::cli
