#pragma once
// The physical half of `restore` (--pgdata): options parsed by cmd_restore.cpp.

#include "cli/context.hpp"

#include <cstdint>
#include <string>

namespace lastgood::cli {

struct PhysicalRestoreCli
{
  std::string pgdata, target_time, target_lsn, target_xid, target, cluster, backup, run_as;
  std::string timeline = "latest";
  std::string target_action = "pause";
  bool immediate = false, last_good = false, start = false, dry_run = false, json = false;
  bool exclusive = false;
};

void run_physical_restore_command(Context& ctx, const PhysicalRestoreCli& options);

} // namespace lastgood::cli
