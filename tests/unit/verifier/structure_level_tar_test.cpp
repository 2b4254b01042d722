// The structure level refuses the tar members the restore level refuses:
// "../", absolute names and links leading out of the data directory.

#include "tests/unit/verifier/fake_backup.hpp"
#include "verifier/pgdata_extract.hpp"
#include "verifier/structure_level.hpp"

namespace lastgood::verifier {
namespace {

class StructureLevelTar : public fake::ChecksumLevel
{
protected:
  Findings verify_structure_level()
  {
    for (auto& o : m_objects) {
      const std::string name = o.key.substr(o.key.rfind('/') + 1);
      o.role = name == "backup_manifest"        ? "manifest"
               : name.starts_with("base.tar")   ? "base_tar"
               : name.starts_with("pg_wal.tar") ? "wal_tar"
               : name.ends_with(".tar")         ? "tablespace_tar"
                                                : "file";
    }
    m_backup.start_lsn = 0x2000028;
    m_backup.system_identifier = "7000000000000000001";
    auto storage = storage::open_storage(repo().string());
    StructureContext context;
    context.archived_segment = [](std::uint32_t, std::uint64_t) { return true; };
    return verify_structure(*storage, m_backup, m_objects, context);
  }

  // base.tar of make_tar_backup with `extra` appended.
  void rewrite_base_tar(const std::vector<fake::TarMember>& extra)
  {
    std::vector<fake::TarMember> base{{"./", "", true}};
    for (const auto& f : fake::data_files())
      base.push_back({"./" + f.path, f.data});
    base.insert(base.end(), extra.begin(), extra.end());
    write("base/t1/base.tar", fake::make_tar(base, false));
    catalog_objects();
  }

  // The members named by unsafe_member findings, each a failure on `key`.
  static Strings unsafe_members(const Findings& findings, const std::string& key)
  {
    Strings members;
    for (const auto& f : findings.items()) {
      if (f.kind != finding_kind::unsafe_member) continue;
      EXPECT_EQ(f.severity, Severity::Failure);
      EXPECT_EQ(f.subject, key);
      const std::string member = f.detail.at("member");
      EXPECT_NE(f.message.find("'" + member + "'"), std::string::npos) << f.message;
      members.push_back(member);
    }
    return members;
  }
};

TEST_F(StructureLevelTar, CleanTarBackupHasNoUnsafeMember)
{
  make_tar_backup(false);
  const auto findings = verify_structure_level();
  EXPECT_TRUE(unsafe_members(findings, "base/t1/base.tar").empty());
  EXPECT_FALSE(findings.any(Severity::Failure)) << of(findings).front();
}

TEST_F(StructureLevelTar, DotDotAbsoluteAndEscapingLinksFailNamingTheMember)
{
  make_tar_backup(false);
  rewrite_base_tar({{"../evil", "x"},
                    {"/etc/cron.d/evil", "y"},
                    {"pg_wal/../../up", "z"},
                    {"base/escape", "", false, "../../../etc/shadow"},
                    {"rooted", "", false, "/etc/shadow"},
                    {"pg_tblspc/16384", "", false, "/srv/tablespace"}}); // replaced on restore
  const auto findings = verify_structure_level();
  EXPECT_EQ(unsafe_members(findings, "base/t1/base.tar"),
            (Strings{"../evil", "/etc/cron.d/evil", "pg_wal/../../up", "base/escape", "rooted"}));
  EXPECT_TRUE(findings.any(Severity::Failure));
}

TEST_F(StructureLevelTar, WalTarMembersAreCheckedToo)
{
  make_tar_backup(false);
  write("base/t1/pg_wal.tar", fake::make_tar({{"000000010000000000000002", fake::pattern(65536, 9)},
                                              {"../000000010000000000000003", "w"}},
                                             false));
  catalog_objects();
  const auto findings = verify_structure_level();
  EXPECT_EQ(unsafe_members(findings, "base/t1/pg_wal.tar"),
            (Strings{"../000000010000000000000003"}));
}

TEST_F(StructureLevelTar, LinksInsideATablespaceArchiveAreRefused)
{
  make_tar_backup(false);
  write("base/t1/16384.tar",
        fake::make_tar({{"PG_15_202209061", "", true},
                        {"PG_15_202209061/16385/16390", fake::pattern(40000, 5)},
                        {"PG_15_202209061/link", "", false, "16385/16390"}},
                       false));
  catalog_objects();
  EXPECT_EQ(unsafe_members(verify_structure_level(), "base/t1/16384.tar"),
            (Strings{"PG_15_202209061/link"}));
}

} // namespace
} // namespace lastgood::verifier
