// base/json_string.h — JSON string literals and UTF-8 validity, shared by everything that writes JSON
// (CLI output, the HTTP API, sink records) so escaping is done one way.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace sluice {

// The length of the well-formed UTF-8 sequence at the start of `s` (1..4), or 0 if it is not one
// (overlong forms, surrogates and code points above U+10FFFF are not well formed).
std::size_t utf8_sequence_length(std::string_view s);

// Appends `bytes` as a JSON string literal. Bytes that are not valid UTF-8 become U+FFFD.
void append_json_string(std::string& out, std::string_view bytes);

}  // namespace sluice
