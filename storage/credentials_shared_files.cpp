#include "common/error.hpp"
#include "storage/credential_providers.hpp"
#include "storage/ini_file.hpp"

#include <filesystem>

namespace lastgood::storage {

namespace {

namespace fs = std::filesystem;

fs::path aws_file(const char* variable, const char* name)
{
  if (std::string path = env_value(variable); !path.empty()) return path;
  const std::string home = env_value("HOME");
  if (home.empty()) return {};
  return fs::path(home) / ".aws" / name;
}

fs::path credentials_file()
{
  return aws_file("AWS_SHARED_CREDENTIALS_FILE", "credentials");
}

fs::path config_file()
{
  return aws_file("AWS_CONFIG_FILE", "config");
}

std::optional<IniFile> read_if_named(const fs::path& path)
{
  if (path.empty()) return std::nullopt;
  return read_ini_file(path);
}

// The config file names profiles "[profile NAME]", except "[default]".
const IniSection* config_profile(const IniFile& file, const std::string& profile)
{
  if (auto it = file.find("profile " + profile); it != file.end()) return &it->second;
  if (profile == "default")
    if (auto it = file.find("default"); it != file.end()) return &it->second;
  return nullptr;
}

std::string value_of(const IniSection& section, const char* key)
{
  auto it = section.find(key);
  return it == section.end() ? std::string() : it->second;
}

// Settings that make a profile get credentials in ways lastgood does not
// follow (yet): better to say so than to fall through to other credentials.
const char* unsupported_setting(const IniSection& section)
{
  for (const char* key : {"role_arn", "credential_process", "sso_session", "sso_start_url"})
    if (section.contains(key)) return key;
  return nullptr;
}

} // namespace

std::string effective_profile(const std::string& configured)
{
  if (!configured.empty()) return configured;
  if (std::string profile = env_value("AWS_PROFILE"); !profile.empty()) return profile;
  return "default";
}

std::string shared_config_region(const std::string& profile)
{
  const auto config = read_if_named(config_file());
  if (!config) return {};
  const IniSection* section = config_profile(*config, effective_profile(profile));
  return section ? value_of(*section, "region") : std::string();
}

std::optional<AwsCredentials> SharedFilesCredentialProvider::load(std::string& why_not)
{
  const std::string profile = effective_profile(m_profile);
  const bool named = profile != "default";
  const fs::path credentials_path = credentials_file();
  const fs::path config_path = config_file();
  const auto credentials = read_if_named(credentials_path);
  const auto config = read_if_named(config_path);

  const IniSection* sections[2] = {nullptr, nullptr};
  if (credentials)
    if (auto it = credentials->find(profile); it != credentials->end()) sections[0] = &it->second;
  if (config) sections[1] = config_profile(*config, profile);
  const std::string where = "shared credentials files: profile '" + profile + "'";

  if (!sections[0] && !sections[1]) {
    if (named)
      throw UsageError(where + " is in neither " + credentials_path.string() + " nor " +
                       config_path.string() +
                       "; check the name (s3.profile or AWS_PROFILE) or add the profile");
    why_not =
        "no [default] profile in " + credentials_path.string() + " or " + config_path.string();
    return std::nullopt;
  }
  for (const IniSection* section : sections) {
    if (!section) continue;
    const std::string id = value_of(*section, "aws_access_key_id");
    const std::string secret = value_of(*section, "aws_secret_access_key");
    if (id.empty() && secret.empty()) continue;
    const fs::path& file = section == sections[0] ? credentials_path : config_path;
    if (id.empty() || secret.empty())
      throw UsageError(where + " in " + file.string() + " has " +
                       (id.empty() ? "aws_secret_access_key but no aws_access_key_id"
                                   : "aws_access_key_id but no aws_secret_access_key") +
                       "; add the missing key");
    std::string token = value_of(*section, "aws_session_token");
    if (token.empty()) token = value_of(*section, "aws_security_token");
    return AwsCredentials{{id, secret, token}, std::nullopt, name()};
  }
  for (const IniSection* section : sections)
    if (section)
      if (const char* key = unsupported_setting(*section))
        throw UsageError(where + " gets credentials with " + key +
                         ", which lastgood does not follow; give the profile "
                         "aws_access_key_id and aws_secret_access_key, or use web identity or "
                         "instance metadata");
  why_not = "profile '" + profile + "' has no aws_access_key_id";
  return std::nullopt;
}

} // namespace lastgood::storage
