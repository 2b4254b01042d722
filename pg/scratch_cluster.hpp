#pragma once
// A throwaway PostgreSQL cluster for test restores (`verify --scratch auto`):
// initdb into a private temp dir, a server listening only on a unix socket in
// that dir, durability off. The destructor stops it and removes everything.
// The postmaster is lastgood's child and dies with it (kill -9 included); the
// dir's name carries the owner's pid, so the next run removes what is left.

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <sys/types.h>
#include <utility>
#include <vector>

namespace lastgood::pg {

class BackgroundProcess;

struct ScratchClusterOptions
{
  // OS user running initdb and the server. Empty: "postgres" when running as
  // root (PostgreSQL refuses root), else the current user.
  std::string run_as_user{};
  // Where the temp dir is made; empty: $TMPDIR, else /tmp. When switching
  // users, it and its parents must be traversable by run_as_user.
  std::string base_dir{};
  // Extra server settings, "name=value" each (the value taken literally).
  std::vector<std::string> settings{};
  // Set: instead of initdb, this fills the (absent) data directory, e.g. with
  // a restored base backup, and everything it writes must belong to `owner`
  // when given (root running the server as another user). Only the settings
  // a private server needs (socket, no TCP, fsync off, no archiving) are
  // added, to postgresql.auto.conf so they win over the backup's own.
  std::function<void(const std::string& data_dir, std::optional<std::pair<uid_t, gid_t>> owner)>
      populate{};
  // How long pg_ctl start may wait (a restored cluster replays WAL first).
  std::chrono::seconds start_timeout{60};
  // Added to the server's environment (its restore_command inherits them):
  // secrets go here, never into a setting written to disk or an argument.
  std::vector<std::pair<std::string, std::string>> environment{};
};

class ScratchCluster
{
  struct Key
  {
  };

public:
  static constexpr const char* kSuperuser = "lastgood";
  static constexpr const char* kDirPrefix = "lastgood-scratch-";

  // initdb + start. Throws Error (with the server log tail) when it cannot.
  static std::unique_ptr<ScratchCluster> start(const ScratchClusterOptions& options);

  ScratchCluster(Key, const ScratchClusterOptions& options);
  ~ScratchCluster(); // stop() (errors swallowed), then removes the temp dir
  ScratchCluster(const ScratchCluster&) = delete;
  ScratchCluster& operator=(const ScratchCluster&) = delete;

  // "host=<socket dir> port=<port> dbname=<dbname> user=lastgood" (no password: trust).
  std::string conninfo(const std::string& dbname = "postgres") const;
  // The role conninfo() connects as (a populated cluster has its own superuser).
  void set_user(std::string user) { m_user = std::move(user); }
  const std::string& run_as() const { return m_run_as; }
  const std::string& data_dir() const { return m_data_dir; }
  const std::string& socket_dir() const { return m_dir; }
  int port() const { return m_port; }
  // Whether the postmaster is still there (it may stop by itself, e.g. when
  // recovery fails).
  bool running() const;
  // The last lines of the server log, for error messages.
  std::string log_tail(std::size_t lines = 30) const;
  // Stops the server (fast, then immediate, then SIGKILL) and waits until the
  // postmaster is gone. Idempotent. Throws Error if it cannot be stopped.
  void stop();

private:
  void init(const ScratchClusterOptions& options);
  bool try_start(int port, std::string& failure);
  std::vector<std::string> pg_ctl(std::vector<std::string> args) const;

  std::string m_run_as;
  std::string m_user = kSuperuser;
  std::chrono::seconds m_start_timeout{60};
  std::vector<std::pair<std::string, std::string>> m_environment;
  std::string m_dir, m_data_dir, m_log;
  int m_port = 0;
  pid_t m_postmaster = 0;
  std::unique_ptr<BackgroundProcess> m_server; // the postmaster, our child
  bool m_running = false;
};

// Removes `lastgood-scratch-<pid>-*` dirs in base_dir (default as above) whose
// <pid> is no longer alive, first stopping any postmaster still running there
// (`pg_ctl stop -m immediate` as the dir's owner). Leaves dirs of live pids,
// dirs without that prefix and dirs whose server would not stop. Returns how
// many were removed. before_removing (when set) is called with the dir and its
// owner's pid before anything is done to it (for an audit row).
int remove_stale_scratch_clusters(
    const std::string& base_dir = "",
    const std::function<void(const std::string&, pid_t)>& before_removing = {});

// A loopback TCP port nobody listens on right now (the kernel's choice); a
// server started on it a moment later may still lose a race, so callers retry.
int pick_free_port();

} // namespace lastgood::pg
