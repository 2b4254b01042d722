#include "common/error.hpp"
#include "formats/barman/backup_info.hpp"
#include "formats/barman/python_literal.hpp"

#include <gtest/gtest.h>

namespace lastgood::formats::barman {
namespace {

// As Barman 3.4.0 wrote it for a backup_method = postgres backup (pgdata paths shortened).
const char* kRealBackupInfo =
    "backup_label='START WAL LOCATION: 0/2000028 (file 000000010000000000000002)\\nCHECKPOINT "
    "LOCATION: 0/2000060\\nBACKUP METHOD: streamed\\nBACKUP FROM: primary\\nSTART TIME: "
    "2026-11-26 06:47:00 UTC\\nLABEL: pg_basebackup base backup\\nSTART TIMELINE: 1\\n'\n"
    "begin_offset=40\n"
    "begin_time=2026-11-26 06:46:59.966803+00:00\n"
    "begin_wal=000000010000000000000002\n"
    "begin_xlog=0/2000028\n"
    "compression=None\n"
    "config_file=/srv/pgdata/postgresql.conf\n"
    "copy_stats={'copy_time': 4.972806, 'total_time': 4.972806}\n"
    "deduplicated_size=24998813\n"
    "end_offset=0\n"
    "end_time=2026-11-26 06:47:04.963156+00:00\n"
    "end_wal=000000010000000000000002\n"
    "end_xlog=0/3000000\n"
    "error=None\n"
    "included_files=None\n"
    "mode=postgres\n"
    "pgdata=/srv/pgdata\n"
    "server_name=plain\n"
    "size=24998813\n"
    "status=DONE\n"
    "systemid=7712368028581030942\n"
    "tablespaces=None\n"
    "timeline=1\n"
    "version=150018\n"
    "xlog_segment_size=16777216\n";

TEST(BarmanBackupInfo, RealBarman34File)
{
  BarmanBackupInfo info = parse_backup_info(kRealBackupInfo);
  EXPECT_EQ(info.status, "DONE");
  EXPECT_TRUE(is_done(info));
  EXPECT_EQ(info.mode, "postgres");
  EXPECT_EQ(info.server_name, "plain");
  EXPECT_EQ(info.begin_wal, "000000010000000000000002");
  EXPECT_EQ(info.end_wal, "000000010000000000000002");
  ASSERT_TRUE(info.begin_xlog && info.end_xlog);
  EXPECT_EQ(info.begin_xlog->value, 0x2000028u);
  EXPECT_EQ(info.end_xlog->value, 0x3000000u);
  EXPECT_EQ(info.begin_offset, 40u);
  EXPECT_EQ(info.timeline, 1u);
  EXPECT_EQ(info.systemid, 7712368028581030942ull);
  EXPECT_EQ(info.version, 150018);
  EXPECT_EQ(info.size, 24998813u);
  EXPECT_EQ(info.xlog_segment_size, 16u << 20);
  EXPECT_EQ(info.compression, "");
  EXPECT_EQ(info.begin_time, "2026-11-26 06:46:59.966803+00:00");
  ASSERT_TRUE(info.begin_time_utc && info.end_time_utc);
  EXPECT_EQ(format_rfc3339(*info.begin_time_utc), "2026-11-26T06:46:59Z");
  EXPECT_EQ(format_rfc3339(*info.end_time_utc), "2026-11-26T06:47:04Z");
  EXPECT_FALSE(parse_backup_info("begin_time=2026-11-26 06:46:59\n").begin_time_utc)
      << "a naive time is the Barman host's local time: unknown zone";
  EXPECT_TRUE(info.tablespaces.empty());
  EXPECT_NE(
      info.backup_label.find("START WAL LOCATION: 0/2000028 (file 000000010000000000000002)\n"),
      std::string::npos);
  EXPECT_EQ(info.other.at("copy_stats"), "{'copy_time': 4.972806, 'total_time': 4.972806}");
  EXPECT_FALSE(info.other.contains("included_files")); // None is unset
}

TEST(BarmanBackupInfo, TablespacesAsBarmanWritesThem)
{
  BarmanBackupInfo info = parse_backup_info(
      "tablespaces=[('tbs1', 16387, '/srv/tbs1'), (\"it's\", 16388, '/srv/x y')]\n");
  ASSERT_EQ(info.tablespaces.size(), 2u);
  EXPECT_EQ(info.tablespaces[0].name, "tbs1");
  EXPECT_EQ(info.tablespaces[0].oid, 16387u);
  EXPECT_EQ(info.tablespaces[0].location, "/srv/tbs1");
  EXPECT_EQ(info.tablespaces[1].name, "it's");
  EXPECT_EQ(info.tablespaces[1].location, "/srv/x y");
}

TEST(BarmanBackupInfo, MalformedInputNamesLineAndKey)
{
  auto message = [](const char* text) {
    try {
      parse_backup_info(text);
    } catch (const ValidationError& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  EXPECT_EQ(message("status=DONE\nthis line has no equals sign\n"),
            "line 2: no '=' in a key=value line");
  EXPECT_NE(message("begin_xlog=0/ZZ\n").find("line 1 (begin_xlog)"), std::string::npos);
  EXPECT_NE(message("begin_wal=00000001000000000000000\n").find("not a WAL segment name"),
            std::string::npos);
  EXPECT_NE(message("timeline=-1\n").find("line 1 (timeline)"), std::string::npos);
  EXPECT_NE(message("systemid=12x\n").find("line 1 (systemid)"), std::string::npos);
  EXPECT_NE(message("tablespaces=[('a', 1)]\n").find("(name, oid, location)"), std::string::npos);
  EXPECT_NE(message("tablespaces=[('a', 1, '/x')\n").find("line 1 (tablespaces)"),
            std::string::npos);
  EXPECT_NE(message("status=DONE\nstatus=FAILED\n").find("line 2 (status): duplicate key"),
            std::string::npos);
  EXPECT_NE(message("xlog_segment_size=1000\n").find("not a WAL segment size"), std::string::npos);
}

TEST(PythonLiteral, ValuesBarmanWrites)
{
  PythonValue v = parse_python_literal(
      "{'a': [1, -2, 3.5e1], 'b': (None, True, False), 'c': 'x\\'y\\n\\x41\\u00e9', 'd': ()}");
  ASSERT_EQ(v.kind, PythonValue::Kind::Dict);
  ASSERT_EQ(v.entries.size(), 4u);
  EXPECT_EQ(v.entries[0].value.items[1].integer, -2);
  EXPECT_DOUBLE_EQ(v.entries[0].value.items[2].real, 35.0);
  EXPECT_EQ(v.entries[1].value.kind, PythonValue::Kind::Tuple);
  EXPECT_TRUE(v.entries[1].value.items[1].boolean);
  EXPECT_FALSE(v.entries[1].value.items[2].boolean);
  EXPECT_EQ(v.entries[2].value.text, "x'y\nA\xc3\xa9");
  EXPECT_TRUE(v.entries[3].value.items.empty());
  EXPECT_EQ(parse_python_literal("('only',)").kind, PythonValue::Kind::Tuple);
  EXPECT_EQ(parse_python_literal("('grouped')").kind, PythonValue::Kind::String);
}

TEST(PythonLiteral, RefusesWhatLiteralEvalWouldRefuseOrWeCannotHold)
{
  for (const char* bad : {"", "[1, 2", "'open", "{'a' 1}", "datetime.datetime(2020, 1, 1)", "1 2",
                          "99999999999999999999", "'\\q'", "Nonesuch"})
    EXPECT_THROW(parse_python_literal(bad), ValidationError) << bad;
  EXPECT_THROW(parse_python_literal(std::string(40, '[') + std::string(40, ']')), ValidationError);
}

} // namespace
} // namespace lastgood::formats::barman
