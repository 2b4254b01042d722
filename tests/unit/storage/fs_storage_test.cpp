// FsStorage behaviour that only a file system has: symlinks, permissions,
// temporary files, the root directory, a full disk.

#include "common/error.hpp"
#include "storage/fs_storage.hpp"
#include "tests/support/temp_dir.hpp"
#include "tests/unit/storage/storage_test_helpers.hpp"

#include <algorithm>
#include <fcntl.h>
#include <filesystem>
#include <gtest/gtest.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

namespace lastgood::storage {
namespace {

namespace fs = std::filesystem;
using testing::get_object;
using testing::keys_of;
using testing::list_all;
using testing::put_object;

bool contains(const std::string& text, std::string_view part)
{
  return text.find(part) != std::string::npos;
}

// Names in dir starting with ".lastgood-tmp-".
std::vector<std::string> temp_files_in(const fs::path& dir)
{
  std::vector<std::string> names;
  for (const auto& entry : fs::directory_iterator(dir)) {
    const std::string name = entry.path().filename().string();
    if (name.starts_with(".lastgood-tmp-")) names.push_back(name);
  }
  return names;
}

class FsStorageTest : public ::testing::Test
{
protected:
  lastgood::testing::TempDir m_dir;
  FsStorage m_storage{m_dir.path()};
};

TEST_F(FsStorageTest, SymlinkLoopIsReportedOnceAndTheWalkGoesOn)
{
  m_dir.write("a/file", "x");
  m_dir.write("b/other", "yy");
  fs::create_directory_symlink("..", m_dir.path() / "a" / "loop"); // a/loop -> root

  const auto listing = list_all(m_storage);
  EXPECT_EQ(keys_of(listing), (std::vector<std::string>{"a/file", "b/other"}));
  EXPECT_EQ(listing.duplicate_keys, 0);
  ASSERT_EQ(listing.problems.size(), 1u);
  EXPECT_EQ(listing.problems[0].key, "a/loop");
  EXPECT_TRUE(contains(listing.problems[0].message, "symlink loop")) << listing.problems[0].message;

  // Starting the walk inside the loop reports it too instead of going round.
  const auto inside = list_all(m_storage, "a/loop/");
  EXPECT_TRUE(inside.objects.empty());
  ASSERT_EQ(inside.problems.size(), 1u);
  EXPECT_EQ(inside.problems[0].key, "a/loop");
  const auto deeper = list_all(m_storage, "a/loop/b/");
  EXPECT_TRUE(deeper.objects.empty());
  ASSERT_EQ(deeper.problems.size(), 1u);
  EXPECT_EQ(deeper.problems[0].key, "a/loop");
}

TEST_F(FsStorageTest, SelfReferencingSymlinkIsALoop)
{
  m_dir.write("real", "1");
  fs::create_symlink("self", m_dir.path() / "self");
  const auto listing = list_all(m_storage);
  EXPECT_EQ(keys_of(listing), (std::vector<std::string>{"real"}));
  ASSERT_EQ(listing.problems.size(), 1u);
  EXPECT_EQ(listing.problems[0].key, "self");
  EXPECT_TRUE(contains(listing.problems[0].message, "symlink loop"));
}

TEST_F(FsStorageTest, DanglingSymlinkIsAProblem)
{
  m_dir.write("dumps/ok.dump", "ok");
  fs::create_symlink("/nonexistent/lastgood/target", m_dir.path() / "dumps" / "gone.dump");
  const auto listing = list_all(m_storage);
  EXPECT_EQ(keys_of(listing), (std::vector<std::string>{"dumps/ok.dump"}));
  ASSERT_EQ(listing.problems.size(), 1u);
  EXPECT_EQ(listing.problems[0].key, "dumps/gone.dump");
  EXPECT_TRUE(contains(listing.problems[0].message, "dangling symlink"));
  EXPECT_FALSE(m_storage.stat("dumps/gone.dump").has_value());
  EXPECT_THROW(m_storage.read("dumps/gone.dump"), NotFoundError);
}

TEST_F(FsStorageTest, SymlinksToFilesAndDirectoriesAreFollowed)
{
  const fs::path target = m_dir.write("real/base.tar", "0123456789");
  const timespec times[2] = {{1'700'000'000, 5}, {1'700'000'000, 123'456'789}};
  ASSERT_EQ(::utimensat(AT_FDCWD, target.c_str(), times, 0), 0);
  fs::create_symlink("real/base.tar", m_dir.path() / "latest.tar");
  fs::create_directory_symlink("real", m_dir.path() / "alias");

  const auto listing = list_all(m_storage);
  EXPECT_EQ(keys_of(listing),
            (std::vector<std::string>{"alias/base.tar", "latest.tar", "real/base.tar"}));
  EXPECT_TRUE(listing.problems.empty());
  const ObjectInfo& link = listing.objects.at("latest.tar");
  EXPECT_EQ(link.size, 10u);
  EXPECT_EQ(link.mtime_ns, 1'700'000'000'123'456'789);
  EXPECT_EQ(get_object(m_storage, "alias/base.tar", 5), "56789");
}

TEST_F(FsStorageTest, SymlinksLeavingTheRootAreProblemsAndNeverRead)
{
  lastgood::testing::TempDir outside;
  const fs::path secret = outside.write("shadow", "root:secret:19000::::::\n");
  outside.write("dir/inner.dump", "outside dir");
  m_dir.write("dumps/ok.dump", "ok");
  fs::create_symlink(secret, m_dir.path() / "dumps" / "shadow.dump");
  // The same target spelt relative, climbing out with "..".
  fs::create_symlink(secret.lexically_relative(m_dir.path() / "dumps"),
                     m_dir.path() / "dumps" / "relative.dump");
  fs::create_directory_symlink(outside.path() / "dir", m_dir.path() / "elsewhere");

  const auto listing = list_all(m_storage);
  EXPECT_EQ(keys_of(listing), (std::vector<std::string>{"dumps/ok.dump"}));
  std::vector<std::string> problem_keys;
  for (const auto& p : listing.problems) {
    problem_keys.push_back(p.key);
    EXPECT_TRUE(contains(p.message, "symlink to a path outside the repository: not followed"))
        << p.message;
  }
  std::sort(problem_keys.begin(), problem_keys.end());
  EXPECT_EQ(problem_keys,
            (std::vector<std::string>{"dumps/relative.dump", "dumps/shadow.dump", "elsewhere"}));
  // A listing starting below the outside link does not go there either.
  const auto below = list_all(m_storage, "elsewhere/");
  EXPECT_TRUE(below.objects.empty());
  ASSERT_EQ(below.problems.size(), 1u);
  EXPECT_EQ(below.problems[0].key, "elsewhere");

  // Asked for directly, the key is refused: nothing of the target is read.
  EXPECT_THROW(m_storage.read("dumps/shadow.dump"), StorageError);
  EXPECT_THROW(m_storage.read("elsewhere/inner.dump"), StorageError);
  EXPECT_THROW(m_storage.stat("dumps/relative.dump"), StorageError);
  EXPECT_FALSE(m_storage.local_path("dumps/shadow.dump").has_value());
  try {
    m_storage.read("dumps/shadow.dump");
  } catch (const StorageError& e) {
    EXPECT_TRUE(contains(e.what(), "dumps/shadow.dump")) << e.what();
    EXPECT_TRUE(contains(e.what(), "follow_links=true")) << e.what();
    EXPECT_FALSE(contains(e.what(), "secret")) << e.what();
  }
}

TEST_F(FsStorageTest, AbsoluteSymlinksThatStayInsideTheRootAreFollowed)
{
  m_dir.write("real/base.tar", "0123456789");
  fs::create_symlink(m_dir.path() / "real" / "base.tar", m_dir.path() / "abs.tar");
  fs::create_directory_symlink(m_dir.path() / "real", m_dir.path() / "abs_dir");
  const auto listing = list_all(m_storage);
  EXPECT_EQ(keys_of(listing),
            (std::vector<std::string>{"abs.tar", "abs_dir/base.tar", "real/base.tar"}));
  EXPECT_TRUE(listing.problems.empty());
  EXPECT_EQ(get_object(m_storage, "abs.tar"), "0123456789");
  EXPECT_EQ(get_object(m_storage, "abs_dir/base.tar", 8), "89");
}

TEST_F(FsStorageTest, RootReachedThroughASymlinkStillHoldsItsOwnLinks)
{
  lastgood::testing::TempDir holder;
  m_dir.write("real/base.tar", "abc");
  fs::create_symlink("real/base.tar", m_dir.path() / "latest.tar");
  fs::create_directory_symlink(m_dir.path(), holder.path() / "repo");
  FsStorage through_link(holder.path() / "repo");
  const auto listing = list_all(through_link);
  EXPECT_EQ(keys_of(listing), (std::vector<std::string>{"latest.tar", "real/base.tar"}));
  EXPECT_TRUE(listing.problems.empty());
  EXPECT_EQ(get_object(through_link, "latest.tar"), "abc");
}

TEST_F(FsStorageTest, FollowLinksOptionFollowsLinksOutOfTheRoot)
{
  lastgood::testing::TempDir outside;
  const fs::path target = outside.write("dump", "outside bytes");
  fs::create_symlink(target, m_dir.path() / "linked.dump");

  auto following = open_storage("file://" + m_dir.path().string() + "?follow_links=true");
  EXPECT_EQ(following->display_url(), "file://" + m_dir.path().string() + "?follow_links=true");
  const auto listing = list_all(*following);
  EXPECT_EQ(keys_of(listing), (std::vector<std::string>{"linked.dump"}));
  EXPECT_TRUE(listing.problems.empty());
  EXPECT_EQ(get_object(*following, "linked.dump"), "outside bytes");

  auto explicit_off = open_storage("file://" + m_dir.path().string() + "?follow_links=false");
  EXPECT_EQ(list_all(*explicit_off).problems.size(), 1u);
  EXPECT_THROW(open_storage("file://" + m_dir.path().string() + "?follow_links=yes"), UsageError);
}

TEST_F(FsStorageTest, StatTakesMtimeWithNanoseconds)
{
  const fs::path file = m_dir.write("f", "abc");
  const timespec times[2] = {{1'000, 0}, {1'234'567'890, 987'654'321}};
  ASSERT_EQ(::utimensat(AT_FDCWD, file.c_str(), times, 0), 0);
  const auto info = m_storage.stat("f");
  ASSERT_TRUE(info.has_value());
  EXPECT_EQ(info->mtime_ns, 1'234'567'890'987'654'321);
  EXPECT_TRUE(info->etag.empty());
}

TEST_F(FsStorageTest, UnreadableDirectoryIsAProblemAndTheWalkGoesOn)
{
  if (::geteuid() == 0) GTEST_SKIP() << "running as root: root bypasses directory permissions";
  m_dir.write("locked/secret.dump", "s");
  m_dir.write("open/file.dump", "f");
  fs::permissions(m_dir.path() / "locked", fs::perms::none);
  const auto listing = list_all(m_storage);
  EXPECT_EQ(keys_of(listing), (std::vector<std::string>{"open/file.dump"}));
  ASSERT_EQ(listing.problems.size(), 1u);
  EXPECT_EQ(listing.problems[0].key, "locked");
  EXPECT_TRUE(contains(listing.problems[0].message, "permission denied"));
}

TEST_F(FsStorageTest, UnreadableFileFailsWithPermissionDenied)
{
  if (::geteuid() == 0) GTEST_SKIP() << "running as root: root bypasses file permissions";
  const fs::path file = m_dir.write("dumps/private.dump", "p");
  fs::permissions(file, fs::perms::none);
  try {
    m_storage.read("dumps/private.dump");
    FAIL() << "expected StorageError";
  } catch (const NotFoundError& error) {
    FAIL() << "an unreadable file is not a missing one: " << error.what();
  } catch (const StorageError& error) {
    EXPECT_TRUE(contains(error.what(), "dumps/private.dump")) << error.what();
    EXPECT_TRUE(contains(error.what(), "permission denied")) << error.what();
    EXPECT_TRUE(error.permanent());
  }
  // It is still listed: its metadata is readable.
  EXPECT_EQ(keys_of(list_all(m_storage)), (std::vector<std::string>{"dumps/private.dump"}));
}

TEST_F(FsStorageTest, BarePathAndFileUrlAreEquivalent)
{
  m_dir.write("x/y.dump", "data");
  const std::string path = m_dir.path().string();
  const auto bare = open_storage(path);
  const auto url = open_storage("file://" + path);
  const auto trailing = open_storage(path + "/");
  const auto relative = open_storage(fs::relative(m_dir.path(), fs::current_path()).string());
  const std::string expected_url = "file://" + fs::canonical(m_dir.path()).string();
  for (Storage* storage : {bare.get(), url.get(), trailing.get(), relative.get()}) {
    EXPECT_EQ(storage->display_url(), expected_url);
    EXPECT_EQ(keys_of(list_all(*storage)), (std::vector<std::string>{"x/y.dump"}));
    EXPECT_EQ(get_object(*storage, "x/y.dump"), "data");
  }
}

TEST_F(FsStorageTest, MissingRootIsAPermanentStorageError)
{
  const fs::path missing = m_dir.path() / "not-mounted";
  FsStorage storage(missing);
  try {
    list_all(storage);
    FAIL() << "expected StorageError";
  } catch (const NotFoundError& error) {
    FAIL() << "a missing root is a broken repository, not a missing object: " << error.what();
  } catch (const StorageError& error) {
    EXPECT_TRUE(contains(error.what(), missing.string())) << error.what();
    EXPECT_TRUE(error.permanent());
  }
  // Writing does not create the root either (it may be an unmounted disk).
  EXPECT_THROW(storage.write("a/b"), StorageError);
  EXPECT_FALSE(fs::exists(missing));
  EXPECT_FALSE(storage.stat("a/b").has_value());
}

TEST_F(FsStorageTest, TempFilesOfUncommittedWritesAreNotListed)
{
  m_dir.write("dumps/.lastgood-tmp-0123456789abcdef-crashed.dump", "left by a crash");
  {
    auto stream = m_storage.write("dumps/new.dump");
    stream->write(std::as_bytes(std::span(std::string_view("in flight"))));
    // The bytes are really on disk, under a temporary name beside the key...
    EXPECT_EQ(temp_files_in(m_dir.path() / "dumps").size(), 2u);
    // ...but neither they nor the crashed writer's file are objects.
    const auto listing = list_all(m_storage);
    EXPECT_TRUE(listing.objects.empty());
    EXPECT_TRUE(listing.problems.empty());
  }
  // The abandoned stream removed its own temporary file and only that.
  EXPECT_EQ(temp_files_in(m_dir.path() / "dumps"),
            (std::vector<std::string>{".lastgood-tmp-0123456789abcdef-crashed.dump"}));
  EXPECT_FALSE(fs::exists(m_dir.path() / "dumps" / "new.dump"));
}

TEST_F(FsStorageTest, CommitCreatesParentsAndLeavesNoTempFile)
{
  put_object(m_storage, "2026/11/22/shop.dump", "dump");
  EXPECT_EQ(lastgood::testing::read_file(m_dir.path() / "2026/11/22/shop.dump"), "dump");
  EXPECT_TRUE(temp_files_in(m_dir.path() / "2026/11/22").empty());
}

TEST_F(FsStorageTest, KeyNearTheNameLengthLimitCanBeWritten)
{
  const std::string key = "long/" + std::string(250, 'n');
  put_object(m_storage, key, "fits");
  EXPECT_EQ(get_object(m_storage, key), "fits");
}

TEST_F(FsStorageTest, FileInPlaceOfAParentDirectoryIsAStorageError)
{
  put_object(m_storage, "dumps", "a file, not a directory");
  try {
    put_object(m_storage, "dumps/shop.dump", "x");
    FAIL() << "expected StorageError";
  } catch (const StorageError& error) {
    EXPECT_TRUE(contains(error.what(), "dumps/shop.dump")) << error.what();
  }
}

TEST_F(FsStorageTest, SpecialFilesAreProblemsAndDoNotHangReads)
{
  ASSERT_EQ(::mkfifo((m_dir.path() / "pipe").c_str(), 0600), 0);
  m_dir.write("real", "r");
  const auto listing = list_all(m_storage);
  EXPECT_EQ(keys_of(listing), (std::vector<std::string>{"real"}));
  ASSERT_EQ(listing.problems.size(), 1u);
  EXPECT_EQ(listing.problems[0].key, "pipe");
  EXPECT_FALSE(m_storage.stat("pipe").has_value());
  EXPECT_THROW(m_storage.read("pipe"), StorageError);
}

TEST_F(FsStorageTest, FileTruncatedWhileBeingReadIsARetryableError)
{
  const fs::path file = m_dir.write("growing.wal", std::string(100'000, 'w'));
  auto stream = m_storage.read("growing.wal");
  std::array<std::byte, 10> head{};
  ASSERT_EQ(stream->read(head), head.size());
  fs::resize_file(file, 20);
  std::array<std::byte, 64 * 1024> rest{};
  try {
    while (stream->read(rest) > 0) {
    }
    FAIL() << "expected StorageError for a truncated file";
  } catch (const StorageError& error) {
    EXPECT_FALSE(error.permanent());
    EXPECT_TRUE(contains(error.what(), "growing.wal")) << error.what();
  }
}

// Mounts a tiny tmpfs so a write really hits ENOSPC; needs CAP_SYS_ADMIN.
class TinyFilesystem
{
public:
  explicit TinyFilesystem(const fs::path& where) : m_where(where)
  {
    fs::create_directory(m_where);
    m_mounted = ::mount("tmpfs", m_where.c_str(), "tmpfs", 0, "size=64k") == 0;
  }
  ~TinyFilesystem()
  {
    if (m_mounted) ::umount2(m_where.c_str(), MNT_DETACH);
  }
  TinyFilesystem(const TinyFilesystem&) = delete;
  TinyFilesystem& operator=(const TinyFilesystem&) = delete;
  bool mounted() const { return m_mounted; }

private:
  fs::path m_where;
  bool m_mounted = false;
};

TEST_F(FsStorageTest, FullDiskSaysSoAndNamesTheKey)
{
  TinyFilesystem tiny(m_dir.path() / "tiny");
  if (!tiny.mounted()) GTEST_SKIP() << "cannot mount a tmpfs here (needs CAP_SYS_ADMIN)";
  FsStorage storage(m_dir.path() / "tiny");
  const std::string big(1024 * 1024, 'z');
  try {
    put_object(storage, "dumps/huge.dump", big);
    FAIL() << "expected StorageError for a full disk";
  } catch (const StorageError& error) {
    EXPECT_TRUE(contains(error.what(), "disk is full")) << error.what();
    EXPECT_TRUE(contains(error.what(), "dumps/huge.dump")) << error.what();
  }
  EXPECT_FALSE(storage.stat("dumps/huge.dump").has_value());
  EXPECT_TRUE(temp_files_in(m_dir.path() / "tiny" / "dumps").empty());
}

} // namespace
} // namespace lastgood::storage
