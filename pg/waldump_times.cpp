#include "pg/waldump_times.hpp"

#include "common/error.hpp"
#include "pg/child_process.hpp"
#include "pg/lsn.hpp"

#include <regex>

namespace lastgood::pg {

CommitTimes parse_waldump_commits(std::string_view output)
{
  static const std::regex line(
      R"(lsn: ([0-9A-Fa-f]+/[0-9A-Fa-f]+),.*desc: (?:COMMIT|ABORT|COMMIT_PREPARED|ABORT_PREPARED) )"
      R"((\d{4}-\d\d-\d\d) (\d\d:\d\d:\d\d)(\.\d+)? UTC)");
  CommitTimes out;
  std::size_t pos = 0;
  while (pos < output.size()) {
    auto end = output.find('\n', pos);
    if (end == std::string_view::npos) end = output.size();
    std::string text(output.substr(pos, end - pos));
    pos = end + 1;
    std::smatch m;
    if (!std::regex_search(text, m, line)) continue;
    std::string frac = m[4].matched ? m[4].str() : ".0";
    frac = (frac.substr(1) + "000000").substr(0, 6);
    auto time = m[2].str() + "T" + m[3].str() + "." + frac + "Z";
    // pg_waldump prints 8 hex digits at most per half; anything else is not its line.
    auto parsed = Lsn::try_parse(m[1].str());
    if (!parsed) continue;
    auto lsn = parsed->value;
    if (!out.first_time) {
      out.first_time = time;
      out.first_lsn = lsn;
    }
    // Commit times are not strictly ordered along WAL; keep the latest one.
    if (!out.latest_time || time > *out.latest_time) {
      out.latest_time = time;
      out.latest_lsn = lsn;
    }
    ++out.commits;
  }
  return out;
}

CommitTimes read_commit_times(const std::string& dir, const std::string& segment_name)
{
  ProcessOptions o;
  o.argv = {find_pg_program("pg_waldump"), "--path=" + dir, "--rmgr=Transaction", segment_name};
  o.env = {{"TZ", "UTC"}, {"LC_ALL", "C"}};
  o.timeout = std::chrono::seconds(60);
  o.output_limit = 64u << 20;
  auto r = run_process(o);
  // A segment without transaction records prints nothing; an unreadable one fails at its start.
  if (r.exit_code != 0 && r.out.empty() &&
      r.err.find("invalid record length") == std::string::npos &&
      r.err.find("error in WAL record") == std::string::npos)
    throw Error(describe_failure(r, "pg_waldump on " + segment_name));
  return parse_waldump_commits(r.out);
}

} // namespace lastgood::pg
