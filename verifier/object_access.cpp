#include "verifier/object_access.hpp"

#include <array>
#include <regex>
#include <sstream>

namespace lastgood::verifier {

ObjectUnreadable::ObjectUnreadable(std::string key, std::string reason)
    : StorageError("cannot read '" + key + "': " + reason), m_key(std::move(key)),
      m_reason(std::move(reason))
{
}

Finding unreadable_finding(const std::string& key, const std::string& reason)
{
  return {finding_kind::unreadable_object,
          Severity::Error,
          key,
          "could not check '" + key + "': " + reason +
              " — grant the verifying user read access (or fix the storage) and verify again; "
              "this says nothing about the backup, whose status is unchanged",
          {{"error", reason}}};
}

void require_readable(storage::Storage& storage, const std::vector<std::string>& keys)
{
  std::array<std::byte, 1> first{};
  for (const auto& key : keys) {
    try {
      storage.read(key, 0, 1)->read(first);
    } catch (const NotFoundError&) {
      throw;
    } catch (const ObjectUnreadable&) {
      throw;
    } catch (const StorageError& e) {
      throw ObjectUnreadable(key, e.what());
    }
  }
}

std::optional<std::string> input_access_failure(const std::string& tool_stderr)
{
  // pg_restore: 'could not open input file "x": Permission denied',
  // 'could not read input file: Input/output error'; psql: 'x.sql: Permission denied'.
  static const std::regex access(R"(Permission denied|Operation not permitted|Input/output error)");
  static const std::regex server_side(R"(ERROR:|FATAL:|permission denied for )");
  std::istringstream lines(tool_stderr);
  for (std::string line; std::getline(lines, line);)
    if (std::regex_search(line, access) && !std::regex_search(line, server_side)) return line;
  return std::nullopt;
}

} // namespace lastgood::verifier
