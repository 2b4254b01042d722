#pragma once
// Byte transforms on the way out of a pgBackRest repository: aes-256-cbc
// decryption (src/common/crypto/cipherBlock.c) and the four decompressions
// (src/common/compress/), chained over a storage::ReadStream.

#include "common/error.hpp"
#include "storage/storage.hpp"

#include <cstddef>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace lastgood::formats::pgbackrest {

enum class CompressType { none, gz, lz4, zst, bz2 };
// "none", "gz", "lz4", "zst", "bz2"; nullopt otherwise.
std::optional<CompressType> parse_compress_type(std::string_view text);
std::string_view to_string(CompressType type);
// The file-name extension pgBackRest appends: "" or ".gz", ".lz4", ".zst", ".bz2".
std::string_view compress_extension(CompressType type);

// Decryption failed: wrong passphrase, or the file is damaged or not
// encrypted. The message never holds the passphrase.
class DecryptError : public ValidationError
{
public:
  using ValidationError::ValidationError;
};

class Transform
{
public:
  virtual ~Transform() = default;
  // Consumes `in`, appends what it produced to `out`. Throws ValidationError on bad input.
  virtual void update(std::span<const std::byte> in, std::vector<std::byte>& out) = 0;
  // End of input: appends the rest; throws ValidationError if the input was truncated.
  virtual void finish(std::vector<std::byte>& out) = 0;
};

// raw: pgBackRest's bundle-raw mode (no "Salted__" magic; raw deflate for gz).
std::unique_ptr<Transform> make_decryptor(std::string passphrase, bool raw = false);
// Throws UsageError for CompressType::none.
std::unique_ptr<Transform> make_decompressor(CompressType type, bool raw = false);

// Reads `source` through the transforms in order. Errors from a transform are
// rethrown with `what` (the object's name) in front.
std::unique_ptr<storage::ReadStream>
transform_stream(std::unique_ptr<storage::ReadStream> source,
                 std::vector<std::unique_ptr<Transform>> transforms, std::string what);

// Convenience for small files (info files, manifests): the whole result.
std::string transform_all(std::string_view data, std::vector<std::unique_ptr<Transform>> transforms,
                          std::string what);

} // namespace lastgood::formats::pgbackrest
