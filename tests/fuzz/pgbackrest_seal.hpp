#pragma once
// Fuzz helper: pgBackRest info text whose checksum is made to match, so the
// typed parsers behind parse_info_text see mutated values too (a random
// mutation almost never keeps the SHA-1 right).

#include "common/error.hpp"
#include "formats/pgbackrest/info_text.hpp"

#include <optional>
#include <string>
#include <string_view>

namespace lastgood::fuzz {

// The text parsed with its checksum replaced by the one its values hash to;
// nullopt when the text is malformed in another way.
inline std::optional<formats::pgbackrest::InfoText> parse_sealed(std::string_view input)
{
  try {
    return formats::pgbackrest::parse_info_text(input, "fuzz");
  } catch (const ValidationError& e) {
    const std::string message = e.what();
    const std::string marker = "contents hash to ";
    const auto at = message.find(marker);
    const auto old_at = input.find("backrest-checksum=\"");
    if (at == std::string::npos || old_at == std::string_view::npos || input.size() < old_at + 59)
      return std::nullopt;
    std::string sealed(input);
    sealed.replace(old_at + 19, 40, message.substr(at + marker.size(), 40));
    try {
      return formats::pgbackrest::parse_info_text(sealed, "fuzz");
    } catch (const ValidationError&) {
      return std::nullopt;
    }
  }
}

} // namespace lastgood::fuzz
