// Tar-format pg_dump archives: a ustar archive whose first member is toc.dat,
// itself starting with the same header as a custom archive.
#include "common/error.hpp"
#include "pg/dump_header.hpp"

#include <cstdint>

namespace lastgood::pg {

namespace {

constexpr size_t kBlock = 512;
constexpr size_t kSizeOffset = 124, kChecksumOffset = 148, kTypeOffset = 156, kMagicOffset = 257;

// read_tar_number (src/port/tar.c): octal, or GNU base-256 when the first byte is 0x80.
std::uint64_t tar_number(std::string_view field)
{
  std::uint64_t v = 0;
  if (static_cast<unsigned char>(field[0]) == 0x80) {
    for (size_t i = 1; i < field.size(); ++i)
      v = (v << 8) | static_cast<unsigned char>(field[i]);
    return v;
  }
  for (char c : field) {
    if (c < '0' || c > '7') break;
    v = (v << 3) | static_cast<std::uint64_t>(c - '0');
  }
  return v;
}

// tarChecksum: the unsigned byte sum with the checksum field counted as spaces.
std::uint64_t tar_checksum(std::string_view block)
{
  std::uint64_t sum = 8 * ' ';
  for (size_t i = 0; i < kBlock; ++i)
    if (i < kChecksumOffset || i >= kChecksumOffset + 8)
      sum += static_cast<unsigned char>(block[i]);
  return sum;
}

// Returns why the first 512 bytes are not a tar header naming toc.dat, or
// nullptr if they are (isValidTarHeader plus the member name).
const char* tar_problem(std::string_view head)
{
  if (head.size() < kBlock) return "shorter than one 512-byte tar header";
  if (tar_number(head.substr(kChecksumOffset, 8)) != tar_checksum(head))
    return "tar header checksum mismatch (offset 148)";
  std::string_view magic = head.substr(kMagicOffset, 8);
  bool posix = magic.substr(0, 6) == std::string_view("ustar\0", 6) && magic.substr(6, 2) == "00";
  bool gnu = magic == std::string_view("ustar  \0", 8);
  bool old_pg_dump = magic == std::string_view("ustar00\0", 8); // pre-9.3 pg_dump
  if (!posix && !gnu && !old_pg_dump) return "no ustar magic at offset 257";
  std::string_view name = head.substr(0, 100);
  if (name.substr(0, name.find('\0')) != "toc.dat") return "first tar member is not toc.dat";
  char type = head[kTypeOffset];
  if (type != '0' && type != '\0') return "toc.dat is not a regular file in the tar header";
  return nullptr;
}

} // namespace

bool looks_like_tar_dump(std::string_view head)
{
  return tar_problem(head) == nullptr;
}

DumpHeader parse_tar_dump_header(std::string_view head)
{
  if (const char* problem = tar_problem(head))
    throw ValidationError(std::string("not a tar-format pg_dump archive: ") + problem);
  std::uint64_t size = tar_number(head.substr(kSizeOffset, 12));
  std::string_view toc = head.substr(kBlock);
  if (size < toc.size()) toc = toc.substr(0, size); // never read past the member
  DumpHeader h;
  try {
    h = parse_custom_dump_header(toc);
  } catch (const ValidationError& e) {
    throw ValidationError(std::string("tar member toc.dat (from byte 512): ") + e.what());
  }
  if (h.format != DumpFormat::Tar)
    throw ValidationError("tar member toc.dat (from byte 512): format byte says custom, not tar");
  return h;
}

} // namespace lastgood::pg
