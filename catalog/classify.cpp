#include "catalog/classify.hpp"

#include "catalog/carried_wal_facts.hpp"
#include "common/error.hpp"
#include "pg/backup_label.hpp"
#include "pg/backup_manifest.hpp"
#include "pg/decompress.hpp"
#include "pg/dump_header.hpp"
#include "pg/pg_control.hpp"
#include "pg/tar_reader.hpp"
#include "pg/timeline_history.hpp"
#include "pg/wal_archive_name.hpp"
#include "pg/wal_page_header.hpp"
#include "storage/string_read_stream.hpp"

#include <algorithm>
#include <optional>
#include <utility>
#include <vector>

namespace lastgood::catalog {

namespace {

using nlohmann::json;

std::string_view basename_of(std::string_view key)
{
  auto slash = key.rfind('/');
  return slash == std::string_view::npos ? key : key.substr(slash + 1);
}

bool ends_with_any(std::string_view s, std::initializer_list<std::string_view> suffixes)
{
  return std::any_of(suffixes.begin(), suffixes.end(), [&](auto x) { return s.ends_with(x); });
}

// Keys under a pg_wal/ (or pg_xlog/) directory belong to a base backup, not the archive.
bool inside_backup_wal_dir(std::string_view key)
{
  return key.starts_with("pg_wal/") || key.find("/pg_wal/") != std::string_view::npos ||
         key.starts_with("pg_xlog/") || key.find("/pg_xlog/") != std::string_view::npos;
}

json dump_json(const pg::DumpHeader& h)
{
  json j = {{"format", pg::to_string(h.format)},  {"compression", h.compression},
            {"created_local", h.created},         {"database", h.database},
            {"server_version", h.server_version}, {"pg_dump_version", h.pg_dump_version}};
  if (h.format == pg::DumpFormat::Plain) {
    j["complete"] = h.complete;
    j["cluster_dump"] = h.cluster_dump;
  } else {
    j["archive_version"] = std::to_string(h.version_major) + "." + std::to_string(h.version_minor) +
                           "." + std::to_string(h.version_rev);
  }
  return j;
}

json label_json(const pg::BackupLabel& l)
{
  json j = {{"start_lsn", l.start_lsn.value},
            {"start_wal_file", l.start_wal_file},
            {"method", l.method},
            {"backup_from", l.backup_from},
            {"start_time_text", l.start_time_text},
            {"label", l.label}};
  if (l.checkpoint_lsn) j["checkpoint_lsn"] = l.checkpoint_lsn->value;
  if (l.start_time) j["start_time"] = format_rfc3339(*l.start_time);
  if (l.start_timeline) j["start_timeline"] = *l.start_timeline;
  if (l.stop_lsn) j["stop_lsn"] = l.stop_lsn->value;
  if (l.stop_time) j["stop_time"] = format_rfc3339(*l.stop_time);
  if (l.stop_timeline) j["stop_timeline"] = *l.stop_timeline;
  if (l.incremental_from_lsn) j["incremental_from_lsn"] = l.incremental_from_lsn->value;
  return j;
}

json control_json(const pg::ControlFileInfo& c)
{
  return {{"system_identifier", std::to_string(c.system_identifier)},
          {"pg_major", c.pg_major},
          {"catalog_version", c.catalog_version},
          {"wal_segment_size", c.wal_segment_size},
          {"crc_ok", c.crc_ok}};
}

json wal_header_json(const pg::WalLongPageHeader& h)
{
  return {{"magic", h.magic},
          {"pg_major", pg::pg_major_for_wal_magic(h.magic)},
          {"timeline", h.timeline},
          {"page_address", h.page_address},
          {"system_identifier", std::to_string(h.system_identifier)},
          {"segment_size", h.segment_size}};
}

Classification classify_wal(const pg::WalArchiveName& name, std::uint64_t size,
                            std::string_view head)
{
  Classification c;
  c.detail = {{"timeline", name.timeline},
              {"name", name.canonical},
              {"compression", name.compression},
              {"xlogid", name.xlogid},
              {"xlogseg", name.xlogseg}};
  switch (name.kind) {
  case pg::WalFileKind::TimelineHistory: {
    c.kind = kind::wal_history;
    json entries = json::array();
    for (const auto& e : pg::parse_timeline_history(head))
      entries.push_back({{"parent_timeline", e.parent_timeline},
                         {"switch_lsn", e.switch_lsn.value},
                         {"reason", e.reason}});
    c.detail["entries"] = entries;
    return c;
  }
  case pg::WalFileKind::BackupHistory:
    c.kind = kind::wal_backup_history;
    c.detail["backup"] = label_json(pg::parse_backup_label(head));
    c.detail["backup_offset"] = name.backup_offset;
    return c;
  case pg::WalFileKind::Segment:
  case pg::WalFileKind::Partial:
    break;
  }
  c.kind = name.kind == pg::WalFileKind::Partial ? kind::wal_partial : kind::wal_segment;
  if (size == 0) {
    c.problem = "empty WAL file";
    return c;
  }
  std::string page;
  if (name.compression.empty()) {
    page = std::string(head.substr(0, 64));
  } else if (name.compression == "gz" || name.compression == "zst") {
    auto plain = pg::decompressing_stream(
        std::make_unique<storage::StringReadStream>(std::string(head)), name.compression);
    page = storage::read_up_to(*plain, 64);
  } else {
    c.detail["header_unread"] = "compression " + name.compression + " not supported";
    return c;
  }
  auto header = pg::parse_wal_long_page_header(page);
  if (!header) {
    c.problem = "not a WAL segment: no valid long page header at offset 0";
    return c;
  }
  c.detail["header"] = wal_header_json(*header);
  return c;
}

// A custom dump compressed as a whole (`lastgood backup --compress zstd`
// writes <db>.dump.zst): the outer compression ("zstd", "gzip") and the
// decompressed head, when a .zst/.gz key decompresses to a PGDMP header.
std::optional<std::pair<std::string, std::string>> outer_compressed_dump_head(std::string_view name,
                                                                              std::string_view head)
{
  const bool zstd = name.ends_with(".zst");
  if (!zstd && !name.ends_with(".gz")) return std::nullopt;
  auto plain = pg::decompressing_stream(
      std::make_unique<storage::StringReadStream>(std::string(head)), zstd ? "zst" : "gz");
  std::string out;
  std::vector<std::byte> buffer(16384);
  try {
    while (out.size() < kHeadBytes) {
      std::size_t n = plain->read(buffer);
      if (n == 0) break;
      out.append(reinterpret_cast<const char*>(buffer.data()), n);
    }
  } catch (const ValidationError&) {
    // head is only the file's first bytes: the stream "ends" early; keep what came out.
  }
  if (!out.starts_with("PGDMP")) return std::nullopt;
  return std::pair<std::string, std::string>(zstd ? "zstd" : "gzip", std::move(out));
}

Classification classify_by_content(std::string_view key, std::string_view name, std::uint64_t size,
                                   std::string_view head, std::string_view tail)
{
  Classification c;
  if (name == "toc.dat") {
    c.kind = kind::dump_toc;
    auto header = pg::parse_custom_dump_header(head);
    header.format = pg::DumpFormat::Directory;
    c.detail = dump_json(header);
    return c;
  }
  if (name == "backup_label") {
    c.kind = kind::backup_label;
    c.detail = label_json(pg::parse_backup_label(head));
    return c;
  }
  if (name == "backup_manifest") {
    c.kind = kind::backup_manifest;
    if (head.size() < size) {
      c.problem = "backup_manifest too large to parse during scan";
      return c;
    }
    auto m = pg::parse_backup_manifest(head);
    json ranges = json::array();
    for (const auto& r : m.wal_ranges)
      ranges.push_back(
          {{"timeline", r.timeline}, {"start_lsn", r.start.value}, {"end_lsn", r.end.value}});
    c.detail = {{"version", m.version},
                {"files", m.files.size()},
                {"wal_ranges", ranges},
                {"manifest_checksum_ok", m.manifest_checksum_ok}};
    if (m.system_identifier) c.detail["system_identifier"] = std::to_string(*m.system_identifier);
    if (!m.manifest_checksum_ok) c.problem = "backup_manifest checksum does not match its contents";
    return c;
  }
  if (key.ends_with("global/pg_control")) {
    c.kind = kind::pg_control;
    auto control = pg::parse_pg_control(head);
    c.detail = control_json(control);
    if (control.wal_segment_size != 0 && !control.crc_ok)
      c.problem = "pg_control CRC does not match (damaged file)";
    return c;
  }
  if (auto outer = outer_compressed_dump_head(name, head)) {
    c.kind = kind::custom_dump;
    c.detail = dump_json(pg::parse_custom_dump_header(outer->second));
    c.detail["outer_compression"] = outer->first;
    return c;
  }
  if (head.starts_with("PGDMP")) {
    c.kind = kind::custom_dump;
    c.detail = dump_json(pg::parse_custom_dump_header(head));
    return c;
  }
  if (pg::looks_like_plain_dump(head)) {
    c.kind = kind::plain_dump;
    auto header = pg::parse_plain_dump_header(head, tail);
    c.detail = dump_json(header);
    if (!header.complete)
      c.problem =
          "plain dump has no completion marker at its end (truncated or still being written)";
    return c;
  }
  if (pg::looks_like_tar_dump(head)) {
    c.kind = kind::tar_dump;
    c.detail = dump_json(pg::parse_tar_dump_header(head));
    return c;
  }
  // Names that promise a dump but content that is not one.
  if (ends_with_any(name, {".dump", ".pgdump", ".backup", ".sql"})) {
    c.problem = size == 0 ? "empty file named like a pg_dump archive"
                          : "named like a pg_dump archive but is not one (no PGDMP header, no "
                            "plain-dump header, not a pg_dump tar)";
  }
  return c;
}

} // namespace

bool is_base_tar_name(std::string_view key)
{
  auto name = basename_of(key);
  return name == "base.tar" || name == "base.tar.gz" || name == "base.tar.zst" ||
         name == "base.tar.lz4" || name == "base.tgz";
}

bool is_wal_tar_name(std::string_view key)
{
  auto name = basename_of(key);
  return name == "pg_wal.tar" || name == "pg_wal.tar.gz" || name == "pg_wal.tar.zst" ||
         name == "pg_wal.tar.lz4";
}

Classification classify_object(std::string_view key, std::uint64_t size, std::string_view head,
                               std::string_view tail)
{
  const auto name = basename_of(key);
  try {
    if (auto wal = pg::parse_wal_archive_name(name)) {
      if (inside_backup_wal_dir(key)) {
        Classification c;
        c.kind = kind::backup_wal;
        c.detail = {{"carried_wal", json::array()}};
        if (auto entry = carried_wal_entry(name, size, head); !entry.is_null())
          c.detail["carried_wal"].push_back(entry);
        return c;
      }
      return classify_wal(*wal, size, head);
    }
    if (name.starts_with("pg_wal.tar")) return Classification{kind::wal_tar, nullptr, ""};
    return classify_by_content(key, name, size, head, tail);
  } catch (const Error& e) {
    // A damaged header: keep what we know about the kind, report the damage.
    Classification c;
    if (name == "toc.dat")
      c.kind = kind::dump_toc;
    else if (name == "backup_label")
      c.kind = kind::backup_label;
    else if (name == "backup_manifest")
      c.kind = kind::backup_manifest;
    else if (head.starts_with("PGDMP"))
      c.kind = kind::custom_dump;
    c.problem = e.what();
    return c;
  }
}

Classification classify_by_name_only(std::string_view key, std::string_view why)
{
  Classification c;
  c.detail = {{"content_unread", why}};
  auto wal = pg::parse_wal_archive_name(basename_of(key));
  if (!wal || (wal->kind != pg::WalFileKind::Segment && wal->kind != pg::WalFileKind::Partial))
    return c;
  c.kind = wal->kind == pg::WalFileKind::Partial ? kind::wal_partial : kind::wal_segment;
  c.detail = {{"timeline", wal->timeline},       {"name", wal->canonical},
              {"compression", wal->compression}, {"xlogid", wal->xlogid},
              {"xlogseg", wal->xlogseg},         {"header_unread", why}};
  return c;
}

Classification classify_base_tar(storage::ReadStream& source)
{
  Classification c;
  c.kind = kind::base_tar;
  c.detail = {{"carried_wal", json::array()}};
  bool have_label = false, have_control = false;
  try {
    // Walks to the end: -X fetch puts the WAL the backup needs under pg_wal/
    // at the end of base.tar (the scan reads every byte for its hash anyway).
    pg::for_each_tar_member(source, [&](const pg::TarMember& m, storage::ReadStream& content) {
      std::string_view path = m.path;
      if (path.starts_with("./")) path.remove_prefix(2);
      if (auto entry = carried_wal_member(m, content, false); !entry.is_null()) {
        c.detail["carried_wal"].push_back(entry);
      } else if (path == "backup_label") {
        c.detail["backup_label"] =
            label_json(pg::parse_backup_label(storage::read_up_to(content, 1 << 20)));
        have_label = true;
      } else if (path == "global/pg_control") {
        c.detail["pg_control"] =
            control_json(pg::parse_pg_control(storage::read_up_to(content, 8192)));
        have_control = true;
      }
      return true;
    });
  } catch (const Error& e) {
    // Damage after label and control is for verify to find (as before this
    // walk went to the end); only the WAL list is then incomplete.
    if (!(have_label && have_control)) {
      c.problem = e.what();
      return c;
    }
    c.detail["carried_wal_unreadable"] = e.what();
  }
  if (!have_label)
    c.problem = "base backup tar has no backup_label";
  else if (!have_control)
    c.problem = "base backup tar has no global/pg_control";
  return c;
}

} // namespace lastgood::catalog
