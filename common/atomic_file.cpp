#include "common/atomic_file.hpp"

#include "common/error.hpp"

#include <filesystem>
#include <fstream>
#include <unistd.h>

namespace lastgood {

void write_file_atomically(const std::string& path, const std::string& content)
{
  const auto tmp = path + ".tmp." + std::to_string(::getpid());
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    out << content;
    out.close();
    if (!out) {
      std::error_code ignored;
      std::filesystem::remove(tmp, ignored);
      throw Error("could not write " + tmp +
                  " (check that the directory exists and is writable by this user)");
    }
  }
  std::error_code ec;
  std::filesystem::rename(tmp, path, ec);
  if (ec) {
    std::error_code ignored;
    std::filesystem::remove(tmp, ignored);
    throw Error("could not rename " + tmp + " to " + path + ": " + ec.message());
  }
}

} // namespace lastgood
