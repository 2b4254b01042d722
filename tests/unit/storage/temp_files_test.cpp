// Temporary file names carry their writer (host tag and pid); only a writer
// of this machine that is gone counts as dead, so nothing a live process or
// another machine owns is ever taken for a leftover.

#include "common/owned_temp.hpp"
#include "storage/fs_storage.hpp"
#include "storage/temp_files.hpp"
#include "tests/support/temp_dir.hpp"

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

namespace lastgood::storage {
namespace {

pid_t a_dead_pid()
{
  pid_t pid = ::fork();
  if (pid == 0) ::_exit(0);
  ::waitpid(pid, nullptr, 0);
  return pid;
}

TEST(TempFiles, NameCarriesThisProcessAndParsesBack)
{
  std::string name = temp_file_name("shop-20261122T0200Z.dump");
  auto owner = temp_file_owner(name);
  ASSERT_TRUE(owner);
  EXPECT_EQ(owner->pid, ::getpid());
  EXPECT_EQ(owner->host_tag, host_tag());
  EXPECT_TRUE(name.ends_with("-shop-20261122T0200Z.dump"));
  EXPECT_FALSE(owner_is_dead(*owner)); // we are alive
}

TEST(TempFiles, LongNamesStayLegal)
{
  EXPECT_LE(temp_file_name(std::string(300, 'x')).size(), 255u);
}

TEST(TempFiles, OnlyAGoneWriterOfThisMachineIsDead)
{
  pid_t dead = a_dead_pid();
  EXPECT_TRUE(owner_is_dead({host_tag(), dead}));
  std::string other_host = host_tag() == "00000000" ? "00000001" : "00000000";
  EXPECT_FALSE(owner_is_dead({other_host, dead}));
  EXPECT_FALSE(owner_is_dead({host_tag(), 1})); // init is alive
}

TEST(TempFiles, OlderAndForeignNamesHaveNoOwner)
{
  EXPECT_FALSE(temp_file_owner(".lastgood-tmp-0123456789abcdef-shop.dump")); // before owners
  EXPECT_FALSE(temp_file_owner("shop.dump"));
  EXPECT_FALSE(temp_file_owner(".lastgood-tmp-zzzzzzzz.12-0123456789abcdef-x"));
  EXPECT_FALSE(temp_file_owner(".lastgood-tmp-0123abcd.-0123456789abcdef-x"));
  auto parsed = temp_file_owner(".lastgood-tmp-0123abcd.4242-0123456789abcdef-x");
  ASSERT_TRUE(parsed);
  EXPECT_EQ(parsed->host_tag, "0123abcd");
  EXPECT_EQ(parsed->pid, 4242);
}

TEST(TempFiles, UncommittedWriteIsFoundWithItsOwnerAndHiddenFromListing)
{
  testing::TempDir root;
  FsStorage storage(root.path());
  auto stream = storage.write("shop/a.dump");
  std::string bytes = "partial";
  stream->write(std::as_bytes(std::span(bytes.data(), bytes.size())));
  auto found = find_temp_files(root.path().string());
  ASSERT_EQ(found.size(), 1u);
  EXPECT_TRUE(found[0].relative.starts_with("shop/.lastgood-tmp-"));
  EXPECT_EQ(found[0].size, bytes.size());
  ASSERT_TRUE(found[0].owner);
  EXPECT_EQ(found[0].owner->pid, ::getpid());
  int listed = 0;
  storage.list(
      "", [&](const ObjectInfo&) { ++listed; }, [](const ListProblem&) {});
  EXPECT_EQ(listed, 0);
}

} // namespace
} // namespace lastgood::storage
