#pragma once
// A materialised base backup checked against its backup_manifest (written by
// pg_basebackup, so present for backup_method = postgres): every listed file
// present with its size and checksum, no unlisted file. Skips what
// pg_verifybackup skips (backup_manifest, pg_wal/, postgresql.auto.conf,
// recovery.signal, standby.signal).

#include "formats/barman/finding.hpp"
#include "pg/backup_manifest.hpp"

#include <filesystem>
#include <functional>
#include <string>
#include <vector>

namespace lastgood::formats::barman {

// source_of names where a manifest path came from in the repository (e.g.
// "base/<id>/data/base/5/1259" or "base/<id>/data/base.tar.gz:base/5/1259"),
// so a finding names the stored file. Checksums: CRC32C (PostgreSQL's default)
// and SHA256; SHA224/384/512 files are checked by size only.
std::vector<BarmanFinding> check_against_manifest(
    const std::filesystem::path& directory, const pg::BackupManifest& manifest,
    const std::function<std::string(const std::string& manifest_path)>& source_of);

} // namespace lastgood::formats::barman
