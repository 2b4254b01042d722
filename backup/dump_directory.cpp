// pg_dump -Fd through a private temp dir into a repository (declared in
// backup/dump_to_storage.hpp). Needs local temp space as large as the dump.

#include "backup/dump_to_storage.hpp"
#include "backup/stored_object.hpp"
#include "common/error.hpp"
#include "common/owned_temp.hpp"
#include "pg/child_process.hpp"

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <vector>

namespace lastgood::backup {

namespace fs = std::filesystem;

namespace {

class PrivateTempDir
{
public:
  PrivateTempDir()
  {
    // The pid in its name lets the next run remove it when this one is killed.
    m_path = make_owned_temp_dir("backup");
  }
  ~PrivateTempDir()
  {
    std::error_code ignored;
    fs::remove_all(m_path, ignored);
  }
  PrivateTempDir(const PrivateTempDir&) = delete;
  PrivateTempDir& operator=(const PrivateTempDir&) = delete;
  const fs::path& path() const { return m_path; }

private:
  fs::path m_path;
};

catalog::IngestObject store_file(storage::Storage& storage, const fs::path& file,
                                 const std::string& key)
{
  StoredObjectWriter object(storage, key);
  std::ifstream in(file, std::ios::binary);
  if (!in) throw Error("cannot read " + file.string() + " of the directory dump");
  std::vector<char> buffer(1 << 20);
  while (in) {
    in.read(buffer.data(), static_cast<std::streamsize>(buffer.size()));
    auto n = static_cast<std::size_t>(in.gcount());
    if (n) object.write(std::as_bytes(std::span<const char>(buffer.data(), n)));
  }
  if (in.bad()) throw Error("reading " + file.string() + " of the directory dump failed");
  return object.commit();
}

} // namespace

StoredDump dump_directory(storage::Storage& storage, const std::string& dir_key,
                          const DumpConnection& connection, const std::string& database)
{
  PrivateTempDir temp;
  const fs::path target = temp.path() / "dump";
  pg::ProcessOptions options;
  options.argv = {pg::find_pg_program("pg_dump"), "--format=directory", "--no-password",
                  "--file=" + target.string(), "--dbname=" + connection.conninfo};
  if (!connection.snapshot.empty()) options.argv.push_back("--snapshot=" + connection.snapshot);
  options.env = connection.env;
  auto result = pg::run_process(options);
  if (result.exit_code != 0)
    throw Error(pg::describe_failure(result, "pg_dump of database '" + database + "'") +
                "\nnothing was stored under " + dir_key +
                " and nothing was cataloged; fix the cause above and run "
                "the backup again");

  std::vector<fs::path> files;
  for (const auto& entry : fs::recursive_directory_iterator(target))
    if (entry.is_regular_file()) files.push_back(entry.path());
  // toc.dat last: until it is there, the files do not form a backup.
  std::sort(files.begin(), files.end(), [](const fs::path& a, const fs::path& b) {
    return std::make_pair(a.filename() == "toc.dat", a.string()) <
           std::make_pair(b.filename() == "toc.dat", b.string());
  });
  StoredDump out;
  try {
    for (const auto& file : files) {
      out.objects.push_back(
          store_file(storage, file, dir_key + "/" + fs::relative(file, target).generic_string()));
      out.size += out.objects.back().info.size;
      if (file.filename() == "toc.dat") out.sha256 = out.objects.back().sha256;
    }
  } catch (...) {
    for (const auto& stored : out.objects) {
      try {
        storage.remove(stored.info.key);
      } catch (const Error&) {
        // best effort: without toc.dat the rest is no backup anyway
      }
    }
    throw;
  }
  return out;
}

} // namespace lastgood::backup
