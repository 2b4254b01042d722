#include "verifier/stream_checksums.hpp"

#include "verifier/directory_feed.hpp"

#include <cstdlib>
#include <map>

namespace lastgood::verifier {

bool restore_stream_reads_all(storage::Storage& storage, const catalog::BackupRow& backup,
                              const std::vector<catalog::BackupObjectRow>& objects,
                              unsigned restore_jobs)
{
  if (const char* hook = std::getenv("LASTGOOD_VERIFY_READ_TWICE"); hook && *hook == '1')
    return false;
  if (backup.kind == "physical") return false;
  return (streams_dump(storage, backup, restore_jobs) && objects.size() == 1) ||
         streams_directory_dump(storage, backup);
}

StreamChecksums stream_checksums(const std::vector<StreamedObject>& streamed,
                                 const std::vector<catalog::BackupObjectRow>& objects)
{
  StreamChecksums out;
  std::map<std::string, const StreamedObject*> by_key;
  for (const auto& s : streamed)
    by_key[s.object.key] = &s;
  for (const auto& object : objects) {
    const auto it = by_key.find(object.key);
    const FeedOutcome* outcome = it == by_key.end() ? nullptr : &it->second->outcome;
    if (outcome) out.findings.append(feed_findings(object, *outcome));
    if (outcome && outcome->read_error) continue; // feed_findings said so
    if (!outcome || outcome->sha256.empty()) {
      out.findings.add(finding_kind::unreadable_object, Severity::Error, object.key,
                       "the test restore did not read this object to its end, so its checksum "
                       "is unknown; verify again (--level checksum reads every object)");
      continue;
    }
    if (!object.sha256) {
      out.findings.add(finding_kind::unreadable_object, Severity::Warning, object.key,
                       "the catalog holds no SHA-256 for this object: its bytes were read but "
                       "not compared. Run 'lastgood scan --rehash'");
      continue;
    }
    out.compared = true;
    if (outcome->sha256 == *object.sha256)
      out.verified.push_back({object.key, outcome->sha256, {}});
  }
  return out;
}

} // namespace lastgood::verifier
