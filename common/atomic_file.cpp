#include "common/atomic_file.hpp"

#include "common/error.hpp"
#include "common/owned_temp.hpp"

#include <filesystem>
#include <fstream>
#include <unistd.h>

namespace lastgood {

namespace {

namespace fs = std::filesystem;

// "<name>.tmp.<host tag>.": what our temporary copies of `path` start with.
std::string temp_prefix(const fs::path& path)
{
  return path.filename().string() + ".tmp." + host_tag() + ".";
}

// The copies a writer killed between writing and renaming left beside `path`
// (generated files, never backup data): removed once their writer is gone.
void remove_dead_writers_copies(const fs::path& path)
{
  const auto prefix = temp_prefix(path);
  std::error_code ec;
  for (fs::directory_iterator it(path.parent_path().empty() ? "." : path.parent_path(), ec), end;
       !ec && it != end; it.increment(ec)) {
    const auto name = it->path().filename().string();
    if (!name.starts_with(prefix)) continue;
    const auto pid = name.substr(prefix.size());
    if (pid.empty() || pid.size() > 9 || pid.find_first_not_of("0123456789") != std::string::npos)
      continue;
    if (process_alive(static_cast<pid_t>(std::stol(pid)))) continue;
    std::error_code ignored;
    fs::remove(it->path(), ignored);
  }
}

} // namespace

void write_file_atomically(const std::string& path, const std::string& content)
{
  remove_dead_writers_copies(path);
  const auto tmp =
      (fs::path(path).parent_path() / (temp_prefix(path) + std::to_string(::getpid()))).string();
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    out << content;
    out.close();
    if (!out) {
      std::error_code ignored;
      fs::remove(tmp, ignored);
      throw Error("could not write " + tmp +
                  " (check that the directory exists and is writable by this user)");
    }
  }
  std::error_code ec;
  fs::rename(tmp, path, ec);
  if (ec) {
    std::error_code ignored;
    fs::remove(tmp, ignored);
    throw Error("could not rename " + tmp + " to " + path + ": " + ec.message());
  }
}

} // namespace lastgood
