#pragma once
// Streaming zstd compression (libzstd's ZSTD_compressStream2) into a callback,
// one frame with a content checksum.

#include <cstddef>
#include <functional>
#include <memory>
#include <span>
#include <vector>

namespace lastgood::backup {

class ZstdCompressor
{
public:
  using Sink = std::function<void(std::span<const std::byte>)>;
  // level: 1..19 (ZSTD's range up to 22 accepted).
  ZstdCompressor(int level, Sink sink);
  ~ZstdCompressor();
  ZstdCompressor(const ZstdCompressor&) = delete;
  ZstdCompressor& operator=(const ZstdCompressor&) = delete;

  void write(std::span<const std::byte> data);
  // Ends the frame and hands every remaining byte to the sink. Call once.
  void finish();

private:
  void run(std::span<const std::byte> data, bool end);

  struct Context;
  std::unique_ptr<Context> m_ctx;
  Sink m_sink;
  std::vector<std::byte> m_out;
};

} // namespace lastgood::backup
