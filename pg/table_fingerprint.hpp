#pragma once
// A database's fingerprint: the exact row count of every table and, in full
// mode, an order-independent hash of its content (the sum of a 64-bit hash of
// each row's text), taken inside one snapshot. Taken of the source in the
// snapshot pg_dump used and of a test-restored copy, it tells a complete
// backup from one that silently missed rows, which comparing row counts with
// the previous backup cannot.

#include <cstdint>
#include <memory>
#include <optional>
#include <pqxx/connection>
#include <pqxx/transaction>
#include <string>
#include <string_view>
#include <vector>

namespace lastgood::pg {

enum class FingerprintMode { None, Counts, Full };

// "none" | "counts" | "full"; throws ValidationError otherwise.
FingerprintMode parse_fingerprint_mode(std::string_view text);
std::string to_string(FingerprintMode mode);

struct TableFingerprint
{
  std::string schema_name;
  std::string table_name;
  std::int64_t rows = 0;
  std::optional<std::string> content_hash; // full mode: a decimal sum
  bool operator==(const TableFingerprint&) const = default;
};

struct DatabaseFingerprint
{
  FingerprintMode mode = FingerprintMode::None;
  std::vector<TableFingerprint> tables; // sorted by schema, table
  // exact_lsn: the consistent point of the temporary logical slot whose
  // exported snapshot was read (pg/exact_fingerprint.hpp): recovery to it
  // reproduces exactly this state. Otherwise pg_current_wal_lsn() read in the
  // snapshot (empty on a standby), which commits racing the read can pass.
  std::string wal_lsn;
  bool exact_lsn = false;
  std::string lsn_note;      // why the LSN is only approximate, when it is
  std::string database_name; // current_database() of the fingerprinted database
};

// A REPEATABLE READ transaction on `conninfo` that has exported its snapshot,
// held open so that pg_dump --snapshot and the fingerprint see the same data.
class HeldSnapshot
{
public:
  // Throws DatabaseError when the server cannot be reached or refuses.
  explicit HeldSnapshot(const std::string& conninfo);
  ~HeldSnapshot();
  HeldSnapshot(const HeldSnapshot&) = delete;
  HeldSnapshot& operator=(const HeldSnapshot&) = delete;

  const std::string& id() const { return m_id; } // for pg_dump --snapshot
  DatabaseFingerprint fingerprint(FingerprintMode mode);

private:
  std::unique_ptr<pqxx::connection> m_connection;
  std::unique_ptr<pqxx::transaction<pqxx::repeatable_read, pqxx::read_only>> m_tx;
  std::string m_id;
};

// The fingerprint of a database as it is now (one REPEATABLE READ snapshot),
// or as of `snapshot` (an exported snapshot, e.g. the one another tool gave
// pg_dump --snapshot): for a restored copy, or beside any other backup tool.
DatabaseFingerprint fingerprint_database(const std::string& conninfo, FingerprintMode mode,
                                         const std::string& snapshot = {});

// The fingerprint inside an open transaction (sets the output settings it
// depends on with SET LOCAL).
DatabaseFingerprint fingerprint_in(pqxx::transaction_base& tx, FingerprintMode mode);

struct FingerprintDifference
{
  std::string schema_name, table_name;
  std::string what; // "20000 rows at backup, 19873 restored" / "missing from the restore" / …
};

// What differs between the source's fingerprint and a restored copy's, table
// by table (content compared only when both are full). Tables the restore has
// and the source had not are differences too.
std::vector<FingerprintDifference> compare_fingerprints(const DatabaseFingerprint& source,
                                                        const DatabaseFingerprint& restored);

} // namespace lastgood::pg
