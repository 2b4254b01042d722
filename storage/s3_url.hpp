#pragma once
// s3://bucket/prefix?region=R&endpoint=URL&path_style=true — where an S3
// repository is and how to reach it. Credentials never go in the URL.

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

namespace lastgood::storage {

struct S3Location
{
  std::string bucket;
  std::string prefix;   // "" or "a/b/" (always ends in '/')
  std::string region;   // empty: from the environment or config, else us-east-1
  std::string endpoint; // "http(s)://host[:port]" without a trailing '/'; empty: AWS
  bool path_style = false;
  // Bounds for tests and slow links; documented in docs/s3.md.
  int max_attempts = 6;                      // retries = max_attempts - 1
  std::chrono::milliseconds timeout{30'000}; // connect, and no byte for this long
  std::uint64_t part_size = 16ull << 20;     // multipart upload part size
  // Reads: ranged GETs of read_part_size bytes, up to read_concurrency of
  // them in flight per object ([s3] read_part_size_mib, read_concurrency;
  // the AWS CLI's defaults are 8 MiB parts).
  std::uint64_t read_part_size = 8ull << 20;
  unsigned read_concurrency = 4;

  // The URL again, normalised (options in a fixed order); safe to print and store.
  std::string url() const;
  // "https://bucket.s3.eu-west-1.amazonaws.com" or "http://127.0.0.1:9000/bucket".
  std::string base_url(std::string_view region_in_use) const;
  // The Host header value for base_url().
  std::string host(std::string_view region_in_use) const;
  // "/key" (virtual-hosted) or "/bucket/key" (path style), decoded.
  std::string path_for(std::string_view object_name) const;
};

// Throws UsageError for anything but a well-formed s3:// URL (bad bucket name,
// unknown option, credentials in the URL) without quoting secrets.
S3Location parse_s3_url(std::string_view url);

std::string percent_decode(std::string_view text);

} // namespace lastgood::storage
