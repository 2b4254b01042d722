#pragma once
// A file's checksum computed the way backup_manifest records it: CRC32C (as
// pg::crc32c_manifest_hex writes it), SHA224/256/384/512 (lowercase hex), or
// none (size only). See pg-formats.md §2.2.

#include "pg/crc32c.hpp"

#include <cstddef>
#include <memory>
#include <span>
#include <string>
#include <string_view>

struct evp_md_ctx_st;

namespace lastgood::verifier {

class ManifestChecksum
{
public:
  // algorithm: as pg::ManifestFile::checksum_algorithm ("" = none). Throws
  // ValidationError for a name the manifest parser would not have produced.
  explicit ManifestChecksum(std::string_view algorithm);
  ~ManifestChecksum();
  ManifestChecksum(ManifestChecksum&&) noexcept;
  ManifestChecksum& operator=(ManifestChecksum&&) noexcept;

  void update(std::span<const std::byte> data);
  // The checksum as the manifest writes it; "" for none. Call once.
  std::string hex_digest();
  // CRC32C or none: the file's ranges can be checksummed apart and joined.
  bool combinable() const { return m_kind != Kind::Evp; }
  bool is_crc32c() const { return m_kind == Kind::Crc32c; }

private:
  struct CtxFree
  {
    void operator()(evp_md_ctx_st* ctx) const;
  };
  enum class Kind { None, Crc32c, Evp };
  Kind m_kind = Kind::None;
  pg::Crc32c m_crc;
  std::unique_ptr<evp_md_ctx_st, CtxFree> m_ctx;
};

} // namespace lastgood::verifier
