#pragma once
// Checks on a restored database: every table's exact row count, amcheck on
// every B-tree index (and verify_heapam where the server has it), the user's
// SQL checks for this database, and drift against the last passing restore.

#include <string>
#include <vector>

#include "catalog/verification_runs.hpp"
#include "common/config.hpp"
#include "verifier/finding.hpp"


namespace lastgood::verifier {

struct DataCheckResult {
  Findings findings;
  std::vector<catalog::RowCountRecord> row_counts;
};

// Row counts and amcheck run on `jobs` connections at once, largest relations first.
DataCheckResult check_restored_database(const std::string& conninfo, const std::string& database,
                                        const VerifyConfig& config,
                                        const std::vector<catalog::RowCountRecord>& previous, unsigned jobs);

// Tables that vanished or lost more than config.shrink_threshold of their rows.
Findings compare_row_counts(const std::vector<catalog::RowCountRecord>& previous,
                            const std::vector<catalog::RowCountRecord>& current, const VerifyConfig& config);

} // namespace lastgood::verifier
