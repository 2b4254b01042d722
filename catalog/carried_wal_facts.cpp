#include "catalog/carried_wal_facts.hpp"

#include "common/error.hpp"
#include "pg/wal_archive_name.hpp"
#include "pg/wal_page_header.hpp"
#include "storage/string_read_stream.hpp"

namespace lastgood::catalog {

using nlohmann::json;

json carried_wal_entry(std::string_view path, std::uint64_t size, std::string_view first_page)
{
  auto slash = path.rfind('/');
  auto name =
      pg::parse_wal_archive_name(slash == std::string_view::npos ? path : path.substr(slash + 1));
  if (!name || name->kind != pg::WalFileKind::Segment || !name->compression.empty()) return nullptr;
  json entry = {{"name", name->canonical},
                {"timeline", name->timeline},
                {"xlogid", name->xlogid},
                {"xlogseg", name->xlogseg},
                {"size", size}};
  if (auto h = pg::parse_wal_long_page_header(first_page))
    entry["header"] = {{"timeline", h->timeline},
                       {"page_address", h->page_address},
                       {"system_identifier", std::to_string(h->system_identifier)},
                       {"segment_size", h->segment_size}};
  return entry;
}

json carried_wal_member(const pg::TarMember& member, storage::ReadStream& content,
                        bool under_pg_wal)
{
  if (!member.regular_file) return nullptr;
  std::string_view path = member.path;
  if (path.starts_with("./")) path.remove_prefix(2);
  if (!under_pg_wal) {
    if (!path.starts_with("pg_wal/")) return nullptr;
    path.remove_prefix(7);
  }
  if (path.find('/') != std::string_view::npos) return nullptr; // archive_status/...
  if (!pg::parse_wal_archive_name(path)) return nullptr;
  return carried_wal_entry(path, member.size, storage::read_up_to(content, 64));
}

Classification classify_wal_tar(storage::ReadStream& source)
{
  Classification c;
  c.kind = kind::wal_tar;
  c.detail = {{"carried_wal", json::array()}};
  try {
    pg::for_each_tar_member(source, [&](const pg::TarMember& m, storage::ReadStream& content) {
      if (auto entry = carried_wal_member(m, content, true); !entry.is_null())
        c.detail["carried_wal"].push_back(entry);
      return true;
    });
  } catch (const Error& e) {
    // Damage is for verify to find; only the WAL list is then incomplete.
    c.detail["carried_wal_unreadable"] = e.what();
  }
  return c;
}

} // namespace lastgood::catalog
