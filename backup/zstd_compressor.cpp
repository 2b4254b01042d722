#include "backup/zstd_compressor.hpp"

#include "common/error.hpp"

#include <string>
#include <zstd.h>

namespace lastgood::backup {

struct ZstdCompressor::Context
{
  ZSTD_CCtx* cctx = nullptr;
  ~Context() { ZSTD_freeCCtx(cctx); }
};

namespace {

void check(std::size_t rc, const char* what)
{
  if (ZSTD_isError(rc))
    throw Error(std::string("zstd compression failed (") + what + "): " + ZSTD_getErrorName(rc));
}

} // namespace

ZstdCompressor::ZstdCompressor(int level, Sink sink)
    : m_ctx(std::make_unique<Context>()), m_sink(std::move(sink)), m_out(ZSTD_CStreamOutSize())
{
  m_ctx->cctx = ZSTD_createCCtx();
  if (!m_ctx->cctx) throw Error("libzstd could not create a compression context (out of memory?)");
  check(ZSTD_CCtx_setParameter(m_ctx->cctx, ZSTD_c_compressionLevel, level), "level");
  check(ZSTD_CCtx_setParameter(m_ctx->cctx, ZSTD_c_checksumFlag, 1), "checksum");
}

ZstdCompressor::~ZstdCompressor() = default;

void ZstdCompressor::write(std::span<const std::byte> data)
{
  if (!data.empty()) run(data, false);
}

void ZstdCompressor::finish()
{
  run({}, true);
}

void ZstdCompressor::run(std::span<const std::byte> data, bool end)
{
  ZSTD_inBuffer in{data.data(), data.size(), 0};
  for (;;) {
    ZSTD_outBuffer out{m_out.data(), m_out.size(), 0};
    std::size_t remaining =
        ZSTD_compressStream2(m_ctx->cctx, &out, &in, end ? ZSTD_e_end : ZSTD_e_continue);
    check(remaining, "stream");
    if (out.pos > 0) m_sink(std::span<const std::byte>(m_out.data(), out.pos));
    if (end ? remaining == 0 : in.pos == in.size) return;
  }
}

} // namespace lastgood::backup
