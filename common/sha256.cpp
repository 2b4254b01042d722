#include "common/sha256.hpp"

#include <openssl/evp.h>

#include "common/error.hpp"

namespace lastgood {

void Sha256::CtxFree::operator()(evp_md_ctx_st* ctx) const { EVP_MD_CTX_free(ctx); }

Sha256::Sha256() : m_ctx(EVP_MD_CTX_new())
{
  if (!m_ctx || EVP_DigestInit_ex(m_ctx.get(), EVP_sha256(), nullptr) != 1)
    throw Error("OpenSSL could not initialise SHA-256");
}

Sha256::~Sha256() = default;
Sha256::Sha256(Sha256&&) noexcept = default;
Sha256& Sha256::operator=(Sha256&&) noexcept = default;

void Sha256::update(std::span<const std::byte> data)
{
  if (EVP_DigestUpdate(m_ctx.get(), data.data(), data.size()) != 1)
    throw Error("OpenSSL SHA-256 update failed");
}

void Sha256::update(std::string_view data) { update(std::as_bytes(std::span(data))); }

std::string Sha256::hex_digest()
{
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  if (EVP_DigestFinal_ex(m_ctx.get(), digest, &length) != 1)
    throw Error("OpenSSL SHA-256 final failed");
  return to_hex(std::span<const unsigned char>(digest, length));
}

std::string Sha256::of(std::string_view data)
{
  Sha256 hash;
  hash.update(data);
  return hash.hex_digest();
}

std::string to_hex(std::span<const unsigned char> bytes)
{
  static constexpr char digits[] = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (unsigned char b : bytes) {
    out.push_back(digits[b >> 4]);
    out.push_back(digits[b & 0xf]);
  }
  return out;
}

} // namespace lastgood
