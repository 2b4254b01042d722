#pragma once
// CRC-32C (Castagnoli) as PostgreSQL computes it: reflected polynomial
// 0x82F63B78, initial value 0xFFFFFFFF, final xor 0xFFFFFFFF. Used for
// backup_manifest "CRC32C" checksums and the pg_control CRC. Uses the SSE4.2
// crc32 instruction when the CPU has it, a table-driven loop otherwise.

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

namespace lastgood::pg {

// Streaming CRC-32C: feed data with update(), read value() at any point.
class Crc32c
{
public:
  void update(std::span<const std::byte> data);
  void update(std::string_view data);
  std::uint32_t value() const { return m_state ^ 0xFFFFFFFFu; }
  // value() as backup_manifest writes it (see crc32c_manifest_hex).
  std::string manifest_hex() const;

private:
  std::uint32_t m_state = 0xFFFFFFFFu;
};

std::uint32_t crc32c(std::span<const std::byte> data);
std::uint32_t crc32c(std::string_view data);

// The manifest's "Checksum" for CRC32C: lowercase hex of the uint32's four
// bytes in host (little-endian) order, e.g. 0x2247748a -> "8a744722".
std::string crc32c_manifest_hex(std::uint32_t crc);

// The CRC-32C of A followed by B, from crc32c(A), crc32c(B) and B's length
// (zlib's crc32_combine with the Castagnoli polynomial): lets ranges of one
// file be checksummed in parallel and joined.
std::uint32_t crc32c_combine(std::uint32_t crc_a, std::uint32_t crc_b, std::uint64_t length_b);

// The two implementations behind Crc32c, exposed for tests and benchmarks.
// Both take and return the raw (not yet final-xored) state.
bool crc32c_hardware_available();
std::uint32_t crc32c_update_software(std::uint32_t state, std::span<const std::byte> data);
// Only call when crc32c_hardware_available() is true.
std::uint32_t crc32c_update_hardware(std::uint32_t state, std::span<const std::byte> data);

} // namespace lastgood::pg
