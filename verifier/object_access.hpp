#pragma once
// "Could not check" versus "damaged". Reading a backup can fail because we
// may not read it (permission, I/O error, storage unreachable): that says
// nothing about the backup, so it is an ObjectUnreadable and a finding of
// severity Error (the run ends 'error', the backup keeps its status). Only
// bytes that are wrong (checksum, a TOC that parses as garbage, a restore
// failing on content) are findings of severity Failure.

#include "common/error.hpp"
#include "storage/storage.hpp"
#include "verifier/finding.hpp"

#include <optional>
#include <string>
#include <vector>

namespace lastgood::verifier {

// An object we could not read; `reason` says what storage or the tool said.
class ObjectUnreadable : public StorageError
{
public:
  ObjectUnreadable(std::string key, std::string reason);
  const std::string& key() const { return m_key; }
  const std::string& reason() const { return m_reason; }

private:
  std::string m_key, m_reason;
};

// The finding for an object that could not be read: what failed, on which
// object, and what to do.
Finding unreadable_finding(const std::string& key, const std::string& reason);

// Opens every key for reading (and reads its first byte), so that a
// PostgreSQL tool handed a local path cannot mistake "may not read" for
// "damaged". Throws ObjectUnreadable, or NotFoundError when a key is gone.
void require_readable(storage::Storage& storage, const std::vector<std::string>& keys);

// The line of a PostgreSQL tool's stderr saying it could not open or read
// its input file for lack of access or an I/O error, if there is one.
std::optional<std::string> input_access_failure(const std::string& tool_stderr);

} // namespace lastgood::verifier
