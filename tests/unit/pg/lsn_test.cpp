#include "common/error.hpp"
#include "pg/lsn.hpp"

#include <gtest/gtest.h>

namespace lastgood::pg {
namespace {

constexpr std::uint64_t k1MiB = 1u << 20;
constexpr std::uint64_t k16MiB = 16u << 20;
constexpr std::uint64_t k64MiB = 64u << 20;

TEST(Lsn, ParsesAndFormatsRoundTrip)
{
  Lsn lsn = Lsn::parse("16/B374D848");
  EXPECT_EQ(lsn.value, 0x16B374D848ull);
  EXPECT_EQ(lsn.str(), "16/B374D848");
  EXPECT_EQ(Lsn::parse("0/0").value, 0u);
  EXPECT_EQ(Lsn::parse("0/0").str(), "0/0");
  EXPECT_EQ(Lsn::parse("FFFFFFFF/FFFFFFFF").value, ~0ull);
  EXPECT_EQ(Lsn::parse("FFFFFFFF/FFFFFFFF").str(), "FFFFFFFF/FFFFFFFF");
}

TEST(Lsn, AcceptsLowerCaseAndZeroPaddingButPrintsCanonically)
{
  EXPECT_EQ(Lsn::parse("0/1a2b3c4d").str(), "0/1A2B3C4D");
  EXPECT_EQ(Lsn::parse("00000001/00000028").str(), "1/28"); // post-17 "%X/%08X" style
}

TEST(Lsn, Orders)
{
  EXPECT_LT(Lsn::parse("0/FFFFFFFF"), Lsn::parse("1/0"));
  EXPECT_EQ(Lsn::parse("1/0"), Lsn{0x100000000ull});
}

TEST(Lsn, RejectsMalformedText)
{
  for (const char* bad : {"", "/", "0/", "/1", "01", "123456789/0", "0/123456789", "0x1/2", " 1/2",
                          "1/2 ", "G/1", "1//2", "1/2/3", "-1/2", "+1/2"}) {
    EXPECT_FALSE(Lsn::try_parse(bad).has_value()) << bad;
    EXPECT_THROW(Lsn::parse(bad), ValidationError) << bad;
  }
}

TEST(Lsn, ParseErrorNamesTheInput)
{
  try {
    Lsn::parse("0/XYZ");
    FAIL() << "no exception";
  } catch (const ValidationError& e) {
    EXPECT_NE(std::string(e.what()).find("0/XYZ"), std::string::npos) << e.what();
  }
}

TEST(SegmentSize, ValidatesPowersOfTwoBetween1MiBAnd1GiB)
{
  EXPECT_TRUE(valid_segment_size(k1MiB));
  EXPECT_TRUE(valid_segment_size(k16MiB));
  EXPECT_TRUE(valid_segment_size(k64MiB));
  EXPECT_TRUE(valid_segment_size(1ull << 30));
  EXPECT_FALSE(valid_segment_size(0));
  EXPECT_FALSE(valid_segment_size(k1MiB / 2));
  EXPECT_FALSE(valid_segment_size(3 * k1MiB));
  EXPECT_FALSE(valid_segment_size(1ull << 31));
  EXPECT_EQ(segments_per_xlogid(k1MiB), 4096u);
  EXPECT_EQ(segments_per_xlogid(k16MiB), 256u);
  EXPECT_EQ(segments_per_xlogid(k64MiB), 64u);
}

TEST(Segments, DefaultSizeExampleFromXlogInternal)
{
  Lsn lsn = Lsn::parse("0/1A2B3C4D");
  EXPECT_EQ(segment_of(lsn, k16MiB), 0x1Au);
  EXPECT_EQ(wal_file_name(1, segment_of(lsn, k16MiB), k16MiB), "00000001000000000000001A");
  EXPECT_EQ(segment_start(0x1A, k16MiB), Lsn::parse("0/1A000000"));
}

TEST(Segments, CrossingIntoTheNextXlogid)
{
  EXPECT_EQ(wal_file_name(1, segment_of(Lsn::parse("0/FFFFFFFF"), k16MiB), k16MiB),
            "0000000100000000000000FF");
  EXPECT_EQ(wal_file_name(1, segment_of(Lsn::parse("1/0"), k16MiB), k16MiB),
            "000000010000000100000000");
  EXPECT_EQ(wal_file_name(0xABCDEF01, segment_of(Lsn::parse("16/B374D848"), k16MiB), k16MiB),
            "ABCDEF0100000016000000B3");
}

TEST(Segments, SixtyFourMiB)
{
  Lsn lsn = Lsn::parse("1/4000000");
  EXPECT_EQ(segment_of(lsn, k64MiB), 65u);
  EXPECT_EQ(wal_file_name(1, 65, k64MiB), "000000010000000100000001");
  EXPECT_EQ(wal_file_name(2, segment_of(Lsn::parse("0/FC000000"), k64MiB), k64MiB),
            "00000002000000000000003F");
  EXPECT_EQ(segment_start(65, k64MiB), lsn);
}

TEST(Segments, OneMiB)
{
  EXPECT_EQ(wal_file_name(1, segment_of(Lsn::parse("0/12345678"), k1MiB), k1MiB),
            "000000010000000000000123");
  Lsn lsn = Lsn::parse("2/FFF00000");
  EXPECT_EQ(segment_of(lsn, k1MiB), 2u * 4096 + 0xFFF);
  EXPECT_EQ(wal_file_name(1, segment_of(lsn, k1MiB), k1MiB), "000000010000000200000FFF");
}

TEST(Segments, LastSegmentForAnEndLsnOnABoundaryIsThePreviousOne)
{
  EXPECT_EQ(last_segment_for(Lsn::parse("0/3000000"), k16MiB), 2u);
  EXPECT_EQ(last_segment_for(Lsn::parse("0/3000001"), k16MiB), 3u);
  EXPECT_EQ(last_segment_for(Lsn::parse("0/2FFFFFF"), k16MiB), 2u);
  EXPECT_EQ(last_segment_for(Lsn::parse("1/0"), k16MiB), 255u);
  EXPECT_EQ(last_segment_for(Lsn::parse("0/8000000"), k64MiB), 1u);
  EXPECT_EQ(last_segment_for(Lsn::parse("0/100000"), k1MiB), 0u);
  EXPECT_EQ(last_segment_for(Lsn{0}, k16MiB), 0u);
}

} // namespace
} // namespace lastgood::pg
