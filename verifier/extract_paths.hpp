#pragma once
// Which archive member names and link targets may be written under a
// directory being restored: nothing may land outside it (absolute paths,
// ".." components, links that point out of it).

#include "pg/tar_reader.hpp"

#include <optional>
#include <string>
#include <string_view>

namespace lastgood::verifier {

// The member's path relative to the directory ("./base/1/123" -> "base/1/123",
// trailing '/' dropped), or nullopt with `why` set when it is absolute,
// contains a ".." component, a NUL byte, or is empty. "." alone yields "".
std::optional<std::string> safe_member_path(std::string_view raw, std::string& why);

// A symlink target that cannot lead out of the directory wherever the link
// sits in it: relative and without ".." components.
bool safe_link_target(std::string_view target);

// Which archive of a base backup a tar member comes from: the data directory
// (base.tar), pg_wal.tar, or a tablespace's <oid>.tar.
enum class TarArchive { Base, Wal, Tablespace };

// Why extracting this member could write outside the directory it goes to
// ("member '../evil' contains a '..' component"), or nullopt when it cannot.
// The restore level refuses such a member; the structure level reports it.
// pg_tblspc/<oid> links in base.tar are safe: restoring replaces their target.
std::optional<std::string> unsafe_tar_member(const pg::TarMember& member, TarArchive archive);

// "pg_tblspc/16385" -> "16385"; nullopt for anything else.
std::optional<std::string> tablespace_link_oid(std::string_view path);

} // namespace lastgood::verifier
