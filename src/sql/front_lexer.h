// sql/front_lexer.h — a small SQL tokenizer for the statements the front parses by hand. It knows
// just enough to find clause boundaries: words (unquoted ones lower-cased), quoted identifiers,
// string literals ('' escapes), numbers and single-character symbols; comments are skipped.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace sluice::sql {

enum class token_kind : std::uint8_t { word, quoted, string, number, symbol, end };

struct token {
  token_kind kind = token_kind::end;
  std::string text;  // lower-cased word, unquoted identifier, string contents, or the symbol
  int pos = 0;       // byte offset of the token in the text
  int end = 0;       // one past its last byte
};

// Tokens of `sql`, always ending with an `end` token at sql.size().
std::vector<token> lex(std::string_view sql);

}  // namespace sluice::sql
