#pragma once
// Streaming SHA-1 (OpenSSL EVP): pgBackRest names files, checks info files and
// records every backed-up file with SHA-1.

#include <cstddef>
#include <memory>
#include <span>
#include <string>
#include <string_view>

struct evp_md_ctx_st;

namespace lastgood::formats::pgbackrest {

class Sha1
{
public:
  Sha1();
  ~Sha1();
  Sha1(Sha1&&) noexcept;
  Sha1& operator=(Sha1&&) noexcept;

  void update(std::span<const std::byte> data);
  void update(std::string_view data);
  // Finishes the digest: 40 lowercase hex digits. Call once.
  std::string hex_digest();

  static std::string of(std::string_view data);

private:
  struct CtxFree
  {
    void operator()(evp_md_ctx_st* ctx) const;
  };
  std::unique_ptr<evp_md_ctx_st, CtxFree> m_ctx;
};

} // namespace lastgood::formats::pgbackrest
