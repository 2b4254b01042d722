#include "verifier/local_copy.hpp"

#include "common/error.hpp"
#include "common/owned_temp.hpp"
#include "pg/decompress.hpp"
#include "verifier/object_access.hpp"

#include <filesystem>
#include <fstream>
#include <vector>

namespace lastgood::verifier {

namespace fs = std::filesystem;

LocalCopy::LocalCopy(storage::Storage& storage, const catalog::BackupRow& backup,
                     const std::vector<catalog::BackupObjectRow>& objects)
{
  // A dump compressed as a whole ("zstd (outer) + none"): pg_restore needs it decompressed.
  const std::string outer = backup.compression.value_or("").starts_with("zstd (outer)")   ? "zst"
                            : backup.compression.value_or("").starts_with("gzip (outer)") ? "gz"
                                                                                          : "";
  if (outer.empty()) {
    if (auto local = storage.local_path(backup.root_key)) {
      // The tools read the path themselves: find out first whether we may.
      std::vector<std::string> keys;
      for (const auto& object : objects)
        keys.push_back(object.key);
      require_readable(storage, keys);
      m_path = *local;
      return;
    }
  }
  m_temp_dir = make_owned_temp_dir("copy"); // the pid in its name lets the next run clean up

  const std::string name = fs::path(backup.root_key).filename().string();
  m_path = (fs::path(m_temp_dir) / name).string();
  std::vector<std::byte> buffer(1 << 20);
  if (!outer.empty()) {
    m_path = (fs::path(m_temp_dir) / fs::path(name).stem()).string();
    std::ofstream out(m_path, std::ios::binary);
    auto in = pg::decompressing_stream(storage.read(backup.root_key), outer);
    while (auto n = in->read(buffer)) {
      out.write(reinterpret_cast<const char*>(buffer.data()), static_cast<std::streamsize>(n));
      if (!out)
        throw Error("cannot write decompressed copy " + m_path + " of " + backup.root_key +
                    " (disk full?)");
    }
    out.close();
    if (!out)
      throw Error("cannot write decompressed copy " + m_path + " of " + backup.root_key +
                  " (disk full?)");
    return;
  }
  for (const auto& object : objects) {
    std::string relative =
        object.key == backup.root_key ? "" : object.key.substr(backup.root_key.size() + 1);
    fs::path target = relative.empty() ? fs::path(m_path) : fs::path(m_path) / relative;
    fs::create_directories(target.parent_path());
    std::ofstream out(target, std::ios::binary);
    auto in = storage.read(object.key);
    while (auto n = in->read(buffer)) {
      out.write(reinterpret_cast<const char*>(buffer.data()), static_cast<std::streamsize>(n));
      if (!out) throw Error("cannot write temporary copy " + target.string() + " (disk full?)");
    }
  }
}

LocalCopy::~LocalCopy()
{
  if (m_temp_dir.empty()) return;
  std::error_code ignored;
  fs::remove_all(m_temp_dir, ignored);
}

} // namespace lastgood::verifier
