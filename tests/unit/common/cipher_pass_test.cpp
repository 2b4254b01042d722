// Where an encrypted repository's passphrase comes from: cipher_pass_file,
// then LASTGOOD_CIPHER_PASS_<NAME>; wal-fetch asks the environment first.

#include "common/cipher_pass.hpp"
#include "common/error.hpp"
#include "tests/support/temp_dir.hpp"

#include <cstdlib>
#include <fstream>
#include <gtest/gtest.h>

namespace lastgood {
namespace {

class CipherPass : public ::testing::Test
{
protected:
  void SetUp() override
  {
    m_file = (m_dir.path() / "pass").string();
    std::ofstream(m_file) << "from-the-file\n";
    RepositoryConfig repo;
    repo.name = "pg-br";
    repo.cipher_pass_file = m_file;
    m_config.repositories.push_back(repo);
  }
  void TearDown() override { ::unsetenv("LASTGOOD_CIPHER_PASS_PG_BR"); }
  testing::TempDir m_dir;
  std::string m_file;
  Config m_config;
};

TEST_F(CipherPass, FileWinsUnlessTheEnvironmentIsAskedFirst)
{
  ::setenv("LASTGOOD_CIPHER_PASS_PG_BR", "from-the-environment", 1);
  EXPECT_EQ(cipher_pass_lookup(m_config)("pg-br"), "from-the-file");
  EXPECT_EQ(cipher_pass_lookup(m_config, true)("pg-br"), "from-the-environment");
  ::unsetenv("LASTGOOD_CIPHER_PASS_PG_BR");
  EXPECT_EQ(cipher_pass_lookup(m_config, true)("pg-br"), "from-the-file");
  EXPECT_EQ(cipher_pass_lookup(m_config)("other"), std::nullopt);
}

// The lookup keeps its own copy: the Config it was made from may be gone.
TEST_F(CipherPass, LookupOutlivesItsConfig)
{
  CipherPassLookup lookup;
  {
    Config copy = m_config;
    lookup = cipher_pass_lookup(copy);
  }
  EXPECT_EQ(lookup("pg-br"), "from-the-file");
}

TEST_F(CipherPass, HintNamesBothPlacesNeverAPassphrase)
{
  const auto hint = cipher_pass_hint("pg-br");
  EXPECT_NE(hint.find("cipher_pass_file"), std::string::npos) << hint;
  EXPECT_NE(hint.find("LASTGOOD_CIPHER_PASS_PG_BR"), std::string::npos) << hint;
  EXPECT_EQ(hint.find("from-the-file"), std::string::npos) << hint;
}

} // namespace
} // namespace lastgood
