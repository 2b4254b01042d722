#pragma once
// Forking and exec'ing a PostgreSQL tool, shared by run_process (captured
// output), ChildStream (streamed stdout) and background servers: the child
// leads its own process group, gets default signal handling, keeps only
// descriptors 0, 1 and 2, may switch to another OS user, and is bound to this
// process's lifetime (PR_SET_PDEATHSIG = SIGKILL), so a lastgood killed with
// kill -9 leaves no pg_dump, pg_restore or postgres working on behind it.

#include <string>
#include <sys/types.h>
#include <vector>

namespace lastgood::pg {

// Who the child runs as (do_switch false: this process's user).
struct ChildIdentity
{
  bool do_switch = false;
  uid_t uid = 0;
  gid_t gid = 0;
  std::vector<gid_t> groups;
  std::string name, home;
};

// Resolves `user` for running `program`: empty, or the current user, needs no
// switch; another user needs root. Throws Error saying what to do otherwise.
ChildIdentity resolve_child_user(const std::string& user, const std::string& program);

struct ChildSpec
{
  int stdin_fd = -1, stdout_fd = -1, stderr_fd = -1; // none of them may be 0, 1 or 2
  const ChildIdentity* identity = nullptr;           // nullptr: no switch
  const char* cwd = nullptr;                         // nullptr: this process's
  const char* path = nullptr;                        // the program, a full path
  char* const* argv = nullptr;
  char* const* envp = nullptr;
};

// `fd` itself, or (when it is 0, 1 or 2) a close-on-exec duplicate above them
// with the original closed, so the child's dup2 onto 0..2 cannot clobber it.
int move_above_stdio(int fd);

// Forks and execs. Returns the child's pid once the exec happened (the child
// has then set its own group and death signal). Throws Error naming `program`
// and what failed when the child could not be set up or exec'd (the child is
// reaped then); `user`/`cwd` only shape that message.
pid_t fork_exec_child(const ChildSpec& spec, const std::string& program,
                      const std::string& user = "");

} // namespace lastgood::pg
