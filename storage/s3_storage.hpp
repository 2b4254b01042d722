#pragma once
// The S3 backend: s3://bucket/prefix on AWS, MinIO, Ceph, GCS (XML API with
// HMAC keys) and other S3-compatible servers.

#include "common/config.hpp"
#include "storage/s3_client.hpp"
#include "storage/storage.hpp"

#include <functional>
#include <memory>

namespace lastgood::storage {

class S3Storage : public Storage
{
public:
  explicit S3Storage(std::shared_ptr<S3Client> client);

  std::string display_url() const override;
  void list(std::string_view prefix, const std::function<void(const ObjectInfo&)>& on_object,
            const std::function<void(const ListProblem&)>& on_problem) override;
  std::optional<ObjectInfo> stat(std::string_view key) override;
  std::unique_ptr<ReadStream> read(std::string_view key, std::uint64_t offset = 0,
                                   std::optional<std::uint64_t> length = std::nullopt) override;
  std::unique_ptr<ReadStream> read_listed(const ObjectInfo& listed) override;
  std::unique_ptr<WriteStream> write(std::string_view key) override;
  void remove(std::string_view key) override;
  void remove_many(const std::vector<std::string>& keys) override;

  S3Client& client() { return *m_client; }

private:
  std::shared_ptr<S3Client> m_client;
};

// The configuration's [s3] section (credentials, region, profile): cli/ hands
// it over (the file is read only when an S3 repository is opened).
void set_s3_config_source(std::function<S3Config()> source);

// Parses the URL, finds credentials (credentials_chain.hpp: [s3], AWS_*
// variables, web identity, ~/.aws files, instance metadata) and the region
// (URL, [s3] region, AWS_REGION, AWS_DEFAULT_REGION, the profile's region in
// ~/.aws/config, us-east-1). Throws UsageError when no credentials are found.
std::unique_ptr<S3Storage> open_s3_storage(std::string_view url);

} // namespace lastgood::storage
