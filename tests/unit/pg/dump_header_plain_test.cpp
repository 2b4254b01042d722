#include "common/error.hpp"
#include "pg/dump_header.hpp"

#include <gtest/gtest.h>
#include <string>

namespace lastgood::pg {
namespace {

// Head and tail of `pg_dump -Fp shop` from pg_dump 15.18 (with \restrict).
constexpr std::string_view kHead =
    "--\n-- PostgreSQL database dump\n--\n\n"
    "\\restrict GxaeH5lHZkhPcGtcQMjvdUHndoWdcK898bRSghBRhqoyNx6JXeqCYSv75qeB898\n\n"
    "-- Dumped from database version 15.18 (Debian 15.18-0+deb12u1)\n"
    "-- Dumped by pg_dump version 15.18 (Debian 15.18-0+deb12u1)\n\n"
    "SET statement_timeout = 0;\nSET lock_timeout = 0;\n";
constexpr std::string_view kTail =
    "ALTER TABLE ONLY public.t\n    ADD CONSTRAINT t_pkey PRIMARY KEY (a);\n\n\n"
    "--\n-- PostgreSQL database dump complete\n--\n\n"
    "\\unrestrict GxaeH5lHZkhPcGtcQMjvdUHndoWdcK898bRSghBRhqoyNx6JXeqCYSv75qeB898\n\n";

// `pg_dump -Fp -C shop`: the database name comes from CREATE DATABASE.
constexpr std::string_view kCreateHead =
    "--\n-- PostgreSQL database dump\n--\n\n"
    "\\restrict UN3oG6wvregM8YfAc3qRiITaNHEdsSOQdk1Qhlqtil2mupg3shLnmZTApvxxuOe\n\n"
    "-- Dumped from database version 15.18 (Debian 15.18-0+deb12u1)\n"
    "-- Dumped by pg_dump version 15.18 (Debian 15.18-0+deb12u1)\n\n"
    "--\n-- Name: shop; Type: DATABASE; Schema: -; Owner: postgres\n--\n\n"
    "CREATE DATABASE shop WITH TEMPLATE = template0 ENCODING = 'UTF8' LOCALE_PROVIDER = libc "
    "LOCALE = 'C.UTF-8';\n\n\nALTER DATABASE shop OWNER TO postgres;\n\n"
    "\\unrestrict UN3oG6wvregM8YfAc3qRiITaNHEdsSOQdk1Qhlqtil2mupg3shLnmZTApvxxuOe\n"
    "\\connect shop\n";

// pg_dumpall 15.18: no version lines in its own header; each database part
// carries its own "database dump complete" marker, so only the cluster marker counts.
constexpr std::string_view kClusterHead =
    "--\n-- PostgreSQL database cluster dump\n--\n\n"
    "\\restrict qsx3vJW6PJSBqEvySVcNnXymBZhnRv6GyTuD98JyOXS7jDYuA21LOVbzdBqeg7G\n\n"
    "SET default_transaction_read_only = off;\n\n--\n-- Roles\n--\n\nCREATE ROLE postgres;\n"
    "\\connect template1\n\n--\n-- PostgreSQL database dump\n--\n\n"
    "-- Dumped from database version 15.18 (Debian 15.18-0+deb12u1)\n"
    "-- Dumped by pg_dump version 15.18 (Debian 15.18-0+deb12u1)\n";
constexpr std::string_view kClusterTail =
    "--\n-- PostgreSQL database dump complete\n--\n\n"
    "\\unrestrict pK6mMmxgx7tfYiuT5byGmp2keMYziP4n4HGHAv2xlpMKZgJFu1QvrMieEncH24T\n\n"
    "--\n-- PostgreSQL database cluster dump complete\n--\n\n";

TEST(PlainDumpHeader, RealPgDump15Output)
{
  ASSERT_TRUE(looks_like_plain_dump(kHead));
  DumpHeader h = parse_plain_dump_header(kHead, kTail);
  EXPECT_EQ(h.format, DumpFormat::Plain);
  EXPECT_FALSE(h.cluster_dump);
  EXPECT_TRUE(h.complete);
  EXPECT_EQ(h.server_version, "15.18 (Debian 15.18-0+deb12u1)");
  EXPECT_EQ(h.pg_dump_version, "15.18 (Debian 15.18-0+deb12u1)");
  EXPECT_EQ(h.database, ""); // without -C the script never names its database
}

TEST(PlainDumpHeader, DatabaseFromCreateDatabase)
{
  DumpHeader h = parse_plain_dump_header(kCreateHead, kTail);
  EXPECT_EQ(h.database, "shop");
}

TEST(PlainDumpHeader, QuotedDatabaseNames)
{
  std::string head = "--\n-- PostgreSQL database dump\n--\n\n";
  EXPECT_EQ(
      parse_plain_dump_header(head + "CREATE DATABASE \"My \"\"Shop\"\"\" WITH TEMPLATE;\n", "")
          .database,
      "My \"Shop\"");
  EXPECT_EQ(parse_plain_dump_header(head + "\\connect \"Shop\"\n", "").database, "Shop");
  EXPECT_EQ(parse_plain_dump_header(head + "\\connect -reuse-previous=on \"dbname='my db'\"\n", "")
                .database,
            "my db");
  EXPECT_EQ(parse_plain_dump_header(head + "\\connect -reuse-previous=on \"dbname='it\\'s'\"\n", "")
                .database,
            "it's");
}

TEST(PlainDumpHeader, TruncatedDumpIsIncomplete)
{
  DumpHeader h = parse_plain_dump_header(kHead, "COPY public.t (a, b) FROM stdin;\n1\tx1\n2\tx");
  EXPECT_FALSE(h.complete);
  // The marker text followed by more SQL is data, not the end of the dump.
  h = parse_plain_dump_header(kHead,
                              "-- PostgreSQL database dump complete\nCOPY public.u FROM stdin;\n");
  EXPECT_FALSE(h.complete);
  // A marker with the trailer but without the \unrestrict line (older minors) is complete.
  h = parse_plain_dump_header(kHead, "\n--\n-- PostgreSQL database dump complete\n--\n\n");
  EXPECT_TRUE(h.complete);
}

TEST(PlainDumpHeader, ClusterDump)
{
  ASSERT_TRUE(looks_like_plain_dump(kClusterHead));
  DumpHeader h = parse_plain_dump_header(kClusterHead, kClusterTail);
  EXPECT_TRUE(h.cluster_dump);
  EXPECT_TRUE(h.complete);
  EXPECT_EQ(h.database, "");
  EXPECT_EQ(h.pg_dump_version, "15.18 (Debian 15.18-0+deb12u1)");

  // Cut after the last database: its own marker is there, the cluster one is not.
  std::string_view cut =
      kClusterTail.substr(0, kClusterTail.find("\n--\n-- PostgreSQL database cluster"));
  EXPECT_FALSE(parse_plain_dump_header(kClusterHead, cut).complete);
}

TEST(PlainDumpHeader, CrLfLineEndings)
{
  DumpHeader h = parse_plain_dump_header(
      "--\r\n-- PostgreSQL database dump\r\n--\r\n\r\n-- Dumped by pg_dump version 16.2\r\n",
      "--\r\n-- PostgreSQL database dump complete\r\n--\r\n\r\n");
  EXPECT_EQ(h.pg_dump_version, "16.2");
  EXPECT_TRUE(h.complete);
}

TEST(PlainDumpHeader, NotAPlainDump)
{
  for (std::string_view head :
       {std::string_view(""), std::string_view("--\n-- PostgreSQL database dump\n"),
        std::string_view("-- PostgreSQL database dump\n--\n"),
        std::string_view("--\n-- MySQL dump 10.13\n--\n"), std::string_view("PGDMP\x01\x0e\x00")}) {
    EXPECT_FALSE(looks_like_plain_dump(head)) << head;
    EXPECT_THROW(parse_plain_dump_header(head, kTail), ValidationError) << head;
  }
}

} // namespace
} // namespace lastgood::pg
