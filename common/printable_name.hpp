#pragma once
// Object keys and file names as one line of human output: a newline or other
// control character in a name would split or garble the line (or drive the
// terminal), so they are written C-style ("\n", "\t", "\x1b") and a backslash
// as "\\", which keeps different names different. JSON output carries the raw
// name (JSON escapes it itself).

#include <string>
#include <string_view>

namespace lastgood {

std::string printable_name(std::string_view name);

// text with every occurrence of name printed as printable_name(name): for a
// message that quotes the key it is about.
std::string with_printable_name(std::string_view text, std::string_view name);

} // namespace lastgood
