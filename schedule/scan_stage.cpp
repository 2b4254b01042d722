// The scan stage: every repository is scanned, even after one could not be
// read; problems found in objects make the stage a problem, a repository that
// could not be scanned an error.

#include "catalog/scanner.hpp"
#include "common/cipher_pass.hpp"
#include "common/redact.hpp"
#include "schedule/stages.hpp"
#include "storage/storage.hpp"

namespace lastgood::schedule {

namespace {

std::string count(std::uint64_t n, const char* one, const char* many)
{
  return std::to_string(n) + " " + (n == 1 ? one : many);
}

} // namespace

void scan_stage(Stage& stage, catalog::Database& db, const Config& config,
                const std::vector<catalog::Repository>& repositories, unsigned jobs)
{
  std::uint64_t objects = 0, new_backups = 0, problems = 0, unreadable = 0;
  nlohmann::json scanned = nlohmann::json::array();
  for (const auto& repo : repositories) {
    try {
      auto storage = storage::open_storage(repo.url);
      catalog::ScanOptions options;
      options.jobs = jobs;
      options.cipher_pass = repository_cipher_pass(config, repo.name);
      const auto summary = catalog::scan_repository(db, repo, *storage, options);
      objects += summary.new_objects + summary.changed + summary.unchanged;
      new_backups += summary.new_backups;
      for (const auto& key : summary.content_changed)
        stage.details.push_back(repo.name + ": content changed under the same key: " + key);
      for (const auto& p : summary.problems)
        stage.details.push_back(repo.name + ": " + p.key + ": " + p.message);
      for (const auto& p : summary.standing_problems)
        stage.details.push_back(repo.name + ": " + p.key + " (still): " + p.message);
      problems += summary.problems.size() + summary.standing_problems.size() +
                  summary.content_changed.size();
      scanned.push_back(catalog::to_json(summary));
    } catch (const std::exception& e) {
      ++unreadable;
      stage.details.push_back(repo.name + ": could not be scanned: " + redact(e.what()));
      scanned.push_back({{"repository", repo.name}, {"error", redact(e.what())}});
    }
  }
  stage.data = {{"repositories", scanned}};
  stage.outcome = problems     ? StageOutcome::Problem
                  : unreadable ? StageOutcome::Error
                               : StageOutcome::Ok;
  stage.summary = count(repositories.size(), "repository", "repositories") + ", " +
                  count(objects, "object", "objects") + ", " +
                  count(new_backups, "new backup", "new backups") + "; " +
                  count(problems, "problem", "problems") +
                  (unreadable ? ", " + std::to_string(unreadable) + " not scanned" : "");
}

} // namespace lastgood::schedule
