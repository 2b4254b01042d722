#pragma once
// Streaming SHA-256 on OpenSSL's EVP interface (uses SHA-NI where the CPU has it).

#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>

struct evp_md_ctx_st;

namespace lastgood {

class Sha256 {
public:
  Sha256();
  ~Sha256();
  Sha256(Sha256&&) noexcept;
  Sha256& operator=(Sha256&&) noexcept;

  void update(std::span<const std::byte> data);
  void update(std::string_view data);
  // Finishes the digest and returns it as 64 lowercase hex digits. Call once.
  std::string hex_digest();

  static std::string of(std::string_view data);

private:
  struct CtxFree {
    void operator()(evp_md_ctx_st* ctx) const;
  };
  std::unique_ptr<evp_md_ctx_st, CtxFree> m_ctx;
};

std::string to_hex(std::span<const unsigned char> bytes);

} // namespace lastgood
