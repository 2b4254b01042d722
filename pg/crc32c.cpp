#include "pg/crc32c.hpp"

#include <array>
#include <cstring>

#if defined(__x86_64__)
#include <nmmintrin.h>
#endif

namespace lastgood::pg {
namespace {

constexpr std::uint32_t kPolynomial = 0x82F63B78u; // reflected Castagnoli

// Slicing-by-8 tables: kTables[0] is the classic byte table, kTables[k][b] the
// CRC of byte b followed by k zero bytes.
constexpr std::array<std::array<std::uint32_t, 256>, 8> make_tables()
{
  std::array<std::array<std::uint32_t, 256>, 8> tables{};
  for (std::uint32_t b = 0; b < 256; ++b) {
    std::uint32_t crc = b;
    for (int bit = 0; bit < 8; ++bit)
      crc = (crc & 1u) ? (crc >> 1) ^ kPolynomial : crc >> 1;
    tables[0][b] = crc;
  }
  for (std::size_t k = 1; k < 8; ++k)
    for (std::size_t b = 0; b < 256; ++b)
      tables[k][b] = (tables[k - 1][b] >> 8) ^ tables[0][tables[k - 1][b] & 0xFFu];
  return tables;
}

constexpr auto kTables = make_tables();

std::uint64_t load_le64(const unsigned char* p)
{
  std::uint64_t v;
  std::memcpy(&v, p, sizeof v); // x86-64 and ARM64 are little-endian
  return v;
}

} // namespace

std::uint32_t crc32c_update_software(std::uint32_t state, std::span<const std::byte> data)
{
  const auto* p = reinterpret_cast<const unsigned char*>(data.data());
  std::size_t n = data.size();
  while (n >= 8) {
    std::uint64_t v = load_le64(p) ^ state;
    state = kTables[7][v & 0xFF] ^ kTables[6][(v >> 8) & 0xFF] ^ kTables[5][(v >> 16) & 0xFF] ^
            kTables[4][(v >> 24) & 0xFF] ^ kTables[3][(v >> 32) & 0xFF] ^
            kTables[2][(v >> 40) & 0xFF] ^ kTables[1][(v >> 48) & 0xFF] ^ kTables[0][v >> 56];
    p += 8;
    n -= 8;
  }
  while (n-- > 0)
    state = (state >> 8) ^ kTables[0][(state ^ *p++) & 0xFFu];
  return state;
}

namespace {

std::uint32_t gf2_times(const std::uint32_t* matrix, std::uint32_t vector)
{
  std::uint32_t sum = 0;
  for (; vector; vector >>= 1, ++matrix)
    if (vector & 1) sum ^= *matrix;
  return sum;
}

void gf2_square(std::uint32_t* square, const std::uint32_t* matrix)
{
  for (int n = 0; n < 32; ++n)
    square[n] = gf2_times(matrix, matrix[n]);
}

} // namespace

std::uint32_t crc32c_combine(std::uint32_t crc_a, std::uint32_t crc_b, std::uint64_t length_b)
{
  if (length_b == 0) return crc_a;
  std::uint32_t even[32], odd[32];
  odd[0] = 0x82F63B78u; // the operator for one zero bit
  for (std::uint32_t n = 1, row = 1; n < 32; ++n, row <<= 1)
    odd[n] = row;
  gf2_square(even, odd); // two zero bits
  gf2_square(odd, even); // four zero bits
  // Applies length_b zero bytes to crc_a, squaring the operator per bit of the length.
  do {
    gf2_square(even, odd);
    if (length_b & 1) crc_a = gf2_times(even, crc_a);
    length_b >>= 1;
    if (length_b == 0) break;
    gf2_square(odd, even);
    if (length_b & 1) crc_a = gf2_times(odd, crc_a);
    length_b >>= 1;
  } while (length_b != 0);
  return crc_a ^ crc_b;
}

#if defined(__x86_64__)

bool crc32c_hardware_available()
{
  static const bool available = __builtin_cpu_supports("sse4.2");
  return available;
}

namespace {

// The crc32 instruction has a latency of 3 cycles and a throughput of 1: three
// independent lanes keep it busy, and their CRCs are joined by shifting the
// first two over the bytes after them (a 32x32 bit matrix each, made once).
constexpr std::size_t kLane = 8192;

struct LaneShifts
{
  std::uint32_t one[32], two[32]; // shift by kLane, by 2 * kLane bytes
};

const LaneShifts& lane_shifts()
{
  static const LaneShifts shifts = [] {
    LaneShifts s;
    for (int bit = 0; bit < 32; ++bit) {
      s.one[bit] = crc32c_combine(1u << bit, 0, kLane);
      s.two[bit] = crc32c_combine(1u << bit, 0, 2 * kLane);
    }
    return s;
  }();
  return shifts;
}

} // namespace

__attribute__((target("sse4.2"))) std::uint32_t
crc32c_update_hardware(std::uint32_t state, std::span<const std::byte> data)
{
  const auto* p = reinterpret_cast<const unsigned char*>(data.data());
  std::size_t n = data.size();
  std::uint64_t crc = state;
  if (n >= 3 * kLane) {
    const LaneShifts& shifts = lane_shifts();
    while (n >= 3 * kLane) {
      std::uint64_t a = crc, b = 0, c = 0;
      for (std::size_t i = 0; i < kLane; i += 8) { // interleaved: three chains in flight
        a = _mm_crc32_u64(a, load_le64(p + i));
        b = _mm_crc32_u64(b, load_le64(p + kLane + i));
        c = _mm_crc32_u64(c, load_le64(p + 2 * kLane + i));
      }
      crc = gf2_times(shifts.two, static_cast<std::uint32_t>(a)) ^
            gf2_times(shifts.one, static_cast<std::uint32_t>(b)) ^ static_cast<std::uint32_t>(c);
      p += 3 * kLane;
      n -= 3 * kLane;
    }
  }
  while (n >= 8) {
    crc = _mm_crc32_u64(crc, load_le64(p));
    p += 8;
    n -= 8;
  }
  auto crc32 = static_cast<std::uint32_t>(crc);
  while (n-- > 0)
    crc32 = _mm_crc32_u8(crc32, *p++);
  return crc32;
}

#else

bool crc32c_hardware_available()
{
  return false;
}

std::uint32_t crc32c_update_hardware(std::uint32_t state, std::span<const std::byte> data)
{
  return crc32c_update_software(state, data);
}

#endif

void Crc32c::update(std::span<const std::byte> data)
{
  m_state = crc32c_hardware_available() ? crc32c_update_hardware(m_state, data)
                                        : crc32c_update_software(m_state, data);
}

void Crc32c::update(std::string_view data)
{
  update(std::as_bytes(std::span(data)));
}

std::string Crc32c::manifest_hex() const
{
  return crc32c_manifest_hex(value());
}

std::uint32_t crc32c(std::span<const std::byte> data)
{
  Crc32c crc;
  crc.update(data);
  return crc.value();
}

std::uint32_t crc32c(std::string_view data)
{
  return crc32c(std::as_bytes(std::span(data)));
}

std::string crc32c_manifest_hex(std::uint32_t crc)
{
  static constexpr char digits[] = "0123456789abcdef";
  std::string out;
  out.reserve(8);
  for (int i = 0; i < 4; ++i) { // byte 0 (least significant) first, as stored in memory
    unsigned byte = (crc >> (8 * i)) & 0xFFu;
    out.push_back(digits[byte >> 4]);
    out.push_back(digits[byte & 0xF]);
  }
  return out;
}

} // namespace lastgood::pg
