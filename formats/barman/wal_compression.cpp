#include "formats/barman/wal_compression.hpp"

#include "common/error.hpp"
#include "formats/barman/bzip2_stream.hpp"
#include "pg/decompress.hpp"
#include "pg/wal_page_header.hpp"

namespace lastgood::formats::barman {

std::string_view to_string(WalCompression compression)
{
  switch (compression) {
  case WalCompression::None:
    return "none";
  case WalCompression::Gzip:
    return "gzip";
  case WalCompression::Bzip2:
    return "bzip2";
  case WalCompression::Unknown:
    return "unknown";
  }
  return "unknown";
}

WalCompression detect_wal_compression(std::string_view head, bool wal_segment)
{
  if (head.starts_with("\x1f\x8b\x08")) return WalCompression::Gzip;
  if (head.starts_with("BZh")) return WalCompression::Bzip2;
  if (wal_segment) {
    return pg::parse_wal_long_page_header(head) ? WalCompression::None : WalCompression::Unknown;
  }
  // .history and .backup files are short ASCII text.
  for (char c : head) {
    auto u = static_cast<unsigned char>(c);
    if (u < 0x20 && c != '\n' && c != '\t' && c != '\r') return WalCompression::Unknown;
    if (u >= 0x7f) return WalCompression::Unknown;
  }
  return WalCompression::None;
}

std::unique_ptr<storage::ReadStream> decompressed(std::unique_ptr<storage::ReadStream> source,
                                                  WalCompression compression)
{
  switch (compression) {
  case WalCompression::None:
    return source;
  case WalCompression::Gzip:
    return pg::decompressing_stream(std::move(source), "gz");
  case WalCompression::Bzip2:
    return bzip2_stream(std::move(source));
  case WalCompression::Unknown:
    break;
  }
  throw ValidationError("compressed with a method this reader does not know (not gzip or bzip2)");
}

} // namespace lastgood::formats::barman
