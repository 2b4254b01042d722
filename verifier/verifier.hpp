#pragma once
// Verifies backups and records every run: checksum, then structure, then a
// test restore, each level including the ones below it. A run ends 'pass',
// 'fail' (the backup is bad) or 'error' (we could not tell), and the
// backup's status follows from its runs.

#include "catalog/backup_queries.hpp"
#include "catalog/database.hpp"
#include "catalog/verification_runs.hpp"
#include "common/cipher_pass.hpp"
#include "common/config.hpp"
#include "storage/storage.hpp"
#include "verifier/finding.hpp"

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace lastgood::verifier {

class ScratchServer;

struct VerifyReport
{
  std::int64_t run_id = 0; // 0 when skipped
  std::string backup_id;
  Level level = Level::Checksum;
  std::string outcome; // pass | fail | error | skipped
  std::vector<Finding> findings;
  std::vector<catalog::RowCountRecord> row_counts;
  double seconds = 0;
  std::vector<std::string> notes; // level lowered, restore skipped, lease held...
  bool capped = false; // skipped: its source had verify.max_concurrent_per_source restores running
  nlohmann::json recovery_point; // base backups: where recovery stopped
  std::string checksum_hash; // what bytes were compared with: xxh3-128 | sha256 | xxh3-128+sha256
};

class Verifier
{
public:
  // watermark: the newest run id when the work was planned (catalog::newest_run_id
  // taken before planning); -1 = take it now.
  Verifier(catalog::Database& db, VerifyConfig config, std::string scratch_spec, unsigned jobs,
           std::int64_t watermark = -1);
  ~Verifier();

  // Skips (outcome "skipped") when another verifier holds the backup, or has
  // verified it at this level or higher since this Verifier was created, or
  // when `retention apply` deleted it meanwhile (its objects went missing
  // while they were read: the run is closed as `error` with a backup_deleted
  // finding, never `fail`, and the report says "skipped").
  VerifyReport verify(const catalog::BackupRow& backup, Level level, const std::string& trigger);

  // Closes runs that died with their process and drops their scratch
  // databases (only lastgood_verify_<run> ones the catalog knows are over),
  // and removes scratch clusters of dead processes. Returns what was removed.
  // Runs by itself before the first test restore; at most once.
  std::vector<std::string> clean_up_after_crashes();
  // What killed runs left outside the catalog (temp files in file
  // repositories, lastgood dirs in $TMPDIR, scratch clusters of dead owners),
  // removed with audit rows; what every verify does first. At most once.
  std::vector<std::string> sweep_leftovers();
  // Another Verifier of the same batch did both clean-ups already (parallel
  // workers: one cleans, before any starts).
  void mark_cleaned_up() { m_cleaned_up = m_swept = true; }

  // When the work was planned (RFC 3339; default: when this Verifier was made):
  // a retention deletion since then explains objects found missing.
  void set_planned_at(std::string time) { m_planned_at = std::move(time); }
  // Tests only: called after a run is begun, before the backup is read (to
  // put a concurrent command's effect deterministically in that window).
  void set_before_reading_hook(std::function<void(const catalog::BackupRow&)> hook)
  {
    m_before_reading = std::move(hook);
  }

  // For Level::Pitr: the target time (RFC 3339) base backups are recovered to.
  void set_target_time(std::string time) { m_target_time = std::move(time); }
  // The user asked for parallel restores (--jobs N > 1): a custom dump on object
  // storage is then copied locally for pg_restore --jobs; otherwise it streams.
  void set_parallel_restore(bool parallel) { m_parallel_restore = parallel; }
  // --cryptographic: the checksum level recomputes every object's SHA-256
  // instead of comparing XXH3-128 where its SHA-256 is not due.
  void set_cryptographic(bool cryptographic) { m_cryptographic = cryptographic; }
  // The flag that gave scratch_spec (--scratch, --to, --dbname), named in connection errors
  // (default: --scratch, or verify.scratch when scratch_spec was empty).
  void set_scratch_flag(std::string flag) { m_scratch_flag = std::move(flag); }
  // Passed on to wal-fetch by test restores of base backups.
  void set_config_path(std::string path) { m_config_path = std::move(path); }
  // The passphrases of encrypted pgBackRest repositories (cipher_pass_lookup
  // of the configuration); unset: none is known.
  void set_cipher_pass(CipherPassLookup lookup) { m_cipher_pass = std::move(lookup); }

private:
  storage::Storage& storage_for(const std::string& repository);
  // lastgood_verify_<run> databases on a named scratch server whose runs are over.
  std::vector<std::string> drop_abandoned_scratch_databases();
  ScratchServer& scratch();
  // The checksum level: reads every object, records which hash it compared
  // and what the catalog gains (XXH3 digests, SHA-256 check times).
  Findings check_bytes(storage::Storage& storage, const catalog::BackupRow& backup,
                       const std::vector<catalog::BackupObjectRow>& objects, std::int64_t run_id,
                       VerifyReport& report);
  // The restore level of a logical dump. bytes_in_restore: the stream into
  // pg_restore is the run's checksum evidence (stream_checksums.hpp).
  Findings restore_dump(storage::Storage& storage, const catalog::BackupRow& backup,
                        const std::vector<catalog::BackupObjectRow>& objects, std::int64_t run_id,
                        VerifyReport& report, bool bytes_in_restore);
  Findings run_levels(const catalog::BackupRow& backup, Level level, std::int64_t run_id,
                      VerifyReport& report);
  std::optional<std::string> cipher_pass(const catalog::BackupRow& backup) const;
  // The finding that replaces the others when objects went missing because
  // `retention apply` deleted the backup since this Verifier was created.
  std::optional<Finding> deleted_while_read(const catalog::BackupRow& backup,
                                            const Findings& findings);

  catalog::Database& m_db;
  VerifyConfig m_config;
  std::string m_scratch_spec;
  std::string m_scratch_flag;
  unsigned m_jobs;
  bool m_parallel_restore = false;
  bool m_cryptographic = false;
  std::map<std::string, std::unique_ptr<storage::Storage>> m_storages;
  std::unique_ptr<ScratchServer> m_scratch;
  bool m_cleaned_up = false;
  bool m_swept = false;
  std::int64_t m_watermark = 0; // newest run id when the work was planned
  std::string m_target_time;
  std::string m_config_path;
  CipherPassLookup m_cipher_pass;
  std::string m_planned_at; // see set_planned_at
  std::function<void(const catalog::BackupRow&)> m_before_reading;
};

nlohmann::json to_json(const VerifyReport& report);

} // namespace lastgood::verifier
