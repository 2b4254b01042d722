#pragma once
// "Did you mean ...?": the candidate closest to a mistyped name, by edit
// distance (insertions, deletions, substitutions and swapped neighbours).

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace lastgood {

std::size_t edit_distance(std::string_view a, std::string_view b);

// The closest candidate, when it is close enough to be a likely typo
// (at most 2 edits, or a third of the name's length for long names).
std::optional<std::string> nearest_name(std::string_view typo,
                                        const std::vector<std::string>& candidates);

} // namespace lastgood
