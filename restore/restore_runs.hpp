#pragma once
// Restore history: the catalog keeps it (catalog/restore_runs.hpp); restore/
// names it here so its callers read as before.

#include "catalog/restore_runs.hpp"

namespace lastgood::restore {

using catalog::begin_restore_run;
using catalog::find_restore_run;
using catalog::finish_restore_run;
using catalog::interrupted_restore_runs;
using catalog::list_restore_runs;
using catalog::mark_interrupted;
using catalog::mark_rolled_back;
using catalog::mark_swapped;
using catalog::RestoreRunRecord;
using catalog::set_aside_database;
using catalog::set_drop_existing;
using catalog::set_safety_snapshot;
using catalog::set_temporary_database;
using catalog::set_terminated_sessions;
using catalog::to_json;

} // namespace lastgood::restore
