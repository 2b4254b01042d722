#pragma once
// A source fingerprint at an exact WAL position, for comparing with a PITR
// drill of a base backup. pg_current_wal_lsn() read inside a snapshot is not
// exact: a commit after the snapshot but before the read lies below that LSN,
// so recovery to it replays a row the fingerprint did not count. The snapshot
// exported by a temporary logical replication slot is exact: it holds every
// transaction whose commit lies before the slot's consistent_point and none
// after (the point where logical decoding of that slot starts).

#include "pg/table_fingerprint.hpp"

#include <string>

namespace lastgood::pg {

// The fingerprint of the database `conninfo` names. With wal_level=logical it
// is read in the snapshot of a temporary logical slot (dropped at once) and
// wal_lsn is that slot's consistent_point (exact_lsn = true). Otherwise, or
// when the slot cannot be made (no REPLICATION privilege, no free slot or WAL
// sender, a standby), it is today's fingerprint with an approximate wal_lsn
// and lsn_note saying why. Throws DatabaseError when the database cannot be
// read at all.
DatabaseFingerprint fingerprint_at_exact_lsn(const std::string& conninfo, FingerprintMode mode);

} // namespace lastgood::pg
