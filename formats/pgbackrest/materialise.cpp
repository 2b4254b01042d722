#include "formats/pgbackrest/materialise.hpp"

#include "formats/pgbackrest/sha1.hpp"
#include "formats/pgbackrest/stanza.hpp"

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>

namespace lastgood::formats::pgbackrest {
namespace {

namespace fs = std::filesystem;

std::string backup_dir_key(std::string_view stanza, std::string_view label)
{
  return "backup/" + std::string(stanza) + "/" + std::string(label);
}

// pg_data/x -> target/x; pg_tblspc/<oid>/... -> target/pg_tblspc/<oid>/...
// (tablespaces land inside the data directory, not at their original path).
fs::path local_path(const fs::path& target, const std::string& name)
{
  if (name == "pg_data") return target;
  if (name.starts_with("pg_data/")) return target / name.substr(8);
  if (name.starts_with("pg_tblspc/")) return target / name;
  throw ValidationError("manifest entry '" + name + "' is outside every known target");
}

// A manifest name must not climb out of the target directory.
void check_name(const std::string& name)
{
  if (name.find("/../") != std::string::npos || name.ends_with("/..") ||
      name.find("/./") != std::string::npos || name.find('\0') != std::string::npos)
    throw ValidationError("manifest entry '" + name + "' is not a safe relative path");
}

fs::perms parse_mode(const std::string& mode, fs::perms fallback)
{
  try {
    return static_cast<fs::perms>(std::stoul(mode, nullptr, 8) & 07777);
  } catch (const std::exception&) {
    return fallback;
  }
}

class FileWriter
{
public:
  explicit FileWriter(const fs::path& path) : m_path(path), m_file(std::fopen(path.c_str(), "wbx"))
  {
    if (!m_file) throw StorageError("cannot create " + path.string() + ": " + std::strerror(errno));
  }
  ~FileWriter()
  {
    if (m_file) std::fclose(m_file);
  }
  FileWriter(const FileWriter&) = delete;
  FileWriter& operator=(const FileWriter&) = delete;
  void write(const std::byte* data, std::size_t n)
  {
    if (n > 0 && std::fwrite(data, 1, n, m_file) != n)
      throw StorageError("cannot write " + m_path.string() + ": " + std::strerror(errno));
  }
  void close()
  {
    std::FILE* f = m_file;
    m_file = nullptr;
    if (std::fclose(f) != 0)
      throw StorageError("cannot write " + m_path.string() + ": " + std::strerror(errno));
  }

private:
  fs::path m_path;
  std::FILE* m_file;
};

void restore_file(storage::Storage& repo, const Manifest& manifest, const ManifestFile& file,
                  std::string_view stanza, const fs::path& path)
{
  FileWriter out(path);
  read_stored_file(repo, manifest, file, stanza, [&](std::span<const std::byte> chunk) {
    out.write(chunk.data(), chunk.size());
  });
  out.close();
  fs::permissions(path, parse_mode(file.mode, fs::perms::owner_read | fs::perms::owner_write));
}

} // namespace

LoadedManifest load_manifest(storage::Storage& repo, std::string_view stanza,
                             std::string_view label,
                             const std::optional<std::string>& manifest_passphrase)
{
  auto loaded =
      load_info_file(repo, backup_dir_key(stanza, label) + "/backup.manifest", manifest_passphrase);
  LoadedManifest out{parse_manifest(loaded.text, loaded.loaded_from), std::move(loaded.findings)};
  if (out.manifest.label != label)
    throw ValidationError(loaded.loaded_from + " is the manifest of backup " + out.manifest.label +
                          ", not " + std::string(label));
  return out;
}

StoredLocation stored_location(const Manifest& manifest, const ManifestFile& file,
                               std::string_view stanza)
{
  const std::string dir = backup_dir_key(stanza, file.reference.value_or(manifest.label));
  if (file.bundle_id)
    return {dir + "/bundle/" + std::to_string(*file.bundle_id), file.bundle_offset, file.repo_size};
  return {dir + "/" + file.name + std::string(compress_extension(manifest.compress_type)), 0,
          std::nullopt};
}

void read_stored_file(storage::Storage& repo, const Manifest& manifest, const ManifestFile& file,
                      std::string_view stanza, const StoredFileSink& sink)
{
  if (file.size == 0) return;
  const StoredLocation where = stored_location(manifest, file, stanza);
  const std::string what =
      file.name + " (stored in " + where.key +
      (file.bundle_id ? " at offset " + std::to_string(where.offset) : std::string()) + ")";
  std::vector<std::unique_ptr<Transform>> chain;
  if (manifest.cipher_pass)
    chain.push_back(make_decryptor(*manifest.cipher_pass, manifest.bundle_raw));
  if (manifest.compress_type != CompressType::none)
    chain.push_back(make_decompressor(manifest.compress_type, manifest.bundle_raw));
  std::unique_ptr<storage::ReadStream> in;
  try {
    in = transform_stream(repo.read(where.key, where.offset, where.length), std::move(chain), what);
  } catch (const NotFoundError&) {
    throw FileDamagedError(what + ": missing from the repository");
  }
  Sha1 hash;
  std::uint64_t size = 0;
  std::vector<std::byte> buffer(256 * 1024);
  try {
    while (std::size_t n = in->read(buffer)) {
      size += n;
      if (size > file.size)
        throw FileDamagedError(what + ": holds more than the " + std::to_string(file.size) +
                               " bytes the manifest records (the file is damaged)");
      hash.update(std::span(buffer.data(), n));
      if (sink) sink(std::span<const std::byte>(buffer.data(), n));
    }
  } catch (const FileDamagedError&) {
    throw;
  } catch (const ValidationError& e) {
    throw FileDamagedError(std::string(e.what()) + " (the file is damaged)");
  } catch (const NotFoundError&) {
    throw FileDamagedError(what + ": missing from the repository");
  } catch (const StorageError& e) {
    if (file.bundle_id)
      throw FileDamagedError(what + ": " + e.what() + " (the bundle is truncated)");
    throw;
  }
  if (size != file.size)
    throw FileDamagedError(what + ": " + std::to_string(size) +
                           " bytes where the manifest records " + std::to_string(file.size) +
                           " (the file is truncated or damaged)");
  const std::string actual = hash.hex_digest();
  if (actual != *file.checksum)
    throw FileDamagedError(what + ": SHA-1 " + actual + " where the manifest records " +
                           *file.checksum + " (the file is damaged)");
}

MaterialiseResult materialise_backup(storage::Storage& repo, std::string_view stanza,
                                     std::string_view label, const fs::path& target,
                                     const std::optional<std::string>& repo_passphrase)
{
  MaterialiseResult result;
  StanzaInfo stanza_info = read_stanza(repo, stanza, repo_passphrase);
  result.findings = std::move(stanza_info.findings);
  if (!stanza_info.backup.find(label))
    throw NotFoundError("backup " + std::string(label) + " is not in " + backup_info_key(stanza) +
                        " (expired, or a wrong label)");
  if (repo_passphrase && !stanza_info.backup.cipher_pass)
    throw ValidationError(backup_info_key(stanza) +
                          " has no cipher-pass although the repository is encrypted");
  LoadedManifest loaded = load_manifest(repo, stanza, label, stanza_info.backup.cipher_pass);
  result.findings.insert(result.findings.end(), loaded.findings.begin(), loaded.findings.end());
  const Manifest& manifest = loaded.manifest;
  if (manifest.block_incremental || std::any_of(manifest.files.begin(), manifest.files.end(),
                                                [](const auto& f) { return f.block_incremental; }))
    throw ValidationError(
        "backup " + std::string(label) +
        " is a block-incremental backup (.pgbi block maps), which lastgood does not read yet; "
        "restore it with pgbackrest restore");
  if (repo_passphrase && !manifest.cipher_pass)
    throw ValidationError("the manifest of " + std::string(label) +
                          " has no cipher-pass although the repository is encrypted");

  if (fs::exists(target) && !fs::is_empty(target))
    throw UsageError("target directory " + target.string() +
                     " is not empty: materialise needs an empty directory");
  fs::create_directories(target);
  for (const auto& path : manifest.paths) {
    check_name(path.name);
    fs::path local = local_path(target, path.name);
    fs::create_directories(local);
    fs::permissions(local, parse_mode(path.mode, fs::perms::owner_all));
  }
  for (const auto& file : manifest.files) {
    check_name(file.name);
    fs::path local = local_path(target, file.name);
    fs::create_directories(local.parent_path());
    restore_file(repo, manifest, file, stanza, local);
    ++result.files;
    result.bytes += file.size;
  }
  // Links (tablespaces, a linked pg_wal or config file) are not recreated:
  // what they point to was written in place above, inside the directory, so
  // nothing is ever written outside it.
  return result;
}

} // namespace lastgood::formats::pgbackrest
