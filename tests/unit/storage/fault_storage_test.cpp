// FaultStorage (the test-only fault-injection decorator): each fault strikes
// exactly where the plan says, fails like a real disk with a clear message,
// and a failed write never leaves an object behind.

#include "common/error.hpp"
#include "storage/fault_storage.hpp"
#include "storage/fs_storage.hpp"
#include "storage/memory_storage.hpp"
#include "tests/support/temp_dir.hpp"
#include "tests/unit/storage/storage_test_helpers.hpp"

#include <cstdlib>
#include <filesystem>
#include <gtest/gtest.h>

namespace lastgood::storage {
namespace {

using testing::get_object;
using testing::put_object;

bool contains(const std::string& text, std::string_view part)
{
  return text.find(part) != std::string::npos;
}

std::string bytes_of(std::size_t size)
{
  std::string text(size, '\0');
  for (std::size_t i = 0; i < size; ++i)
    text[i] = static_cast<char>('a' + i % 26);
  return text;
}

class FaultStorageTest : public ::testing::Test
{
protected:
  void TearDown() override { MemoryStorage::clear("faults"); }
  FaultStorage faulty(std::string_view plan)
  {
    return FaultStorage(std::make_unique<MemoryStorage>("faults"), parse_fault_plan(plan));
  }
  MemoryStorage m_plain{"faults"};
};

TEST_F(FaultStorageTest, PlanParsesEveryFieldAndRefusesTypos)
{
  auto rules = parse_fault_plan(
      "op=write,key=*.dump*,fault=enospc,at_byte=65536;op=read,fault=slow_read,delay_ms=0,"
      "chunk=7,at_call=3");
  ASSERT_EQ(rules.size(), 2u);
  EXPECT_EQ(rules[0].operation, FaultOperation::Write);
  EXPECT_EQ(rules[0].key_pattern, "*.dump*");
  EXPECT_EQ(rules[0].kind, FaultKind::NoSpace);
  EXPECT_EQ(rules[0].at_byte, 65536u);
  EXPECT_EQ(rules[1].kind, FaultKind::SlowRead);
  EXPECT_EQ(rules[1].chunk, 7u);
  EXPECT_EQ(rules[1].at_call, 3u);
  EXPECT_EQ(rules[1].delay.count(), 0);
  for (const char* bad :
       {"", "op=write", "op=write,fault=enosp", "op=wrte,fault=eio", "op=read,fault=short_write",
        "op=write,fault=slow_read", "op=read,fault=eio,at_byte=12x", "op=read,fault=eio,at_call=0",
        "op=read,fault=eio,colour=red"}) {
    try {
      parse_fault_plan(bad);
      ADD_FAILURE() << "accepted: " << bad;
    } catch (const UsageError& e) {
      EXPECT_TRUE(contains(e.what(), "LASTGOOD_TEST_FAULTS")) << e.what();
    }
  }
}

TEST_F(FaultStorageTest, NoSpaceAtAByteFailsThatWriteAndLeavesNoObject)
{
  auto storage = faulty("op=write,key=dumps/*,fault=enospc,at_byte=1000");
  const std::string content = bytes_of(5000);
  auto stream = storage.write("dumps/a.dump");
  stream->write(std::as_bytes(std::span(content).first(600)));
  try {
    stream->write(std::as_bytes(std::span(content).subspan(600)));
    FAIL() << "the write past byte 1000 should fail";
  } catch (const StorageError& e) {
    const std::string message = e.what();
    EXPECT_TRUE(contains(message, "cannot write 'dumps/a.dump' in memory://faults")) << message;
    EXPECT_TRUE(contains(message, "no space left on device")) << message;
    EXPECT_TRUE(contains(message, "free space")) << message;
    EXPECT_TRUE(contains(message, "injected by LASTGOOD_TEST_FAULTS")) << message;
  }
  EXPECT_THROW(stream->commit(), StorageError) << "a failed stream must not commit";
  stream.reset();
  EXPECT_FALSE(m_plain.stat("dumps/a.dump"));
  // Keys the rule does not match are untouched.
  put_object(storage, "other/b", content);
  EXPECT_EQ(get_object(m_plain, "other/b"), content);
}

TEST_F(FaultStorageTest, WriteFaultPastTheEndStrikesAtCommit)
{
  auto storage = faulty("op=write,fault=eio,at_byte=1000000");
  auto stream = storage.write("x");
  const std::string content = bytes_of(100);
  stream->write(std::as_bytes(std::span(content)));
  try {
    stream->commit();
    FAIL() << "commit should fail as a delayed fsync error does";
  } catch (const StorageError& e) {
    EXPECT_TRUE(contains(e.what(), "cannot write 'x'")) << e.what();
    EXPECT_TRUE(contains(e.what(), "I/O error")) << e.what();
  }
  stream.reset();
  EXPECT_FALSE(m_plain.stat("x"));
}

TEST_F(FaultStorageTest, AtCallSparesTheEarlierCallsAndKeepsFailingAfter)
{
  auto storage = faulty("op=stat,fault=eio,at_call=3");
  put_object(m_plain, "k", "v");
  EXPECT_TRUE(storage.stat("k"));
  EXPECT_TRUE(storage.stat("k"));
  EXPECT_THROW(storage.stat("k"), StorageError);
  EXPECT_THROW(storage.stat("k"), StorageError);
}

TEST_F(FaultStorageTest, ShortWriteCommitsOnlyTheHead)
{
  auto storage = faulty("op=write,fault=short_write,at_byte=1234");
  put_object(storage, "short", bytes_of(10000));
  auto info = m_plain.stat("short");
  ASSERT_TRUE(info);
  EXPECT_EQ(info->size, 1234u);
  EXPECT_EQ(get_object(m_plain, "short"), bytes_of(1234));
}

TEST_F(FaultStorageTest, ReadFaultStrikesAtItsByteAlsoInARange)
{
  const std::string content = bytes_of(10000);
  put_object(m_plain, "obj", content);
  auto storage = faulty("op=read,key=obj,fault=eio,at_byte=5000");
  // A range ending before the byte reads fine.
  EXPECT_EQ(get_object(storage, "obj", 1000, 3000), content.substr(1000, 3000));
  auto stream = storage.read("obj", 4000);
  std::array<std::byte, 4096> buffer{};
  EXPECT_EQ(stream->read(buffer), 1000u) << "bytes before the fault still arrive";
  try {
    stream->read(buffer);
    FAIL() << "reading byte 5000 should fail";
  } catch (const StorageError& e) {
    EXPECT_TRUE(contains(e.what(), "cannot read 'obj' in memory://faults: I/O error")) << e.what();
  }
}

TEST_F(FaultStorageTest, SlowReadDeliversEveryByteInSmallChunks)
{
  const std::string content = bytes_of(100000);
  put_object(m_plain, "obj", content);
  auto storage = faulty("op=read,fault=slow_read,delay_ms=0,chunk=97,at_byte=1000");
  auto stream = storage.read("obj");
  std::array<std::byte, 8192> buffer{};
  EXPECT_EQ(stream->read(buffer), 1000u) << "full speed up to at_byte";
  EXPECT_EQ(stream->read(buffer), 97u);
  EXPECT_EQ(get_object(storage, "obj"), content);
}

TEST_F(FaultStorageTest, ReadRulesHideTheLocalPathSoReadsGoThroughTheFaults)
{
  lastgood::testing::TempDir dir;
  FaultStorage storage(std::make_unique<FsStorage>(dir.path()),
                       parse_fault_plan("op=read,key=*.dump,fault=eio"));
  EXPECT_FALSE(storage.local_path("a.dump"));
  EXPECT_EQ(storage.local_path("a.tar"), (dir.path() / "a.tar").string());
}

TEST_F(FaultStorageTest, OpenStorageWrapsOnlyWhenTheTestVariableIsSet)
{
  put_object(m_plain, "k", "v");
  ::unsetenv(kTestFaultsVariable);
  EXPECT_TRUE(open_storage("memory://faults")->stat("k"));
  ::setenv(kTestFaultsVariable, "op=stat,fault=eio", 1);
  EXPECT_THROW(open_storage("memory://faults")->stat("k"), StorageError);
  ::setenv(kTestFaultsVariable, "op=stat,fault=nonsense", 1);
  EXPECT_THROW(open_storage("memory://faults"), UsageError);
  ::unsetenv(kTestFaultsVariable);
}

} // namespace
} // namespace lastgood::storage
