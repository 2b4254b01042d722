#include "restore/pgbackrest_wal.hpp"

#include "common/error.hpp"
#include "formats/pgbackrest/archive_info.hpp"
#include "formats/pgbackrest/info_loader.hpp"
#include "formats/pgbackrest/transform.hpp"

#include <filesystem>
#include <vector>

namespace lastgood::restore {

namespace pgbr = formats::pgbackrest;

std::optional<std::string> pgbackrest_archive_cipher_pass(storage::Storage& storage,
                                                          const std::string& key,
                                                          const std::string& repository,
                                                          const CipherPassLookup& lookup)
{
  const auto passphrase = lookup ? lookup(repository) : std::nullopt;
  const std::string info_key =
      (std::filesystem::path(key).parent_path().parent_path().parent_path() / "archive.info")
          .string();
  try {
    auto loaded = pgbr::load_info_file(storage, info_key, passphrase);
    return pgbr::parse_archive_info(loaded.text, info_key).cipher_pass;
  } catch (const pgbr::PassphraseError& e) {
    throw Error(std::string("cannot read WAL from ") + repository + ": " + e.what() + "; " +
                cipher_pass_hint(repository));
  } catch (const ValidationError&) {
    if (passphrase) throw;
  } catch (const NotFoundError&) {
    if (passphrase) throw;
  }
  return std::nullopt;
}

std::unique_ptr<storage::ReadStream>
pgbackrest_wal_stream(std::unique_ptr<storage::ReadStream> stored,
                      const pgbr::ArchiveFileName& name, const std::string& key,
                      const std::optional<std::string>& cipher_pass)
{
  std::vector<std::unique_ptr<pgbr::Transform>> chain;
  if (cipher_pass) chain.push_back(pgbr::make_decryptor(*cipher_pass));
  if (name.compression != pgbr::CompressType::none)
    chain.push_back(pgbr::make_decompressor(name.compression));
  return pgbr::transform_stream(std::move(stored), std::move(chain), key);
}

} // namespace lastgood::restore
