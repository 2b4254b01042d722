#include "pg/tar_reader.hpp"

#include "common/error.hpp"

#include <archive.h>
#include <archive_entry.h>
#include <exception>
#include <memory>
#include <vector>

namespace lastgood::pg {
namespace {

constexpr std::size_t kReadBlock = 256 * 1024;

struct ArchiveFree
{
  void operator()(archive* a) const { archive_read_free(a); }
};

// What libarchive's read callback needs. Exceptions must not cross libarchive's
// C frames, so a source failure is parked here and rethrown afterwards.
struct SourceContext
{
  storage::ReadStream* source = nullptr;
  std::vector<std::byte> buffer = std::vector<std::byte>(kReadBlock);
  std::exception_ptr failure;
};

la_ssize_t read_callback(archive* a, void* client_data, const void** block)
{
  auto* ctx = static_cast<SourceContext*>(client_data);
  try {
    std::size_t n = ctx->source->read(ctx->buffer);
    *block = ctx->buffer.data();
    return static_cast<la_ssize_t>(n);
  } catch (...) {
    ctx->failure = std::current_exception();
    archive_set_error(a, EIO, "reading the archive's source failed");
    return -1;
  }
}

std::string archive_message(archive* a)
{
  const char* message = archive_error_string(a);
  return message ? message : "unknown libarchive error";
}

// Throws the parked source failure if there is one, else a ValidationError.
[[noreturn]] void fail(archive* a, SourceContext& ctx, const std::string& where)
{
  if (ctx.failure) std::rethrow_exception(ctx.failure);
  throw ValidationError("damaged tar archive " + where + ": " + archive_message(a));
}

// One member's data, read straight from libarchive.
class MemberStream : public storage::ReadStream
{
public:
  MemberStream(archive* a, SourceContext& ctx, const std::string& path)
      : m_archive(a), m_ctx(ctx), m_path(path)
  {
  }
  std::size_t read(std::span<std::byte> buffer) override
  {
    if (buffer.empty()) return 0;
    la_ssize_t n = archive_read_data(m_archive, buffer.data(), buffer.size());
    if (n < 0) fail(m_archive, m_ctx, "while reading member \"" + m_path + "\"");
    return static_cast<std::size_t>(n);
  }

private:
  archive* m_archive;
  SourceContext& m_ctx;
  const std::string& m_path;
};

TarMember describe(archive_entry* entry)
{
  TarMember member;
  const char* path = archive_entry_pathname(entry);
  member.path = path ? path : "";
  member.size = archive_entry_size_is_set(entry) && archive_entry_size(entry) > 0
                    ? static_cast<std::uint64_t>(archive_entry_size(entry))
                    : 0;
  auto type = archive_entry_filetype(entry);
  member.regular_file = type == AE_IFREG;
  member.directory = type == AE_IFDIR;
  member.symlink = type == AE_IFLNK;
  member.mode = static_cast<unsigned>(archive_entry_perm(entry));
  if (member.symlink) {
    const char* target = archive_entry_symlink(entry);
    member.link_target = target ? target : "";
  } else if (const char* hard = archive_entry_hardlink(entry)) {
    // A hardlink comes as a regular file of size 0 naming an earlier member.
    member.hardlink = true;
    member.regular_file = false;
    member.link_target = hard;
  }
  return member;
}

} // namespace

void for_each_tar_member(
    storage::ReadStream& source,
    const std::function<bool(const TarMember&, storage::ReadStream& content)>& visit)
{
  std::unique_ptr<archive, ArchiveFree> handle(archive_read_new());
  if (!handle) throw Error("libarchive could not allocate a reader");
  archive* a = handle.get();
  archive_read_support_filter_all(a);
  archive_read_support_format_tar(a);

  SourceContext ctx;
  ctx.source = &source;
  if (archive_read_open(a, &ctx, nullptr, read_callback, nullptr) != ARCHIVE_OK)
    fail(a, ctx, "at the start");

  std::string previous;
  for (;;) {
    archive_entry* entry = nullptr;
    int rc = archive_read_next_header(a, &entry);
    if (rc == ARCHIVE_EOF) return;
    if (rc != ARCHIVE_OK && rc != ARCHIVE_WARN)
      fail(a, ctx, previous.empty() ? "at the first member" : "after member \"" + previous + "\"");
    TarMember member = describe(entry);
    MemberStream content(a, ctx, member.path);
    if (!visit(member, content)) return;
    previous = member.path;
  }
}

} // namespace lastgood::pg
