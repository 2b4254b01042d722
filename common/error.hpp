#pragma once
// The one exception hierarchy. Thrown when the job cannot be done at all;
// problems found *in* backups are findings (data), not exceptions.
// cli/ catches lastgood::Error once and maps it to a message and an exit code.

#include <stdexcept>
#include <string>

namespace lastgood {

enum ExitCode : int {
  kExitOk = 0,       // done and all good
  kExitFailed = 1,   // could not do the job (I/O, database, storage)
  kExitUsage = 2,    // usage or configuration error
  kExitProblem = 3,  // the job ran and found a problem
};

class Error : public std::runtime_error {
public:
  explicit Error(const std::string& message, int exit_code = kExitFailed)
      : std::runtime_error(message), m_exit_code(exit_code)
  {
  }
  int exit_code() const { return m_exit_code; }

private:
  int m_exit_code;
};

// Reading or writing a repository failed. `permanent` is false for errors a
// retry may cure (timeouts, 5xx); true for missing objects, permissions, etc.
class StorageError : public Error {
public:
  explicit StorageError(const std::string& message, bool permanent = true)
      : Error(message), m_permanent(permanent)
  {
  }
  bool permanent() const { return m_permanent; }

private:
  bool m_permanent;
};

// The requested object does not exist (a StorageError that callers often test for).
class NotFoundError : public StorageError {
public:
  using StorageError::StorageError;
};

// Input is malformed: a header, a manifest, a name, a flag value, a config file.
class ValidationError : public Error {
public:
  explicit ValidationError(const std::string& message) : Error(message, kExitFailed) {}
};

// Usage or configuration error (exit 2).
class UsageError : public Error {
public:
  explicit UsageError(const std::string& message) : Error(message, kExitUsage) {}
};

// The catalog (SQLite) or a PostgreSQL server refused or failed.
class DatabaseError : public Error {
public:
  using Error::Error;
};

class RestoreError : public Error {
public:
  using Error::Error;
};

} // namespace lastgood
