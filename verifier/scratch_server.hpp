#pragma once
// Where test restores happen: a private throwaway cluster ("auto", started on
// first use and removed at the end) or a server given by connection string.
// Only databases named lastgood_verify_<run id> are ever created or dropped,
// and a leftover one only when the catalog says its run is over.

#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace lastgood::pg {
class ScratchCluster;
}

namespace lastgood::verifier {

inline constexpr const char* kScratchPrefix = "lastgood_verify_";

class ScratchServer
{
public:
  // named_by: where spec came from ("--scratch", "verify.scratch"), named in connection errors.
  ScratchServer(std::string spec, std::string run_as, std::string named_by = "--scratch");
  ~ScratchServer();

  // A libpq connection string for dbname on this server.
  std::string conninfo(const std::string& dbname);
  // The server for humans and catalog rows: "auto" or the redacted spec.
  std::string display() const;

  void create_database(const std::string& name);
  // DROP DATABASE ... WITH (FORCE); refuses names without kScratchPrefix.
  void drop_database(const std::string& name);
  // Drops lastgood_verify_<id> databases for which abandoned(id) is true;
  // returns the names dropped.
  std::vector<std::string>
  drop_abandoned(const std::function<bool(std::int64_t run_id)>& abandoned);

private:
  void ensure_started();
  std::string m_spec;
  std::string m_run_as;
  std::string m_named_by;
  std::unique_ptr<pg::ScratchCluster> m_cluster;
};

} // namespace lastgood::verifier
