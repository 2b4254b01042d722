#pragma once
// wals/xlog.db: Barman's catalogue of archived WAL files, one line each,
// "name<TAB>size<TAB>time<TAB>compression" (older files: without compression).
// size is the stored (compressed) size; time is the file's mtime in seconds;
// compression is "gzip", "bzip2", ... or None.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace lastgood::formats::barman {

struct XlogDbEntry
{
  std::string name; // e.g. 000000010000000000000002, 00000002.history
  std::uint64_t size = 0;
  double time = 0;
  std::string compression; // "" for None
};

struct XlogDb
{
  std::vector<XlogDbEntry> entries;
  std::vector<std::string> malformed; // "line N: why", one per line that does not parse
};

// Never throws: a damaged line is reported in malformed and skipped, so one
// bad line does not hide the others.
XlogDb parse_xlog_db(std::string_view text);

} // namespace lastgood::formats::barman
