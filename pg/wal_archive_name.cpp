#include "pg/wal_archive_name.hpp"

#include "pg/lsn.hpp"

#include <array>
#include <cctype>

namespace lastgood::pg {

std::string_view to_string(WalFileKind kind)
{
  switch (kind) {
  case WalFileKind::Segment:
    return "segment";
  case WalFileKind::Partial:
    return "partial";
  case WalFileKind::TimelineHistory:
    return "history";
  case WalFileKind::BackupHistory:
    return "backup_history";
  }
  return "unknown";
}

std::uint64_t WalArchiveName::segno(std::uint64_t segment_size) const
{
  return std::uint64_t{xlogid} * segments_per_xlogid(segment_size) + xlogseg;
}

namespace {

bool is_hex(std::string_view s)
{
  for (char c : s)
    if (!std::isxdigit(static_cast<unsigned char>(c))) return false;
  return !s.empty();
}

std::uint32_t hex32(std::string_view s) // s: exactly 8 hex digits
{
  std::uint32_t v = 0;
  for (char c : s) {
    int d = std::isdigit(static_cast<unsigned char>(c))
                ? c - '0'
                : std::toupper(static_cast<unsigned char>(c)) - 'A' + 10;
    v = v * 16 + static_cast<std::uint32_t>(d);
  }
  return v;
}

bool iequals(std::string_view a, std::string_view b)
{
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(a[i])) !=
        std::tolower(static_cast<unsigned char>(b[i])))
      return false;
  return true;
}

// Removes `suffix` (case-insensitive) from the end of `s` if present.
bool strip_suffix(std::string_view& s, std::string_view suffix)
{
  if (s.size() < suffix.size() || !iequals(s.substr(s.size() - suffix.size()), suffix))
    return false;
  s.remove_suffix(suffix.size());
  return true;
}

// Archivers such as pgBackRest append "-<sha1>" to the name they store.
void strip_tool_suffix(std::string_view& s)
{
  constexpr size_t kLen = 41; // '-' + 40 hex
  if (s.size() > kLen && s[s.size() - kLen] == '-' && is_hex(s.substr(s.size() - 40)))
    s.remove_suffix(kLen);
}

std::string upper(std::string_view s)
{
  std::string out(s);
  for (char& c : out)
    c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

} // namespace

std::optional<WalArchiveName> parse_wal_archive_name(std::string_view name)
{
  if (auto slash = name.rfind('/'); slash != std::string_view::npos) name.remove_prefix(slash + 1);

  WalArchiveName out;
  static constexpr std::array<std::string_view, 5> kCompressions = {"gz", "zst", "lz4", "bz2",
                                                                    "xz"};
  for (auto ext : kCompressions) {
    if (strip_suffix(name, "." + std::string(ext))) {
      out.compression = ext;
      break;
    }
  }
  strip_tool_suffix(name);

  if (strip_suffix(name, ".history")) {
    if (name.size() != 8 || !is_hex(name)) return std::nullopt;
    out.kind = WalFileKind::TimelineHistory;
    out.timeline = hex32(name);
    out.canonical = upper(name) + ".history";
  } else if (strip_suffix(name, ".backup")) {
    // TTTTTTTTXXXXXXXXYYYYYYYY.OOOOOOOO
    if (name.size() != 33 || name[24] != '.' || !is_hex(name.substr(0, 24)) ||
        !is_hex(name.substr(25)))
      return std::nullopt;
    out.kind = WalFileKind::BackupHistory;
    out.backup_offset = hex32(name.substr(25));
    out.canonical = upper(name) + ".backup";
    name = name.substr(0, 24);
  } else {
    if (strip_suffix(name, ".partial")) {
      out.kind = WalFileKind::Partial;
      strip_tool_suffix(name); // also accept "<seg>-<sha1>.partial"
    }
    if (name.size() != 24 || !is_hex(name)) return std::nullopt;
    out.canonical = upper(name) + (out.kind == WalFileKind::Partial ? ".partial" : "");
  }

  if (out.kind != WalFileKind::TimelineHistory) {
    out.timeline = hex32(name.substr(0, 8));
    out.xlogid = hex32(name.substr(8, 8));
    out.xlogseg = hex32(name.substr(16, 8));
  }
  if (out.timeline == 0) return std::nullopt; // timelines start at 1
  return out;
}

std::optional<std::int64_t> segment_timeline(std::string_view name)
{
  if (name.size() != 24) return std::nullopt;
  auto parsed = parse_wal_archive_name(name);
  if (!parsed || parsed->kind != WalFileKind::Segment) return std::nullopt;
  return static_cast<std::int64_t>(parsed->timeline);
}

} // namespace lastgood::pg
