// Decompression and decryption against what the real command-line tools write
// (gzip, lz4, zstd, bzip2; openssl enc, whose salted aes-256-cbc format with
// -md sha1 -iter-less key derivation is the one pgBackRest uses).
#include "formats/pgbackrest/transform.hpp"
#include "tests/support/run_command.hpp"
#include "tests/support/temp_dir.hpp"

#include <gtest/gtest.h>

namespace pgbr = lastgood::formats::pgbackrest;
using lastgood::testing::read_file;
using lastgood::testing::run_shell;
using lastgood::testing::shell_quote;
using lastgood::testing::TempDir;

namespace {

std::string sample()
{
  std::string s;
  for (int i = 0; i < 40000; ++i)
    s += "row " + std::to_string(i * 7919 % 10007) + "\n";
  return s;
}

// Runs `command` with sample() on stdin; returns its stdout.
std::string tool_output(const TempDir& tmp, const std::string& command)
{
  auto in = tmp.write("in", sample());
  auto out = tmp.path() / "out";
  auto r = run_shell(command + " <" + shell_quote(in.string()) + " >" + shell_quote(out.string()));
  EXPECT_EQ(r.exit_code, 0) << command << ": " << r.err;
  return read_file(out);
}

std::string decompress(pgbr::CompressType type, std::string_view data)
{
  std::vector<std::unique_ptr<pgbr::Transform>> chain;
  chain.push_back(pgbr::make_decompressor(type));
  return pgbr::transform_all(data, std::move(chain), "sample");
}

struct ToolCase
{
  pgbr::CompressType type;
  const char* command;
};

TEST(Transform, DecompressesWhatTheToolsWrite)
{
  for (const ToolCase& c :
       {ToolCase{pgbr::CompressType::gz, "gzip -c -6"}, ToolCase{pgbr::CompressType::lz4, "lz4 -c"},
        ToolCase{pgbr::CompressType::zst, "zstd -c -q"},
        ToolCase{pgbr::CompressType::bz2, "bzip2 -c"}}) {
    TempDir tmp;
    const std::string packed = tool_output(tmp, c.command);
    EXPECT_EQ(decompress(c.type, packed), sample()) << c.command;
    // Truncated: an error naming the object, never short output.
    try {
      (void)decompress(c.type, packed.substr(0, packed.size() / 2));
      ADD_FAILURE() << c.command << ": truncated input was accepted";
    } catch (const lastgood::ValidationError& e) {
      EXPECT_TRUE(std::string(e.what()).starts_with("sample: ")) << e.what();
    }
    // A flipped byte in the middle: corrupt (the formats carry checksums).
    std::string flipped = packed;
    flipped[flipped.size() / 2] = static_cast<char>(flipped[flipped.size() / 2] ^ 0x40);
    EXPECT_THROW((void)decompress(c.type, flipped), lastgood::ValidationError) << c.command;
  }
}

TEST(Transform, DecryptsOpensslSaltedAes256Cbc)
{
  TempDir tmp;
  const std::string passphrase = "correct horse battery staple";
  const std::string encrypted =
      tool_output(tmp, "openssl enc -aes-256-cbc -md sha1 -pass pass:" + shell_quote(passphrase) +
                           " 2>/dev/null");
  ASSERT_TRUE(encrypted.starts_with("Salted__"));
  std::vector<std::unique_ptr<pgbr::Transform>> chain;
  chain.push_back(pgbr::make_decryptor(passphrase));
  EXPECT_EQ(pgbr::transform_all(encrypted, std::move(chain), "sample"), sample());

  const std::string wrong = "wrong horse";
  std::vector<std::unique_ptr<pgbr::Transform>> bad;
  bad.push_back(pgbr::make_decryptor(wrong));
  try {
    (void)pgbr::transform_all(encrypted, std::move(bad), "sample");
    FAIL() << "a wrong passphrase decrypted";
  } catch (const pgbr::DecryptError& e) {
    EXPECT_EQ(std::string(e.what()).find(wrong), std::string::npos);
    EXPECT_EQ(std::string(e.what()).find(passphrase), std::string::npos);
  }
  std::vector<std::unique_ptr<pgbr::Transform>> plain;
  plain.push_back(pgbr::make_decryptor(passphrase));
  EXPECT_THROW((void)pgbr::transform_all(sample(), std::move(plain), "sample"), pgbr::DecryptError);
}

} // namespace

namespace {

// Output that is a whole multiple of the decompressors' chunk and compresses
// to almost nothing (a 1 MB WAL segment of zeros): the data ends exactly when
// an output buffer fills, with all input long consumed.
TEST(Transform, DataEndingOnAFullOutputBuffer)
{
  for (const ToolCase& c :
       {ToolCase{pgbr::CompressType::gz, "gzip -c -6"}, ToolCase{pgbr::CompressType::lz4, "lz4 -c"},
        ToolCase{pgbr::CompressType::zst, "zstd -c -q"},
        ToolCase{pgbr::CompressType::bz2, "bzip2 -c"}}) {
    TempDir tmp;
    auto zeros = tmp.write("zeros", std::string(1u << 20, '\0'));
    auto out = tmp.path() / "zeros.packed";
    auto r = run_shell(std::string(c.command) + " <" + shell_quote(zeros.string()) + " >" +
                       shell_quote(out.string()));
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(decompress(c.type, read_file(out)), std::string(1u << 20, '\0')) << c.command;
  }
}

} // namespace
