#pragma once
// Plain-text tables for human output. Every column is as wide as its widest
// cell and columns are two spaces apart, so a long value (a backup ID, a
// database name) never runs into the next column.

#include <ostream>
#include <string>
#include <string_view>
#include <vector>

namespace lastgood {

class TextTable
{
public:
  // An empty header prints no header line.
  explicit TextTable(std::vector<std::string> header = {});
  void add_row(std::vector<std::string> cells);
  bool empty() const { return m_rows.size() == (m_has_header ? 1u : 0u); }
  // Every line starts with `indent`; the last column is not padded.
  void print(std::ostream& out, std::string_view indent = "") const;
  // The same lines, the header first, for output that puts more lines under a row.
  std::vector<std::string> lines(std::string_view indent = "") const;

private:
  std::vector<std::vector<std::string>> m_rows; // the header first, when there is one
  bool m_has_header;
};

// Characters as a terminal shows them: UTF-8 sequences count once.
std::size_t display_width(std::string_view utf8);

// One cell of a line printed before the rest is known (streamed output):
// `text` padded to `width`, and always followed by at least two spaces.
std::string padded_cell(std::string_view text, std::size_t width);

} // namespace lastgood
