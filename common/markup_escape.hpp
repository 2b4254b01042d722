#pragma once
// Escaping text for XML and HTML alike (element content and quoted
// attributes): & < > " ' become entities every XML and HTML parser reads.

#include <string>
#include <string_view>

namespace lastgood {

std::string markup_escape(std::string_view text);

} // namespace lastgood
