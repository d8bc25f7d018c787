// sql/front_lexer.cc — the tokenizer of the streaming front and the statement splitter (see front_lexer.h).
#include "sql/front_lexer.h"

#include <cctype>

namespace sluice::sql {
namespace {

bool is_word_char(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '$'; }

// Skips blanks and comments from `i`; returns the next position.
std::size_t skip_blank(std::string_view s, std::size_t i) {
  while (i < s.size()) {
    if (std::isspace(static_cast<unsigned char>(s[i]))) {
      ++i;
    } else if (s.substr(i, 2) == "--") {
      while (i < s.size() && s[i] != '\n') ++i;
    } else if (s.substr(i, 2) == "/*") {
      std::size_t close = s.find("*/", i + 2);
      i = close == std::string_view::npos ? s.size() : close + 2;
    } else {
      break;
    }
  }
  return i;
}

// A quoted run starting at s[i] == quote; doubled quotes stand for one.
std::size_t quoted_run(std::string_view s, std::size_t i, char quote, std::string& text) {
  ++i;
  while (i < s.size()) {
    if (s[i] == quote) {
      if (i + 1 < s.size() && s[i + 1] == quote) {
        text += quote;
        i += 2;
        continue;
      }
      return i + 1;
    }
    text += s[i++];
  }
  return i;
}

}  // namespace

std::vector<token> lex(std::string_view sql) {
  std::vector<token> out;
  std::size_t i = skip_blank(sql, 0);
  while (i < sql.size()) {
    token t;
    t.pos = static_cast<int>(i);
    char c = sql[i];
    if (c == '\'') {
      t.kind = token_kind::string;
      i = quoted_run(sql, i, '\'', t.text);
    } else if (c == '"') {
      t.kind = token_kind::quoted;
      i = quoted_run(sql, i, '"', t.text);
    } else if (std::isdigit(static_cast<unsigned char>(c))) {
      t.kind = token_kind::number;
      while (i < sql.size() && (std::isdigit(static_cast<unsigned char>(sql[i])) || sql[i] == '.'))
        t.text += sql[i++];
    } else if (is_word_char(c)) {
      t.kind = token_kind::word;
      while (i < sql.size() && is_word_char(sql[i])) {
        t.text += static_cast<char>(std::tolower(static_cast<unsigned char>(sql[i++])));
      }
    } else {
      t.kind = token_kind::symbol;
      t.text = std::string(1, c);
      ++i;
    }
    t.end = static_cast<int>(i);
    out.push_back(std::move(t));
    i = skip_blank(sql, i);
  }
  token end;
  end.pos = end.end = static_cast<int>(sql.size());
  out.push_back(end);
  return out;
}

}  // namespace sluice::sql
