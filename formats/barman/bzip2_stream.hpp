#pragma once
// bzip2 decompression as a ReadStream (libbz2), for Barman's bzip2 WAL.

#include "storage/storage.hpp"

#include <memory>

namespace lastgood::formats::barman {

// The stream throws ValidationError on corrupt or truncated input
// (concatenated bzip2 streams are read through, as bunzip2 does).
std::unique_ptr<storage::ReadStream> bzip2_stream(std::unique_ptr<storage::ReadStream> source);

} // namespace lastgood::formats::barman
