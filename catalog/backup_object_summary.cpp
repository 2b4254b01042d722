#include "catalog/backup_object_summary.hpp"

#include "catalog/classify.hpp"

#include <algorithm>

namespace lastgood::catalog {

namespace {

std::string base_name(const std::string& key)
{
  const auto slash = key.rfind('/');
  return slash == std::string::npos ? key : key.substr(slash + 1);
}

} // namespace

BackupObjectSummary summarise_objects(const std::vector<BackupObjectRow>& objects)
{
  BackupObjectSummary s;
  for (const auto& o : objects) {
    ++s.count;
    s.bytes += o.size;
    auto group = std::find_if(s.groups.begin(), s.groups.end(), [&](const ObjectGroup& g) {
      return g.role == o.role && g.kind == o.kind;
    });
    if (group == s.groups.end()) group = s.groups.insert(s.groups.end(), {o.role, o.kind});
    ++group->count;
    group->bytes += o.size;
    if (o.kind == kind::backup_wal || o.kind == kind::wal_segment) {
      const auto name = base_name(o.key);
      ++s.wal_files;
      if (!s.first_wal || name < *s.first_wal) s.first_wal = name;
      if (!s.last_wal || name > *s.last_wal) s.last_wal = name;
    }
    if (o.missing_since || o.problem) s.flagged.push_back(o);
  }
  return s;
}

} // namespace lastgood::catalog
