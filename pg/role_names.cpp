#include "pg/role_names.hpp"

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <fstream>
#include <iterator>

namespace lastgood::pg {
namespace {

constexpr std::size_t kPageSize = 8192;
constexpr std::size_t kPageHeaderSize = 24;
constexpr std::size_t kNameDataLen = 64;
constexpr std::uint32_t kAuthIdOid = 1260;
constexpr std::uint32_t kRelMapMagic = 0x592717;
constexpr unsigned kLpNormal = 1;

std::uint32_t u32(std::string_view bytes, std::size_t at)
{
  std::uint32_t v;
  std::memcpy(&v, bytes.data() + at, 4);
  return v;
}

std::uint16_t u16(std::string_view bytes, std::size_t at)
{
  std::uint16_t v;
  std::memcpy(&v, bytes.data() + at, 2);
  return v;
}

std::string read_file(const std::string& path, std::size_t limit)
{
  std::ifstream in(path, std::ios::binary);
  if (!in) return {};
  std::string out;
  out.resize(limit);
  in.read(out.data(), static_cast<std::streamsize>(limit));
  out.resize(static_cast<std::size_t>(in.gcount()));
  return out;
}

// One heap page: the (name, rolsuper) of each normal line pointer's tuple.
void scan_page(std::string_view page, std::vector<std::string>& names)
{
  const std::uint16_t lower = u16(page, 12), upper = u16(page, 14);
  if ((u16(page, 18) & 0xFF00) != kPageSize || lower < kPageHeaderSize || lower > upper ||
      upper > kPageSize)
    return; // not an initialised heap page
  for (std::size_t lp = kPageHeaderSize; lp + 4 <= lower; lp += 4) {
    const std::uint32_t item = u32(page, lp);
    const std::size_t off = item & 0x7FFF, len = item >> 17;
    if (((item >> 15) & 3) != kLpNormal || off + len > kPageSize || len < 23) continue;
    const std::size_t hoff = static_cast<unsigned char>(page[off + 22]);
    // oid, rolname (NameData), rolsuper: the first three columns, never null.
    if (hoff < 23 || hoff + 4 + kNameDataLen + 1 > len) continue;
    const std::size_t data = off + hoff;
    if (page[data + 4 + kNameDataLen] != 1) continue;
    std::string_view raw = page.substr(data + 4, kNameDataLen);
    std::string name(raw.substr(0, raw.find('\0')));
    if (!name.empty() && std::find(names.begin(), names.end(), name) == names.end())
      names.push_back(std::move(name));
  }
}

} // namespace

std::uint32_t mapped_filenode(std::string_view map_file, std::uint32_t relation_oid)
{
  if (map_file.size() < 8 || u32(map_file, 0) != kRelMapMagic) return 0;
  const std::uint32_t count = u32(map_file, 4);
  for (std::size_t i = 0; i < count && 8 + (i + 1) * 8 <= map_file.size(); ++i)
    if (u32(map_file, 8 + i * 8) == relation_oid) return u32(map_file, 8 + i * 8 + 4);
  return 0;
}

std::vector<std::string> superuser_names_in_heap(std::string_view heap)
{
  std::vector<std::string> names;
  for (std::size_t at = 0; at + kPageSize <= heap.size(); at += kPageSize)
    scan_page(heap.substr(at, kPageSize), names);
  return names;
}

std::vector<std::string> superuser_names_in(const std::string& data_dir)
{
  std::uint32_t filenode =
      mapped_filenode(read_file(data_dir + "/global/pg_filenode.map", 1024), kAuthIdOid);
  if (filenode == 0) filenode = kAuthIdOid;
  // pg_authid holds a few rows per role: 16 MB is far more than any cluster's.
  return superuser_names_in_heap(
      read_file(data_dir + "/global/" + std::to_string(filenode), 16u << 20));
}

} // namespace lastgood::pg
