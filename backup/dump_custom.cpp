// pg_dump -Fc streamed into a repository (declared in backup/dump_to_storage.hpp).

#include "backup/dump_to_storage.hpp"
#include "backup/stored_object.hpp"
#include "backup/zstd_compressor.hpp"
#include "common/error.hpp"
#include "pg/child_process.hpp"
#include "pg/child_stream.hpp"

#include <vector>

namespace lastgood::backup {

StoredDump dump_custom(storage::Storage& storage, const std::string& key,
                       const DumpConnection& connection, const std::string& database,
                       std::optional<int> zstd_level)
{
  std::vector<std::string> argv = {pg::find_pg_program("pg_dump"), "--format=custom",
                                   "--no-password"};
  if (zstd_level)
    argv.push_back("--compress=0"); // zstd compresses the whole archive; no double work
  argv.push_back("--dbname=" + connection.conninfo);
  if (!connection.snapshot.empty()) argv.push_back("--snapshot=" + connection.snapshot);

  StoredObjectWriter object(storage, key);
  std::optional<ZstdCompressor> zstd;
  if (zstd_level)
    zstd.emplace(*zstd_level, [&](std::span<const std::byte> bytes) { object.write(bytes); });
  pg::ChildStream pg_dump(argv, connection.env);
  std::vector<std::byte> buffer(1 << 20);
  while (std::size_t n = pg_dump.read(buffer)) {
    std::span<const std::byte> chunk(buffer.data(), n);
    if (zstd)
      zstd->write(chunk);
    else
      object.write(chunk);
  }
  auto result = pg_dump.wait();
  if (result.exit_code != 0)
    throw Error(pg::describe_failure(result, "pg_dump of database '" + database + "'") +
                "\nnothing was stored at " + key +
                " (the partial archive was discarded) and nothing was cataloged; "
                "fix the cause above and run the backup again");
  if (zstd) zstd->finish();
  StoredDump out;
  out.size = object.size();
  out.objects.push_back(object.commit());
  out.sha256 = out.objects.back().sha256;
  return out;
}

} // namespace lastgood::backup
