#include "verifier/manifest_checksum.hpp"

#include "common/error.hpp"
#include "common/sha256.hpp"

#include <openssl/evp.h>

namespace lastgood::verifier {
namespace {

const EVP_MD* digest_for(std::string_view algorithm)
{
  if (algorithm == "SHA224") return EVP_sha224();
  if (algorithm == "SHA256") return EVP_sha256();
  if (algorithm == "SHA384") return EVP_sha384();
  if (algorithm == "SHA512") return EVP_sha512();
  return nullptr;
}

} // namespace

void ManifestChecksum::CtxFree::operator()(evp_md_ctx_st* ctx) const
{
  EVP_MD_CTX_free(ctx);
}

ManifestChecksum::ManifestChecksum(std::string_view algorithm)
{
  if (algorithm.empty() || algorithm == "NONE") return;
  if (algorithm == "CRC32C") {
    m_kind = Kind::Crc32c;
    return;
  }
  const EVP_MD* md = digest_for(algorithm);
  if (!md)
    throw ValidationError("unknown backup_manifest checksum algorithm \"" + std::string(algorithm) +
                          "\" (known: CRC32C, SHA224, SHA256, SHA384, SHA512)");
  m_kind = Kind::Evp;
  m_ctx.reset(EVP_MD_CTX_new());
  if (!m_ctx || EVP_DigestInit_ex(m_ctx.get(), md, nullptr) != 1)
    throw Error("OpenSSL could not initialise " + std::string(algorithm));
}

ManifestChecksum::~ManifestChecksum() = default;
ManifestChecksum::ManifestChecksum(ManifestChecksum&&) noexcept = default;
ManifestChecksum& ManifestChecksum::operator=(ManifestChecksum&&) noexcept = default;

void ManifestChecksum::update(std::span<const std::byte> data)
{
  switch (m_kind) {
  case Kind::None:
    return;
  case Kind::Crc32c:
    m_crc.update(data);
    return;
  case Kind::Evp:
    if (EVP_DigestUpdate(m_ctx.get(), data.data(), data.size()) != 1)
      throw Error("OpenSSL digest update failed");
    return;
  }
}

std::string ManifestChecksum::hex_digest()
{
  switch (m_kind) {
  case Kind::None:
    return "";
  case Kind::Crc32c:
    return m_crc.manifest_hex();
  case Kind::Evp:
    break;
  }
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  if (EVP_DigestFinal_ex(m_ctx.get(), digest, &length) != 1)
    throw Error("OpenSSL digest final failed");
  return to_hex(std::span<const unsigned char>(digest, length));
}

} // namespace lastgood::verifier
