#include "common/error.hpp"
#include "pg/dump_header.hpp"
#include "tests/support/pg15_samples.hpp"

#include <gtest/gtest.h>
#include <random>
#include <string>

namespace lastgood::pg {
namespace {

using testing::kPg15Custom;
constexpr size_t kPg15HeaderEnd = 130;
constexpr std::string_view kPg15Version = "15.18 (Debian 15.18-0+deb12u1)";

std::string pg15_custom()
{
  return std::string(reinterpret_cast<const char*>(kPg15Custom), 160);
}

// Builds headers byte by byte as WriteHead does.
struct Builder
{
  std::string out;
  int int_size = 4;
  Builder& byte(int b)
  {
    out += static_cast<char>(b);
    return *this;
  }
  Builder& integer(long long v)
  {
    byte(v < 0 ? 1 : 0);
    unsigned long long m = static_cast<unsigned long long>(v < 0 ? -v : v);
    for (int i = 0; i < int_size; ++i, m >>= 8)
      byte(static_cast<int>(m & 0xff));
    return *this;
  }
  Builder& str(std::string_view s)
  {
    integer(static_cast<long long>(s.size()));
    out += s;
    return *this;
  }
  // PGDMP, version, sizes, format; the caller adds the compression field.
  Builder& start(int vmin, int format = 1, int isize = 4)
  {
    out = "PGDMP";
    byte(1).byte(vmin).byte(0).byte(isize).byte(8).byte(format);
    int_size = isize;
    return *this;
  }
  // 2025-03-04 05:06:07 and the three strings.
  Builder& finish(std::string_view db = "shop")
  {
    integer(7).integer(6).integer(5).integer(4).integer(2).integer(125).integer(0);
    return str(db).str("17.2").str("17.2");
  }
};

std::string error_of(std::string_view head)
{
  try {
    parse_custom_dump_header(head);
  } catch (const ValidationError& e) {
    return e.what();
  }
  return "no exception";
}

TEST(CustomDumpHeader, RealPgDump15Header)
{
  DumpHeader h = parse_custom_dump_header(pg15_custom());
  EXPECT_EQ(h.format, DumpFormat::Custom);
  EXPECT_EQ(h.version_major, 1);
  EXPECT_EQ(h.version_minor, 14);
  EXPECT_EQ(h.version_rev, 0);
  EXPECT_EQ(h.int_size, 4);
  EXPECT_EQ(h.off_size, 8);
  EXPECT_EQ(h.compression, "gzip"); // level -1: zlib's default
  EXPECT_EQ(h.created, "2026-11-22 01:10:20");
  EXPECT_EQ(h.database, "shop");
  EXPECT_EQ(h.server_version, kPg15Version);
  EXPECT_EQ(h.pg_dump_version, kPg15Version);
  EXPECT_FALSE(h.cluster_dump);
}

TEST(CustomDumpHeader, Pg15CompressionLevels)
{
  std::string head = pg15_custom();
  head[11] = 0; // -Z5: sign 0, magnitude 5
  head[12] = 5;
  EXPECT_EQ(parse_custom_dump_header(head).compression, "gzip:5");
  head[12] = 0; // -Z0
  EXPECT_EQ(parse_custom_dump_header(head).compression, "none");
  head[12] = 10;
  EXPECT_NE(error_of(head).find("compression level 10"), std::string::npos);
}

TEST(CustomDumpHeader, DirectoryTocDatReportsTarFormatByte)
{
  std::string head = pg15_custom();
  head[10] = 3; // what pg_dump 15 -Fd writes into toc.dat
  EXPECT_EQ(parse_custom_dump_header(head).format, DumpFormat::Tar);
  head[10] = 2;
  EXPECT_NE(error_of(head).find("unknown archive format 2"), std::string::npos);
}

TEST(CustomDumpHeader, Version115AlgorithmByte)
{
  const char* names[] = {"none", "gzip", "lz4", "zstd"};
  for (int algorithm = 0; algorithm < 4; ++algorithm) {
    Builder b;
    b.start(15).byte(algorithm).finish();
    DumpHeader h = parse_custom_dump_header(b.out);
    EXPECT_EQ(h.version_minor, 15);
    EXPECT_EQ(h.compression, names[algorithm]);
    EXPECT_EQ(h.created, "2025-03-04 05:06:07");
    EXPECT_EQ(h.server_version, "17.2");
  }
  Builder bad;
  bad.start(15).byte(4).finish();
  EXPECT_NE(error_of(bad.out).find("compression algorithm 4"), std::string::npos);
}

TEST(CustomDumpHeader, Version116WithEightByteIntegers)
{
  Builder b;
  b.start(16, 1, 8).byte(3).finish("analytics db");
  DumpHeader h = parse_custom_dump_header(b.out);
  EXPECT_EQ(h.version_minor, 16);
  EXPECT_EQ(h.int_size, 8);
  EXPECT_EQ(h.compression, "zstd");
  EXPECT_EQ(h.database, "analytics db");
  EXPECT_EQ(h.pg_dump_version, "17.2");
}

TEST(CustomDumpHeader, NullDatabaseNameIsEmpty)
{
  Builder b;
  b.start(15).byte(0);
  b.integer(7).integer(6).integer(5).integer(4).integer(2).integer(125).integer(0);
  b.integer(-1).str("16.1").str("16.1");
  EXPECT_EQ(parse_custom_dump_header(b.out).database, "");
}

TEST(CustomDumpHeader, UnsupportedVersions)
{
  for (int vmin : {0, 11, 17}) {
    std::string head = pg15_custom();
    head[6] = static_cast<char>(vmin);
    EXPECT_NE(error_of(head).find("unsupported archive version 1." + std::to_string(vmin)),
              std::string::npos)
        << vmin;
  }
  std::string head = pg15_custom();
  head[5] = 2;
  EXPECT_NE(error_of(head).find("unsupported archive version 2.14"), std::string::npos);
}

TEST(CustomDumpHeader, EveryTruncationIsAValidationError)
{
  const std::string full = pg15_custom();
  for (size_t n = 0; n < kPg15HeaderEnd; ++n) {
    std::string e = error_of(full.substr(0, n));
    EXPECT_NE(e.find("truncated at byte " + std::to_string(n)), std::string::npos)
        << "length " << n << ": " << e;
  }
  EXPECT_EQ(parse_custom_dump_header(full.substr(0, kPg15HeaderEnd)).pg_dump_version, kPg15Version);
}

TEST(CustomDumpHeader, TruncationNamesTheField)
{
  EXPECT_NE(error_of(pg15_custom().substr(0, 55)).find("while reading database name"),
            std::string::npos);
  EXPECT_NE(error_of(pg15_custom().substr(0, 12)).find("while reading compression level"),
            std::string::npos);
}

TEST(CustomDumpHeader, ImplausibleIntSize)
{
  for (int size : {0, 33, 200}) {
    std::string head = pg15_custom();
    head[8] = static_cast<char>(size);
    std::string e = error_of(head);
    EXPECT_NE(e.find("integer size " + std::to_string(size)), std::string::npos) << e;
    EXPECT_NE(e.find("byte 8"), std::string::npos) << e;
  }
}

TEST(CustomDumpHeader, ImplausibleStringLengths)
{
  Builder huge;
  huge.start(15).byte(0);
  huge.integer(7).integer(6).integer(5).integer(4).integer(2).integer(125).integer(0);
  huge.integer(2 << 20);
  EXPECT_NE(error_of(huge.out).find("implausible length 2097152 of database name"),
            std::string::npos);

  Builder negative;
  negative.start(15).byte(0);
  negative.integer(7).integer(6).integer(5).integer(4).integer(2).integer(125).integer(0);
  negative.integer(-2);
  EXPECT_NE(error_of(negative.out).find("implausible length -2"), std::string::npos);
}

TEST(CustomDumpHeader, ImplausibleCreationTime)
{
  std::string head = pg15_custom();
  head[37] = 12; // tm_mon magnitude: months are 0..11
  EXPECT_NE(error_of(head).find("tm_mon 12"), std::string::npos);
}

TEST(CustomDumpHeader, BadMagic)
{
  EXPECT_NE(error_of("PGDMQ\x01\x0e").find("bad magic"), std::string::npos);
  EXPECT_NE(error_of("--\n-- PostgreSQL database dump").find("bad magic"), std::string::npos);
}

TEST(CustomDumpHeader, RandomBytesAreRejected)
{
  std::mt19937 rng(20261122);
  std::uniform_int_distribution<int> byte(0, 255);
  for (int round = 0; round < 2000; ++round) {
    std::string head(200, '\0');
    for (char& c : head)
      c = static_cast<char>(byte(rng));
    if (round % 2) head.replace(0, 8, "PGDMP\x01\x0e\x00", 8); // get past the magic
    EXPECT_THROW(parse_custom_dump_header(head), ValidationError) << "round " << round;
  }
}

TEST(CustomDumpHeader, SingleByteCorruptionNeverEscapesValidationError)
{
  const std::string full = pg15_custom();
  for (size_t i = 0; i < kPg15HeaderEnd; ++i) {
    for (int v : {0x00, 0x01, 0x7f, 0x80, 0xff}) {
      std::string head = full.substr(0, kPg15HeaderEnd);
      head[i] = static_cast<char>(v);
      try {
        parse_custom_dump_header(head);
      } catch (const ValidationError&) {
      }
    }
  }
  SUCCEED(); // the assertion is that nothing else is thrown and ASan stays quiet
}

TEST(DumpFormat, Names)
{
  EXPECT_EQ(to_string(DumpFormat::Custom), "custom");
  EXPECT_EQ(to_string(DumpFormat::Directory), "directory");
  EXPECT_EQ(to_string(DumpFormat::Tar), "tar");
  EXPECT_EQ(to_string(DumpFormat::Plain), "plain");
}

} // namespace
} // namespace lastgood::pg
