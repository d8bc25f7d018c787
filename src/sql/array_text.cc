// sql/array_text.cc — array_in: '{1,2,NULL}', '{"a b","c\"d"}' into an array value (see cast.h).
//
// The grammar, as Postgres reads a one-dimensional array: blanks, '{', elements separated by ',',
// '}', blanks. An element is double-quoted (backslash escapes any character) or bare (blanks around
// it dropped, backslash escapes, the bare word NULL in any case is a NULL element). Nested braces
// make a multidimensional array, which Sluice does not have.
#include <fmt/format.h>

#include <cctype>

#include "sql/cast.h"
#include "sql/error.h"

namespace sluice::sql {
namespace {

bool blank(char c) { return std::isspace(static_cast<unsigned char>(c)) != 0; }

[[noreturn]] void malformed(std::string_view text) {
  throw eval_error(sqlstate::invalid_text_representation,
                   fmt::format("malformed array literal: \"{}\"", text));
}

struct array_reader {
  std::string_view text;
  std::size_t pos = 0;

  char peek() const { return pos < text.size() ? text[pos] : '\0'; }
  bool at_end() const { return pos >= text.size(); }
  void skip_blanks() {
    while (!at_end() && blank(text[pos])) ++pos;
  }

  // One element's text; `quoted` tells a quoted "NULL" from the NULL marker.
  std::string element(bool& quoted) {
    std::string out;
    quoted = false;
    std::size_t kept = 0;  // out's length up to its last escaped or non-blank character
    bool in_quotes = false;
    while (true) {
      if (at_end()) malformed(text);
      char c = text[pos];
      if (c == '\\') {
        if (++pos >= text.size()) malformed(text);
        out += text[pos++];
        kept = out.size();
      } else if (c == '"') {
        if (!in_quotes && (quoted || !out.empty())) malformed(text);
        in_quotes = !in_quotes;
        quoted = true;
        ++pos;
        kept = out.size();
      } else if (in_quotes) {
        out += c;
        ++pos;
        kept = out.size();
      } else if (c == ',' || c == '}') {
        break;
      } else if (c == '{') {
        throw eval_error(sqlstate::feature_not_supported, "multidimensional arrays are not supported");
      } else if (blank(c)) {
        if (!out.empty()) out += c;
        ++pos;
      } else {
        if (quoted) malformed(text);
        out += c;
        ++pos;
        kept = out.size();
      }
    }
    out.resize(kept);
    return out;
  }
};

bool is_null_marker(const std::string& s) {
  return s.size() == 4 && std::tolower(static_cast<unsigned char>(s[0])) == 'n' &&
         std::tolower(static_cast<unsigned char>(s[1])) == 'u' &&
         std::tolower(static_cast<unsigned char>(s[2])) == 'l' &&
         std::tolower(static_cast<unsigned char>(s[3])) == 'l';
}

}  // namespace

value array_from_text(std::string_view text, data_type array_type) {
  array_reader in{text};
  in.skip_blanks();
  if (in.peek() == '[') {
    throw eval_error(sqlstate::feature_not_supported, "array dimension decorations are not supported");
  }
  if (in.peek() != '{') malformed(text);
  ++in.pos;
  std::vector<value> items;
  in.skip_blanks();
  if (in.peek() == '}') {
    ++in.pos;
  } else {
    while (true) {
      in.skip_blanks();
      bool quoted = false;
      std::string element = in.element(quoted);
      if (!quoted && element.empty()) malformed(text);
      if (!quoted && is_null_marker(element)) {
        items.emplace_back();
      } else {
        items.push_back(cast_from_text(element, element_type(array_type)));
      }
      char c = in.peek();
      ++in.pos;
      if (c == '}') break;
    }
  }
  in.skip_blanks();
  if (!in.at_end()) malformed(text);
  return value::array(array_type, std::move(items));
}

}  // namespace sluice::sql
