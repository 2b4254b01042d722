#pragma once
// Every restore (restore command) and every test restore (verify --level
// restore), oldest first, as the metrics count them.

#include "catalog/database.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace lastgood::catalog {

struct RestoreOutcome
{
  std::string outcome; // running | pass | fail | error
  std::optional<double> duration_seconds;
  std::uint64_t backup_size_bytes = 0;
  std::string scope; // the backup's database, else its cluster's system identifier, else "unknown"
  // restore runs: the run's message; test restores: the kind of its first
  // failure (else error) finding.
  std::optional<std::string> problem;
};

std::vector<RestoreOutcome> restore_run_outcomes(Database& db);
std::vector<RestoreOutcome> test_restore_outcomes(Database& db);

} // namespace lastgood::catalog
