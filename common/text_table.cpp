#include "common/text_table.hpp"

#include <algorithm>

namespace lastgood {

namespace {
constexpr std::size_t kGap = 2;
}

TextTable::TextTable(std::vector<std::string> header) : m_has_header(!header.empty())
{
  if (m_has_header) m_rows.push_back(std::move(header));
}

void TextTable::add_row(std::vector<std::string> cells)
{
  m_rows.push_back(std::move(cells));
}

void TextTable::print(std::ostream& out, std::string_view indent) const
{
  for (const auto& line : lines(indent))
    out << line << '\n';
}

std::vector<std::string> TextTable::lines(std::string_view indent) const
{
  std::vector<std::size_t> widths;
  for (const auto& row : m_rows) {
    if (widths.size() < row.size()) widths.resize(row.size(), 0);
    for (std::size_t i = 0; i < row.size(); ++i)
      widths[i] = std::max(widths[i], display_width(row[i]));
  }
  std::vector<std::string> out;
  for (const auto& row : m_rows) {
    std::string line(indent);
    for (std::size_t i = 0; i < row.size(); ++i) {
      line += row[i];
      if (i + 1 < row.size()) line.append(widths[i] - display_width(row[i]) + kGap, ' ');
    }
    // Empty trailing cells leave no trailing blanks.
    line.erase(line.find_last_not_of(' ') + 1);
    out.push_back(std::move(line));
  }
  return out;
}

std::size_t display_width(std::string_view utf8)
{
  // Continuation bytes (10xxxxxx) belong to the character before them.
  return static_cast<std::size_t>(std::count_if(utf8.begin(), utf8.end(), [](char c) {
    return (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  }));
}

std::string padded_cell(std::string_view text, std::size_t width)
{
  const std::size_t shown = display_width(text);
  std::string cell(text);
  cell.append(std::max(width, shown + kGap) - shown, ' ');
  return cell;
}

} // namespace lastgood
