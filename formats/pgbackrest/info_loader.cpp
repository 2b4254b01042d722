#include "formats/pgbackrest/info_loader.hpp"

#include "formats/pgbackrest/transform.hpp"

namespace lastgood::formats::pgbackrest {
namespace {

constexpr std::size_t kMaxInfoBytes = 512u << 20; // manifests of very large clusters

struct Attempt
{
  std::optional<InfoText> text;
  bool missing = false;
  bool decrypt_failed = false;
  bool encrypted_without_passphrase = false;
  std::string problem;
};

Attempt try_load(storage::Storage& storage, const std::string& key,
                 const std::optional<std::string>& passphrase)
{
  Attempt a;
  std::string bytes;
  try {
    bytes = storage::read_all(storage, key, kMaxInfoBytes);
  } catch (const NotFoundError&) {
    a.missing = true;
    a.problem = key + " is missing";
    return a;
  }
  try {
    if (passphrase) {
      std::vector<std::unique_ptr<Transform>> chain;
      chain.push_back(make_decryptor(*passphrase));
      bytes = transform_all(bytes, std::move(chain), key);
    } else if (bytes.starts_with("Salted__")) {
      a.encrypted_without_passphrase = true;
      a.problem = key + " is encrypted";
      return a;
    }
    a.text = parse_info_text(bytes, key);
  } catch (const DecryptError& e) {
    a.decrypt_failed = true;
    a.problem = e.what();
  } catch (const ValidationError& e) {
    a.problem = e.what();
  }
  return a;
}

} // namespace

LoadedInfo load_info_file(storage::Storage& storage, const std::string& key,
                          const std::optional<std::string>& passphrase)
{
  const std::string copy_key = key + ".copy";
  Attempt main = try_load(storage, key, passphrase);
  Attempt copy = try_load(storage, copy_key, passphrase);

  if (!main.text && !copy.text) {
    if (main.missing && copy.missing)
      throw NotFoundError(key + " and " + copy_key +
                          " are both missing: is this a pgBackRest repository " +
                          "and the stanza name right?");
    if ((main.encrypted_without_passphrase || main.missing) &&
        (copy.encrypted_without_passphrase || copy.missing))
      throw PassphraseError(key +
                            " is encrypted: give the repository passphrase (repo-cipher-pass)");
    if ((main.decrypt_failed || main.missing) && (copy.decrypt_failed || copy.missing))
      throw PassphraseError(key +
                            " and its copy could not be decrypted: wrong passphrase for this " +
                            "repository, or the repository is not encrypted");
    throw ValidationError("neither " + key + " nor its copy is usable: " + main.problem + "; " +
                          copy.problem);
  }

  LoadedInfo loaded;
  using Kind = RepoFinding::Kind;
  if (main.text) {
    loaded.text = std::move(*main.text);
    loaded.loaded_from = key;
    if (!copy.text)
      loaded.findings.push_back(
          {copy.missing ? Kind::missing : Kind::damaged, copy_key, copy.problem});
    else if (copy.text->checksum != loaded.text.checksum)
      loaded.findings.push_back({Kind::copy_disagrees, copy_key,
                                 copy_key + " is valid but differs from " + key + " (checksum " +
                                     copy.text->checksum + " vs " + loaded.text.checksum +
                                     "): the main file was used"});
  } else {
    loaded.text = std::move(*copy.text);
    loaded.loaded_from = copy_key;
    loaded.findings.push_back({main.missing ? Kind::missing : Kind::damaged, key,
                               main.problem + " (its copy " + copy_key + " was used)"});
  }
  return loaded;
}

} // namespace lastgood::formats::pgbackrest
