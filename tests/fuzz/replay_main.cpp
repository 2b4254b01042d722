// fuzz_replay TARGET DIR...: feeds every file under each DIR to the named
// fuzz target (tests/fuzz/fuzz_target.hpp), in the ordinary build without
// libFuzzer, so the checked-in corpus and every input that ever crashed stay
// in the normal test suite. A crash or an unexpected exception fails the run.
#include "tests/fuzz/fuzz_target.hpp"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <map>
#include <string>
#include <vector>

namespace lastgood::fuzz {

static std::map<std::string, TargetFunction>& targets()
{
  static std::map<std::string, TargetFunction> table;
  return table;
}

bool register_target(const char* name, TargetFunction function)
{
  targets()[name] = function;
  return true;
}

} // namespace lastgood::fuzz

int main(int argc, char** argv)
{
  namespace fs = std::filesystem;
  const auto& table = lastgood::fuzz::targets();
  if (argc < 3 || !table.count(argv[1])) {
    std::cerr << "usage: fuzz_replay TARGET DIR...\ntargets:";
    for (const auto& [name, function] : table)
      std::cerr << ' ' << name;
    std::cerr << '\n';
    return 2;
  }
  const auto function = table.at(argv[1]);
  std::vector<fs::path> files;
  for (int i = 2; i < argc; ++i) {
    if (!fs::exists(argv[i])) continue; // a target may have no regressions yet
    for (const auto& entry : fs::recursive_directory_iterator(argv[i]))
      if (entry.is_regular_file()) files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  if (files.empty()) {
    std::cerr << "fuzz_replay " << argv[1] << ": no inputs found (the corpus is checked in)\n";
    return 1;
  }
  for (const auto& file : files) {
    std::ifstream in(file, std::ios::binary);
    const std::string input((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    std::cerr << "fuzz_replay " << argv[1] << ": " << file.string() << '\n';
    function(input);
  }
  std::cout << "fuzz_replay " << argv[1] << ": " << files.size() << " inputs, no finding\n";
  return 0;
}
