#include "formats/pgbackrest/sha1.hpp"

#include "common/error.hpp"
#include "common/sha256.hpp"

#include <openssl/evp.h>

namespace lastgood::formats::pgbackrest {

void Sha1::CtxFree::operator()(evp_md_ctx_st* ctx) const
{
  EVP_MD_CTX_free(ctx);
}

Sha1::Sha1() : m_ctx(EVP_MD_CTX_new())
{
  if (!m_ctx || EVP_DigestInit_ex(m_ctx.get(), EVP_sha1(), nullptr) != 1)
    throw Error("OpenSSL could not initialise SHA-1");
}

Sha1::~Sha1() = default;
Sha1::Sha1(Sha1&&) noexcept = default;
Sha1& Sha1::operator=(Sha1&&) noexcept = default;

void Sha1::update(std::span<const std::byte> data)
{
  if (EVP_DigestUpdate(m_ctx.get(), data.data(), data.size()) != 1)
    throw Error("OpenSSL SHA-1 update failed");
}

void Sha1::update(std::string_view data)
{
  update(std::as_bytes(std::span(data)));
}

std::string Sha1::hex_digest()
{
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  if (EVP_DigestFinal_ex(m_ctx.get(), digest, &length) != 1)
    throw Error("OpenSSL SHA-1 final failed");
  return to_hex(std::span<const unsigned char>(digest, length));
}

std::string Sha1::of(std::string_view data)
{
  Sha1 hash;
  hash.update(data);
  return hash.hex_digest();
}

} // namespace lastgood::formats::pgbackrest
