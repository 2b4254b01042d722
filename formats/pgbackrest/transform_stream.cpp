#include "formats/pgbackrest/transform.hpp"

#include <algorithm>
#include <cstring>

namespace lastgood::formats::pgbackrest {
namespace {

constexpr std::size_t kReadBlock = 256 * 1024;

class TransformStream : public storage::ReadStream
{
public:
  TransformStream(std::unique_ptr<storage::ReadStream> source,
                  std::vector<std::unique_ptr<Transform>> transforms, std::string what)
      : m_source(std::move(source)), m_transforms(std::move(transforms)), m_what(std::move(what)),
        m_input(kReadBlock)
  {
  }

  std::size_t read(std::span<std::byte> buffer) override
  {
    while (m_pos == m_ready.size() && !m_finished)
      fill();
    const std::size_t n = std::min(buffer.size(), m_ready.size() - m_pos);
    if (n > 0) std::memcpy(buffer.data(), m_ready.data() + m_pos, n);
    m_pos += n;
    return n;
  }

private:
  void fill()
  {
    m_ready.clear();
    m_pos = 0;
    const std::size_t n = m_source->read(m_input);
    try {
      std::vector<std::byte> data(m_input.begin(),
                                  m_input.begin() + static_cast<std::ptrdiff_t>(n));
      for (std::size_t i = 0; i < m_transforms.size(); ++i) {
        std::vector<std::byte> next;
        m_transforms[i]->update(data, next);
        if (n == 0) m_transforms[i]->finish(next);
        data.swap(next);
      }
      m_ready.swap(data);
    } catch (const DecryptError& e) {
      throw DecryptError(m_what + ": " + e.what());
    } catch (const ValidationError& e) {
      throw ValidationError(m_what + ": " + e.what());
    }
    if (n == 0) m_finished = true;
  }

  std::unique_ptr<storage::ReadStream> m_source;
  std::vector<std::unique_ptr<Transform>> m_transforms;
  std::string m_what;
  std::vector<std::byte> m_input;
  std::vector<std::byte> m_ready;
  std::size_t m_pos = 0;
  bool m_finished = false;
};

class StringStream : public storage::ReadStream
{
public:
  explicit StringStream(std::string_view data) : m_data(data) {}
  std::size_t read(std::span<std::byte> buffer) override
  {
    const std::size_t n = std::min(buffer.size(), m_data.size());
    std::memcpy(buffer.data(), m_data.data(), n);
    m_data.remove_prefix(n);
    return n;
  }

private:
  std::string_view m_data;
};

} // namespace

std::unique_ptr<storage::ReadStream>
transform_stream(std::unique_ptr<storage::ReadStream> source,
                 std::vector<std::unique_ptr<Transform>> transforms, std::string what)
{
  return std::make_unique<TransformStream>(std::move(source), std::move(transforms),
                                           std::move(what));
}

std::string transform_all(std::string_view data, std::vector<std::unique_ptr<Transform>> transforms,
                          std::string what)
{
  auto stream = transform_stream(std::make_unique<StringStream>(data), std::move(transforms),
                                 std::move(what));
  std::string out;
  std::vector<std::byte> buffer(kReadBlock);
  while (std::size_t n = stream->read(buffer))
    out.append(reinterpret_cast<const char*>(buffer.data()), n);
  return out;
}

} // namespace lastgood::formats::pgbackrest
