// aes-256-cbc as pgBackRest writes it: "Salted__", an 8-byte salt, then the
// ciphertext; key and IV from EVP_BytesToKey(aes-256-cbc, sha1, salt,
// passphrase, 1 round), exactly openssl enc's old default.
#include "formats/pgbackrest/transform.hpp"

#include <cstring>
#include <openssl/evp.h>

namespace lastgood::formats::pgbackrest {
namespace {

constexpr std::string_view kMagic = "Salted__";
constexpr std::size_t kSaltSize = 8;

class Decryptor : public Transform
{
public:
  Decryptor(std::string passphrase, bool raw) : m_passphrase(std::move(passphrase)), m_raw(raw) {}
  ~Decryptor() override
  {
    if (m_ctx) EVP_CIPHER_CTX_free(m_ctx);
    std::fill(m_passphrase.begin(), m_passphrase.end(), '\0');
  }
  Decryptor(const Decryptor&) = delete;
  Decryptor& operator=(const Decryptor&) = delete;

  void update(std::span<const std::byte> in, std::vector<std::byte>& out) override
  {
    if (!m_ctx) {
      const std::size_t header = (m_raw ? 0 : kMagic.size()) + kSaltSize;
      const std::size_t take = std::min(in.size(), header - m_header.size());
      m_header.insert(m_header.end(), in.begin(), in.begin() + static_cast<std::ptrdiff_t>(take));
      in = in.subspan(take);
      if (m_header.size() < header) return;
      if (!m_raw && std::memcmp(m_header.data(), kMagic.data(), kMagic.size()) != 0)
        throw DecryptError(
            "it is not encrypted the way pgBackRest encrypts (no 'Salted__' header): "
            "is the repository really encrypted?");
      start(m_header.data() + (m_raw ? 0 : kMagic.size()));
    }
    if (in.empty()) return;
    const std::size_t at = out.size();
    out.resize(at + in.size() + EVP_MAX_BLOCK_LENGTH);
    int produced = 0;
    if (EVP_DecryptUpdate(m_ctx, reinterpret_cast<unsigned char*>(out.data() + at), &produced,
                          reinterpret_cast<const unsigned char*>(in.data()),
                          static_cast<int>(in.size())) != 1)
      throw DecryptError("decryption failed");
    out.resize(at + static_cast<std::size_t>(produced));
  }

  void finish(std::vector<std::byte>& out) override
  {
    if (!m_ctx) throw DecryptError("the encrypted data ends inside its header (truncated)");
    const std::size_t at = out.size();
    out.resize(at + EVP_MAX_BLOCK_LENGTH);
    int produced = 0;
    if (EVP_DecryptFinal_ex(m_ctx, reinterpret_cast<unsigned char*>(out.data() + at), &produced) !=
        1)
      throw DecryptError(
          "decryption failed (bad final block): wrong passphrase, or the file is damaged");
    out.resize(at + static_cast<std::size_t>(produced));
  }

private:
  void start(const std::byte* salt)
  {
    unsigned char key[EVP_MAX_KEY_LENGTH];
    unsigned char iv[EVP_MAX_IV_LENGTH];
    const EVP_CIPHER* cipher = EVP_aes_256_cbc();
    if (EVP_BytesToKey(cipher, EVP_sha1(), reinterpret_cast<const unsigned char*>(salt),
                       reinterpret_cast<const unsigned char*>(m_passphrase.data()),
                       static_cast<int>(m_passphrase.size()), 1, key, iv) <= 0)
      throw DecryptError("OpenSSL could not derive the key");
    m_ctx = EVP_CIPHER_CTX_new();
    if (!m_ctx || EVP_DecryptInit_ex(m_ctx, cipher, nullptr, key, iv) != 1)
      throw DecryptError("OpenSSL could not initialise aes-256-cbc");
    OPENSSL_cleanse(key, sizeof key);
    OPENSSL_cleanse(iv, sizeof iv);
  }

  std::string m_passphrase;
  bool m_raw;
  std::vector<std::byte> m_header;
  EVP_CIPHER_CTX* m_ctx = nullptr;
};

} // namespace

std::unique_ptr<Transform> make_decryptor(std::string passphrase, bool raw)
{
  return std::make_unique<Decryptor>(std::move(passphrase), raw);
}

} // namespace lastgood::formats::pgbackrest
