#include "pg/dump_header.hpp"

#include "common/error.hpp"

#include <cstdint>
#include <cstdio>

namespace lastgood::pg {

std::string_view to_string(DumpFormat format)
{
  switch (format) {
  case DumpFormat::Custom:
    return "custom";
  case DumpFormat::Directory:
    return "directory";
  case DumpFormat::Tar:
    return "tar";
  case DumpFormat::Plain:
    return "plain";
  }
  return "unknown";
}

namespace {

constexpr std::int64_t kMaxString = 1 << 20; // no header string is anywhere near 1 MiB

// Reads the primitives of pg_backup_archiver.c (ReadInt/ReadStr) with bounds
// checks: every read names the field so a truncated or corrupt header says where.
class HeaderReader
{
public:
  explicit HeaderReader(std::string_view data) : m_data(data) {}

  size_t pos() const { return m_pos; }
  void set_int_size(int size) { m_int_size = size; }

  std::uint8_t byte(const char* field)
  {
    need(1, field);
    return static_cast<std::uint8_t>(m_data[m_pos++]);
  }

  // Int: a sign byte (0 = positive) then m_int_size bytes, least significant first.
  std::int64_t integer(const char* field)
  {
    const size_t start = m_pos;
    need(1 + static_cast<size_t>(m_int_size), field);
    bool negative = m_data[m_pos++] != 0;
    std::uint64_t magnitude = 0;
    for (int i = 0; i < m_int_size; ++i) {
      auto b = static_cast<std::uint8_t>(m_data[m_pos++]);
      // Bytes past the fourth must be zero (and are not shifted: an int size
      // above 8 would shift past 64 bits).
      if (i >= 4) {
        if (b != 0) fail(start, std::string("integer out of range in ") + field);
        continue;
      }
      magnitude |= std::uint64_t{b} << (8 * i);
    }
    if (magnitude > 0x7fffffff) fail(start, std::string("integer out of range in ") + field);
    auto value = static_cast<std::int64_t>(magnitude);
    return negative ? -value : value;
  }

  // Str: an Int length then that many bytes; -1 is NULL (returned as "").
  std::string str(const char* field)
  {
    const size_t start = m_pos;
    std::int64_t len = integer(field);
    if (len == -1) return {};
    if (len < 0 || len > kMaxString)
      fail(start, "implausible length " + std::to_string(len) + " of " + field);
    need(static_cast<size_t>(len), field);
    std::string s(m_data.substr(m_pos, static_cast<size_t>(len)));
    m_pos += static_cast<size_t>(len);
    return s;
  }

  [[noreturn]] void fail(size_t at, const std::string& what) const
  {
    throw ValidationError("dump header: " + what + " at byte " + std::to_string(at));
  }

private:
  void need(size_t n, const char* field) const
  {
    if (m_data.size() - m_pos < n)
      throw ValidationError("dump header truncated at byte " + std::to_string(m_data.size()) +
                            " while reading " + field);
  }

  std::string_view m_data;
  size_t m_pos = 0;
  int m_int_size = 4;
};

std::string compression_from_level(std::int64_t level) // archive versions < 1.15
{
  if (level == -1) return "gzip"; // Z_DEFAULT_COMPRESSION
  if (level == 0) return "none";
  return "gzip:" + std::to_string(level);
}

// tm fields as pg_dump wrote them (tm_mon 0-11, tm_year - 1900), checked so a
// corrupt header cannot produce a nonsense date.
std::string read_created(HeaderReader& in)
{
  struct Field
  {
    const char* name;
    std::int64_t min, max;
  };
  static constexpr Field kFields[] = {
      {"creation time tm_sec", 0, 61},  {"creation time tm_min", 0, 59},
      {"creation time tm_hour", 0, 23}, {"creation time tm_mday", 1, 31},
      {"creation time tm_mon", 0, 11},  {"creation time tm_year", 0, 1100}};
  std::int64_t v[6];
  for (int i = 0; i < 6; ++i) {
    size_t at = in.pos();
    v[i] = in.integer(kFields[i].name);
    if (v[i] < kFields[i].min || v[i] > kFields[i].max)
      in.fail(at, std::string("implausible ") + kFields[i].name + " " + std::to_string(v[i]));
  }
  in.integer("creation time tm_isdst");
  char buf[40];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02d %02d:%02d:%02d", static_cast<int>(v[5] + 1900),
                static_cast<int>(v[4] + 1), static_cast<int>(v[3]), static_cast<int>(v[2]),
                static_cast<int>(v[1]), static_cast<int>(v[0]));
  return buf;
}

} // namespace

// ReadHead (pg_backup_archiver.c). The format byte is 1 for custom archives
// and 3 for both tar members and a directory dump's toc.dat; this function
// cannot tell the last two apart, so callers reading toc.dat set Directory.
DumpHeader parse_custom_dump_header(std::string_view head)
{
  HeaderReader in(head);
  constexpr std::string_view kMagic = "PGDMP";
  for (size_t i = 0; i < kMagic.size(); ++i) {
    if (in.byte("magic") != kMagic[i])
      throw ValidationError("not a pg_dump archive: bad magic at byte " + std::to_string(i) +
                            " (expected \"PGDMP\")");
  }

  DumpHeader h;
  h.version_major = in.byte("archive major version");
  h.version_minor = in.byte("archive minor version");
  h.version_rev = in.byte("archive revision"); // present for versions > 1.0
  if (h.version_major != 1 || h.version_minor < 12 || h.version_minor > 16)
    throw ValidationError("dump header: unsupported archive version " +
                          std::to_string(h.version_major) + "." + std::to_string(h.version_minor) +
                          " at byte 5 (supported: 1.12 to 1.16)");

  h.int_size = in.byte("integer size");
  if (h.int_size < 1 || h.int_size > 32)
    in.fail(8, "implausible integer size " + std::to_string(h.int_size) + " (expected 1..32)");
  in.set_int_size(h.int_size);
  h.off_size = in.byte("offset size");
  if (h.off_size < 1 || h.off_size > 32)
    in.fail(9, "implausible offset size " + std::to_string(h.off_size) + " (expected 1..32)");

  int format = in.byte("format");
  if (format == 1)
    h.format = DumpFormat::Custom;
  else if (format == 3)
    h.format = DumpFormat::Tar;
  else
    in.fail(10, "unknown archive format " + std::to_string(format) + " (expected 1 or 3)");

  const size_t compression_at = in.pos();
  if (h.version_minor >= 15) {
    int algorithm = in.byte("compression algorithm");
    static constexpr const char* kAlgorithms[] = {"none", "gzip", "lz4", "zstd"};
    if (algorithm > 3)
      in.fail(compression_at, "unknown compression algorithm " + std::to_string(algorithm));
    h.compression = kAlgorithms[algorithm];
  } else {
    std::int64_t level = in.integer("compression level");
    if (level < -1 || level > 9)
      in.fail(compression_at, "implausible compression level " + std::to_string(level));
    h.compression = compression_from_level(level);
  }

  h.created = read_created(in);
  h.database = in.str("database name");
  h.server_version = in.str("server version"); // archive version >= 1.10
  h.pg_dump_version = in.str("pg_dump version");
  return h;
}

} // namespace lastgood::pg
