// The TOML configuration file. load_config reads a path, so each input is
// written to one private temp file first.
#include "common/config.hpp"
#include "common/error.hpp"
#include "tests/fuzz/fuzz_target.hpp"

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>
#include <unistd.h>

namespace {

class ConfigFile
{
public:
  ConfigFile()
  {
    const char* dir = std::getenv("TMPDIR");
    m_path = std::string(dir && *dir ? dir : "/tmp") + "/lastgood-fuzz-config-XXXXXX";
    const int fd = mkstemp(m_path.data());
    if (fd < 0) std::abort();
    close(fd);
  }
  ~ConfigFile() { std::remove(m_path.c_str()); }
  const std::string& write(std::string_view text)
  {
    std::ofstream(m_path, std::ios::binary | std::ios::trunc).write(text.data(), text.size());
    return m_path;
  }

private:
  std::string m_path;
};

} // namespace

LASTGOOD_FUZZ_TARGET(config)
{
  static ConfigFile file;
  try {
    (void)lastgood::load_config(file.write(input));
  } catch (const lastgood::UsageError&) {
  }
}
