#include "restore/xid_target.hpp"

#include "restore/wal_activity_scan.hpp"

#include <algorithm>

namespace lastgood::restore {

namespace {

constexpr std::uint32_t kFirstNormalXid = 3;

} // namespace

std::optional<TransactionEnd> find_transaction_end(catalog::Database& db, catalog::WalChain& chain,
                                                   const std::vector<PathStep>& path,
                                                   std::uint64_t segment_size, std::uint32_t xid)
{
  WalActivityScanner scanner(db, chain, segment_size);
  auto spans = archive_spans(db, chain, path, segment_size);
  for (auto span = spans.rbegin(); span != spans.rend(); ++span) {
    if (span->last < span->first) continue;
    for (auto segno = span->last + 1; segno-- > span->first;) {
      auto seg = scanner.read(span->timeline, segno);
      if (!seg) continue;
      bool newer_seen = false;
      for (const auto& t : seg->activity.transactions) {
        if (t.xid >= xid) newer_seen = true;
        if (t.xid != xid || !t.end_lsn) continue;
        TransactionEnd end;
        end.xid = xid;
        end.first_lsn = pg::Lsn{t.first_lsn};
        end.end_lsn = pg::Lsn{*t.end_lsn};
        end.timeline = span->timeline;
        end.time = t.end_time;
        end.kind = t.end_kind;
        return end;
      }
      const bool any =
          std::any_of(seg->activity.transactions.begin(), seg->activity.transactions.end(),
                      [](const auto& t) { return t.xid >= kFirstNormalXid; });
      if (any && !newer_seen) return std::nullopt;
    }
  }
  return std::nullopt;
}

} // namespace lastgood::restore
