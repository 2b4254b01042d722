#include "catalog/barman_wal_classify.hpp"

#include "common/error.hpp"
#include "formats/barman/wal_compression.hpp"
#include "pg/wal_archive_name.hpp"
#include "storage/string_read_stream.hpp"

#include <vector>

namespace lastgood::catalog {

namespace barman = formats::barman;

namespace {

std::string_view basename_of(std::string_view key)
{
  auto slash = key.rfind('/');
  return slash == std::string_view::npos ? key : key.substr(slash + 1);
}

// The first kHeadBytes after decompression of a stored prefix; a prefix of a
// compressed file "ends early", so what came out before that is kept.
std::string plain_head(const std::string& stored, barman::WalCompression compression)
{
  auto plain =
      barman::decompressed(std::make_unique<storage::StringReadStream>(stored), compression);
  std::string out;
  std::vector<std::byte> buffer(16384);
  try {
    while (out.size() < kHeadBytes) {
      const std::size_t n = plain->read(buffer);
      if (n == 0) break;
      out.append(reinterpret_cast<const char*>(buffer.data()), n);
    }
  } catch (const ValidationError&) {
    if (out.empty()) throw;
  }
  return out.substr(0, kHeadBytes);
}

} // namespace

bool is_barman_wal_key(std::string_view key)
{
  if (!key.starts_with("wals/")) return false;
  auto name = pg::parse_wal_archive_name(basename_of(key));
  return name && name->compression.empty();
}

Classification classify_barman_wal(storage::Storage& storage, const storage::ObjectInfo& info)
{
  const auto name = pg::parse_wal_archive_name(basename_of(info.key));
  const bool segment =
      name && (name->kind == pg::WalFileKind::Segment || name->kind == pg::WalFileKind::Partial);
  // Compressed WAL rarely exceeds a few hundred KiB; its head needs far less.
  const std::string stored = storage::read_head(storage, info.key, 1 << 20);
  const auto compression = barman::detect_wal_compression(stored, segment);
  if (compression == barman::WalCompression::Unknown)
    return classify_by_name_only(info.key, "compressed with a method lastgood does not read "
                                           "(Barman's gzip and bzip2 are read)");
  std::string head;
  try {
    head = plain_head(stored, compression);
  } catch (const ValidationError& e) {
    Classification c = classify_by_name_only(info.key, "does not decompress");
    c.problem =
        std::string(barman::to_string(compression)) + " data does not decompress: " + e.what();
    return c;
  }
  Classification c = classify_object(info.key, info.size, head, "");
  if (c.detail.is_object() && c.detail.contains("compression"))
    c.detail["compression"] = compression == barman::WalCompression::Gzip    ? "gz"
                              : compression == barman::WalCompression::Bzip2 ? "bzip2"
                                                                             : "";
  return c;
}

} // namespace lastgood::catalog
