#pragma once
// `scan`: index new and changed objects of a repository, hash them on several
// threads, classify them, mark vanished ones missing, and derive backups.

#include "catalog/database.hpp"
#include "catalog/repositories.hpp"
#include "storage/storage.hpp"

#include <chrono>
#include <cstdint>
#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace lastgood::catalog {

struct ScanProgress
{
  std::uint64_t listed = 0;
  std::uint64_t to_read = 0;
  std::uint64_t read = 0;
  std::uint64_t bytes_read = 0;
};

struct ScanOptions
{
  bool rehash = false;                                  // read every object, even unchanged ones
  unsigned jobs = 0;                                    // reader threads; 0 = all cores
  std::function<void(const ScanProgress&)> on_progress; // called from the scanning thread
  // An encrypted pgBackRest repository's passphrase (common/cipher_pass): a secret.
  std::optional<std::string> cipher_pass;
};

struct ScanProblem
{
  std::string key;
  std::string message;
};

struct ScanSummary
{
  std::string repository;
  std::int64_t scan_id = 0;
  std::uint64_t new_objects = 0;
  std::uint64_t changed = 0; // size/mtime/etag differ (or content, see content_changed)
  std::uint64_t unchanged = 0;
  std::uint64_t missing = 0; // vanished in this scan
  std::uint64_t bytes_hashed = 0;
  std::uint64_t backups = 0;
  std::uint64_t new_backups = 0;
  double seconds = 0;
  std::vector<std::string> content_changed;   // same key, different SHA-256 (audited)
  std::vector<ScanProblem> problems;          // found in this scan
  std::vector<ScanProblem> standing_problems; // known before, still there
  std::vector<std::string> cleaned_up;        // leftovers of killed runs removed first (audited)
  std::vector<ScanProblem> temp_files;        // temp files seen and kept (writes in progress...)
  bool clean() const
  {
    return problems.empty() && standing_problems.empty() && content_changed.empty();
  }
};

// The summary as `scan --json` and `run --json` print it.
nlohmann::json to_json(const ScanSummary& summary);

ScanSummary scan_repository(Database& db, const Repository& repository, storage::Storage& storage,
                            const ScanOptions& options);

} // namespace lastgood::catalog
