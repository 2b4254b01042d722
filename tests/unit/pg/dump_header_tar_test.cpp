#include "common/error.hpp"
#include "pg/dump_header.hpp"

#include <cstdio>
#include <gtest/gtest.h>
#include <string>

namespace lastgood::pg {
namespace {

// The toc.dat member of `pg_dump -Ft shop` (pg_dump 15.18): its first 130
// bytes, format byte 3 and compression Int 0 (tar archives are never compressed).
const unsigned char kPg15TarToc[130] = {
    0x50, 0x47, 0x44, 0x4d, 0x50, 0x01, 0x0e, 0x00, 0x04, 0x08, 0x03, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x15, 0x00, 0x00, 0x00, 0x00, 0x0a, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00,
    0x00, 0x00, 0x16, 0x00, 0x00, 0x00, 0x00, 0x0a, 0x00, 0x00, 0x00, 0x00, 0x7e, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x04, 0x00, 0x00, 0x00, 0x73, 0x68, 0x6f, 0x70,
    0x00, 0x1e, 0x00, 0x00, 0x00, 0x31, 0x35, 0x2e, 0x31, 0x38, 0x20, 0x28, 0x44, 0x65, 0x62,
    0x69, 0x61, 0x6e, 0x20, 0x31, 0x35, 0x2e, 0x31, 0x38, 0x2d, 0x30, 0x2b, 0x64, 0x65, 0x62,
    0x31, 0x32, 0x75, 0x31, 0x29, 0x00, 0x1e, 0x00, 0x00, 0x00, 0x31, 0x35, 0x2e, 0x31, 0x38,
    0x20, 0x28, 0x44, 0x65, 0x62, 0x69, 0x61, 0x6e, 0x20, 0x31, 0x35, 0x2e, 0x31, 0x38, 0x2d,
    0x30, 0x2b, 0x64, 0x65, 0x62, 0x31, 0x32, 0x75, 0x31, 0x29};

std::string toc()
{
  return std::string(reinterpret_cast<const char*>(kPg15TarToc), 130);
}

void put(std::string& block, size_t at, std::string_view text)
{
  block.replace(at, text.size(), text);
}

// The 512-byte header pg_dump 15.18 wrote for toc.dat, field by field; the
// checksum field holds the real value, "0014441 ".
std::string pg15_tar_header()
{
  std::string h(512, '\0');
  put(h, 0, "toc.dat");
  put(h, 100, "0000600 ");
  put(h, 108, "0004000 ");
  put(h, 116, "0002000 ");
  put(h, 124, "00000002702 "); // size 1474
  put(h, 136, "15300440375 "); // mtime
  put(h, 148, "0014441 ");
  put(h, 156, "0");
  put(h, 257,
      std::string_view("ustar\0"
                       "00",
                       8));
  put(h, 265, "postgres");
  put(h, 297, "postgres");
  put(h, 329, "0000000 0000000 ");
  return h;
}

// Recomputes the checksum after an edit, as tar writers do.
void fix_checksum(std::string& h)
{
  put(h, 148, "        ");
  unsigned sum = 0;
  for (unsigned char c : h.substr(0, 512))
    sum += c;
  char buf[9];
  std::snprintf(buf, sizeof buf, "%07o ", sum);
  put(h, 148, std::string_view(buf, 8));
}

TEST(TarDumpHeader, RealPgDump15TarHeaderChecksumValidates)
{
  std::string h = pg15_tar_header();
  std::string recomputed = h;
  fix_checksum(recomputed);
  EXPECT_EQ(recomputed, h); // our checksum arithmetic matches pg_dump's
  EXPECT_TRUE(looks_like_tar_dump(h + toc()));
}

TEST(TarDumpHeader, ParsesTheEmbeddedTocHeader)
{
  DumpHeader d = parse_tar_dump_header(pg15_tar_header() + toc());
  EXPECT_EQ(d.format, DumpFormat::Tar);
  EXPECT_EQ(d.version_minor, 14);
  EXPECT_EQ(d.compression, "none");
  EXPECT_EQ(d.created, "2026-11-22 01:10:21");
  EXPECT_EQ(d.database, "shop");
  EXPECT_EQ(d.pg_dump_version, "15.18 (Debian 15.18-0+deb12u1)");
}

TEST(TarDumpHeader, GnuAndOldPgDumpMagicsAreAccepted)
{
  for (std::string_view magic :
       {std::string_view("ustar  \0", 8), std::string_view("ustar00\0", 8)}) {
    std::string h = pg15_tar_header();
    put(h, 257, magic);
    fix_checksum(h);
    EXPECT_TRUE(looks_like_tar_dump(h)) << magic;
  }
}

TEST(TarDumpHeader, RejectsBadChecksumMagicNameAndType)
{
  std::string flipped = pg15_tar_header();
  flipped[1] = 'O'; // "tOc.dat" with the old checksum
  EXPECT_FALSE(looks_like_tar_dump(flipped));
  try {
    parse_tar_dump_header(flipped + toc());
    FAIL() << "no exception";
  } catch (const ValidationError& e) {
    EXPECT_NE(std::string(e.what()).find("checksum"), std::string::npos) << e.what();
  }

  std::string no_magic = pg15_tar_header();
  put(no_magic, 257, "xxxxx");
  fix_checksum(no_magic);
  EXPECT_FALSE(looks_like_tar_dump(no_magic));

  std::string other_member = pg15_tar_header();
  put(other_member, 0, "3001.dat");
  fix_checksum(other_member);
  EXPECT_FALSE(looks_like_tar_dump(other_member));
  EXPECT_THROW(parse_tar_dump_header(other_member + toc()), ValidationError);

  std::string directory = pg15_tar_header();
  put(directory, 156, "5");
  fix_checksum(directory);
  EXPECT_FALSE(looks_like_tar_dump(directory));
}

TEST(TarDumpHeader, ShortOrForeignInput)
{
  std::string h = pg15_tar_header();
  for (size_t n : {0u, 1u, 257u, 511u}) {
    EXPECT_FALSE(looks_like_tar_dump(h.substr(0, n)));
    EXPECT_THROW(parse_tar_dump_header(h.substr(0, n)), ValidationError);
  }
  EXPECT_FALSE(looks_like_tar_dump(toc() + std::string(512, '\0')));
  EXPECT_FALSE(looks_like_tar_dump(std::string(1024, '\0'))); // checksum 256 != 0
}

TEST(TarDumpHeader, TruncatedTocIsAValidationError)
{
  for (size_t n = 0; n < 130; ++n)
    EXPECT_THROW(parse_tar_dump_header(pg15_tar_header() + toc().substr(0, n)), ValidationError)
        << n;

  // A member size smaller than the header means the header runs past toc.dat.
  std::string small = pg15_tar_header();
  put(small, 124, "00000000050 ");
  fix_checksum(small);
  try {
    parse_tar_dump_header(small + toc());
    FAIL() << "no exception";
  } catch (const ValidationError& e) {
    EXPECT_NE(std::string(e.what()).find("truncated at byte 40"), std::string::npos) << e.what();
  }
}

TEST(TarDumpHeader, CustomFormatByteInsideTarIsRejected)
{
  std::string custom_toc = toc();
  custom_toc[10] = 1;
  EXPECT_THROW(parse_tar_dump_header(pg15_tar_header() + custom_toc), ValidationError);
}

} // namespace
} // namespace lastgood::pg
