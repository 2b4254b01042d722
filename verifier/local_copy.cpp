#include "verifier/local_copy.hpp"

#include <filesystem>
#include <fstream>
#include <vector>

#include "common/error.hpp"

namespace lastgood::verifier {

namespace fs = std::filesystem;

LocalCopy::LocalCopy(storage::Storage& storage, const catalog::BackupRow& backup,
                     const std::vector<catalog::BackupObjectRow>& objects)
{
  if (auto local = storage.local_path(backup.root_key)) {
    m_path = *local;
    return;
  }
  std::string pattern = (fs::temp_directory_path() / "lastgood-copy-XXXXXX").string();
  if (!::mkdtemp(pattern.data())) throw Error("cannot create a temporary directory in " + fs::temp_directory_path().string());
  m_temp_dir = pattern;
  const std::string name = fs::path(backup.root_key).filename().string();
  m_path = (fs::path(m_temp_dir) / name).string();
  std::vector<std::byte> buffer(1 << 20);
  for (const auto& object : objects) {
    std::string relative = object.key == backup.root_key ? "" : object.key.substr(backup.root_key.size() + 1);
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
