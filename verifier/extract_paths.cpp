#include "verifier/extract_paths.hpp"

#include <algorithm>
#include <cctype>

namespace lastgood::verifier {

namespace {

bool has_dotdot(std::string_view path)
{
  std::size_t start = 0;
  while (start <= path.size()) {
    std::size_t slash = path.find('/', start);
    std::string_view part = path.substr(
        start, slash == std::string_view::npos ? std::string_view::npos : slash - start);
    if (part == "..") return true;
    if (slash == std::string_view::npos) break;
    start = slash + 1;
  }
  return false;
}

} // namespace

std::optional<std::string> safe_member_path(std::string_view raw, std::string& why)
{
  if (raw.find('\0') != std::string_view::npos) {
    why = "contains a NUL byte";
    return std::nullopt;
  }
  if (raw.starts_with("/")) {
    why = "is an absolute path";
    return std::nullopt;
  }
  if (has_dotdot(raw)) {
    why = "contains a '..' component";
    return std::nullopt;
  }
  std::string out;
  std::size_t start = 0;
  // Drop "." and empty components ("./a//b/" -> "a/b").
  while (start <= raw.size()) {
    std::size_t slash = raw.find('/', start);
    std::string_view part =
        raw.substr(start, slash == std::string_view::npos ? std::string_view::npos : slash - start);
    if (!part.empty() && part != ".") {
      if (!out.empty()) out += '/';
      out += part;
    }
    if (slash == std::string_view::npos) break;
    start = slash + 1;
  }
  if (out.empty() && raw != "." && raw != "./") {
    why = "is empty";
    return std::nullopt;
  }
  return out;
}

bool safe_link_target(std::string_view target)
{
  return !target.empty() && !target.starts_with("/") && !has_dotdot(target) &&
         target.find('\0') == std::string_view::npos;
}

std::optional<std::string> unsafe_tar_member(const pg::TarMember& member, TarArchive archive)
{
  std::string why;
  const auto rel = safe_member_path(member.path, why);
  if (!rel) return "member '" + member.path + "' " + why;
  if (rel->empty() || member.directory || member.regular_file) return std::nullopt;
  if (member.symlink) {
    if (archive == TarArchive::Base && tablespace_link_oid(*rel)) return std::nullopt;
    if (archive == TarArchive::Tablespace)
      return "symbolic link '" + member.path + "' inside a tablespace archive";
    if (!safe_link_target(member.link_target))
      return "symbolic link '" + member.path + "' points to '" + member.link_target +
             "', outside the restored directory";
    return std::nullopt;
  }
  if (member.hardlink) {
    const auto target = safe_member_path(member.link_target, why);
    if (!target || target->empty())
      return "hard link '" + member.path + "' points to '" + member.link_target + "', which " +
             (why.empty() ? std::string("is not a file") : why);
    return std::nullopt;
  }
  return "member '" + member.path + "' is neither a file, a directory nor a link";
}

std::optional<std::string> tablespace_link_oid(std::string_view path)
{
  constexpr std::string_view prefix = "pg_tblspc/";
  if (!path.starts_with(prefix)) return std::nullopt;
  std::string_view oid = path.substr(prefix.size());
  if (oid.empty() || oid.size() > 10 || !std::all_of(oid.begin(), oid.end(), [](char c) {
        return std::isdigit(static_cast<unsigned char>(c));
      }))
    return std::nullopt;
  return std::string(oid);
}

} // namespace lastgood::verifier
