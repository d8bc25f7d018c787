// sql/functions_regex.cc — POSIX regular expressions: the match operators (~, ~*, !~, !~*),
// regexp_replace, regexp_like, regexp_count, regexp_substr, regexp_match, regexp_split_to_array and the
// rows of regexp_matches and regexp_split_to_table.
//
// Regular expressions are POSIX extended regular expressions (the C library's regcomp/regexec), of
// which Postgres's advanced regular expressions are a superset; \d and \D are rewritten to
// bracket expressions, \w \s \b and friends are the C library's extensions. std::regex is not used:
// it recurses once per input character and a long string overflows the stack.
#include <fmt/format.h>
#include <regex.h>

#include <map>
#include <memory>

#include "sql/error.h"
#include "sql/functions.h"
#include "sql/set_functions.h"

namespace sluice::sql {
namespace {

using dt = data_type;

// \d and \D outside brackets as bracket expressions; everything else as written.
std::string posix_pattern(const std::string& pattern) {
  std::string out;
  bool in_brackets = false;
  for (std::size_t k = 0; k < pattern.size(); ++k) {
    char c = pattern[k];
    if (!in_brackets && c == '\\' && k + 1 < pattern.size()) {
      char next = pattern[++k];
      out += next == 'd' ? "[0-9]" : next == 'D' ? "[^0-9]" : std::string{c, next};
      continue;
    }
    if (c == '[' && !in_brackets) {
      in_brackets = true;
      out += c;
      if (k + 1 < pattern.size() && pattern[k + 1] == '^') out += pattern[++k];
      if (k + 1 < pattern.size() && pattern[k + 1] == ']') out += pattern[++k];  // a literal ] first
      continue;
    }
    if (c == ']' && in_brackets) in_brackets = false;
    out += c;
  }
  return out;
}

struct compiled_regex {
  regex_t re{};
  bool compiled = false;  // regfree only what regcomp built
  compiled_regex() = default;
  compiled_regex(const compiled_regex&) = delete;
  compiled_regex& operator=(const compiled_regex&) = delete;
  ~compiled_regex() {
    if (compiled) regfree(&re);
  }
};

// A query matches every row against the same pattern: compiling it once per thread, not per row,
// is what makes `WHERE name ~ '…'` cheap. The cache is bounded; a pattern per row just recompiles.
const regex_t& compiled(const std::string& pattern, bool insensitive) {
  thread_local std::map<std::pair<std::string, bool>, std::unique_ptr<compiled_regex>> cache;
  auto key = std::pair{pattern, insensitive};
  if (auto it = cache.find(key); it != cache.end()) return it->second->re;
  if (cache.size() >= 64) cache.clear();
  auto entry = std::make_unique<compiled_regex>();
  int flags = REG_EXTENDED | (insensitive ? REG_ICASE : 0);
  if (int rc = regcomp(&entry->re, posix_pattern(pattern).c_str(), flags); rc != 0) {
    char message[256];
    regerror(rc, &entry->re, message, sizeof message);
    raise("2201B", fmt::format("invalid regular expression: {}", message));
  }
  entry->compiled = true;
  return cache.emplace(key, std::move(entry)).first->second->re;
}

bool regex_match(const value* a, bool insensitive) {
  const regex_t& re = compiled(a[1].as_text(), insensitive);
  int rc = regexec(&re, a[0].as_text().c_str(), 0, nullptr, 0);
  if (rc != 0 && rc != REG_NOMATCH) raise("2201B", "regular expression failed (out of memory)");
  return rc == 0;
}

value match_fn(const value* a, std::size_t) { return value::boolean(regex_match(a, false)); }
value not_match_fn(const value* a, std::size_t) { return value::boolean(!regex_match(a, false)); }
value imatch_fn(const value* a, std::size_t) { return value::boolean(regex_match(a, true)); }
value not_imatch_fn(const value* a, std::size_t) { return value::boolean(!regex_match(a, true)); }

// Postgres's flags: i (case-insensitive), c (case-sensitive), g (every match, for regexp_replace).
struct regex_flags {
  bool insensitive = false;
  bool global = false;
};

regex_flags read_flags(const std::string& flags, bool global_allowed) {
  regex_flags f;
  for (char c : flags) {
    if (c == 'i') {
      f.insensitive = true;
    } else if (c == 'c') {
      f.insensitive = false;
    } else if (c == 'g' && global_allowed) {
      f.global = true;
    } else {
      raise(sqlstate::invalid_parameter_value, fmt::format("invalid regular expression option: \"{}\"", c));
    }
  }
  return f;
}

// Calls fn(match) for each match of `re` in `text` (all, or the first), left to right; returns the
// number of matches. An empty match moves one character on, as Postgres does.
template <typename F>
int for_each_match(const regex_t& re, const std::string& text, bool all, F&& fn) {
  int count = 0;
  std::size_t at = 0;
  regmatch_t m[10];
  while (at <= text.size()) {
    int rc = regexec(&re, text.c_str() + at, 10, m, at > 0 ? REG_NOTBOL : 0);
    if (rc == REG_NOMATCH) break;
    if (rc != 0) raise("2201B", "regular expression failed (out of memory)");
    ++count;
    fn(at, m);
    if (!all) break;
    at += static_cast<std::size_t>(m[0].rm_eo == m[0].rm_so ? m[0].rm_eo + 1 : m[0].rm_eo);
  }
  return count;
}

// The replacement with \1…\9 (a group's text) and \& (the whole match) filled in.
void append_replacement(std::string& out, const std::string& replacement, const std::string& text,
                        std::size_t at, const regmatch_t* m) {
  for (std::size_t k = 0; k < replacement.size(); ++k) {
    char c = replacement[k];
    if (c == '\\' && k + 1 < replacement.size()) {
      char next = replacement[k + 1];
      int group = next == '&' ? 0 : (next >= '1' && next <= '9') ? next - '0' : -1;
      if (group >= 0) {
        ++k;
        if (m[group].rm_so >= 0) {
          out.append(text, at + static_cast<std::size_t>(m[group].rm_so),
                     static_cast<std::size_t>(m[group].rm_eo - m[group].rm_so));
        }
        continue;
      }
      if (next == '\\') ++k;
    }
    out += c;
  }
}

value regexp_replace_fn(const value* a, std::size_t n) {
  regex_flags f = read_flags(n > 3 ? a[3].as_text() : "", true);
  const std::string& text = a[0].as_text();
  const regex_t& re = compiled(a[1].as_text(), f.insensitive);
  std::string out;
  std::size_t copied = 0;
  for_each_match(re, text, f.global, [&](std::size_t at, const regmatch_t* m) {
    std::size_t start = at + static_cast<std::size_t>(m[0].rm_so);
    out.append(text, copied, start - copied);
    append_replacement(out, a[2].as_text(), text, at, m);
    copied = at + static_cast<std::size_t>(m[0].rm_eo);
  });
  out.append(text, copied, std::string::npos);
  return value::text(std::move(out));
}

value regexp_like_fn(const value* a, std::size_t n) {
  regex_flags f = read_flags(n > 2 ? a[2].as_text() : "", false);
  const regex_t& re = compiled(a[1].as_text(), f.insensitive);
  return value::boolean(for_each_match(re, a[0].as_text(), false, [](std::size_t, const regmatch_t*) {}) > 0);
}

value regexp_count_fn(const value* a, std::size_t) {
  const regex_t& re = compiled(a[1].as_text(), false);
  return value::bigint(for_each_match(re, a[0].as_text(), true, [](std::size_t, const regmatch_t*) {}));
}

value regexp_substr_fn(const value* a, std::size_t) {
  const std::string& text = a[0].as_text();
  value out;
  for_each_match(compiled(a[1].as_text(), false), text, false, [&](std::size_t at, const regmatch_t* m) {
    out = value::text(text.substr(at + static_cast<std::size_t>(m[0].rm_so),
                                  static_cast<std::size_t>(m[0].rm_eo - m[0].rm_so)));
  });
  return out;
}

// substring(text FROM pattern): the part matching the first parenthesized group, or the whole match
// when there is none; NULL without a match.
value substring_regex_fn(const value* a, std::size_t) {
  const std::string& text = a[0].as_text();
  const regex_t& re = compiled(a[1].as_text(), false);
  value out;
  for_each_match(re, text, false, [&](std::size_t at, const regmatch_t* m) {
    const regmatch_t& part = re.re_nsub > 0 ? m[1] : m[0];
    if (part.rm_so < 0) return;  // the group took no part in the match
    out = value::text(text.substr(at + static_cast<std::size_t>(part.rm_so),
                                  static_cast<std::size_t>(part.rm_eo - part.rm_so)));
  });
  return out;
}

// The text between matches, for regexp_split_to_array and regexp_split_to_table. An empty match at
// either end of the text or right after the previous match splits nothing, as in Postgres.
std::vector<value> split_pieces(const value* a, std::size_t n) {
  regex_flags f = read_flags(n > 2 ? a[2].as_text() : "", false);
  const std::string& text = a[0].as_text();
  std::vector<value> pieces;
  std::size_t piece_start = 0;
  for_each_match(compiled(a[1].as_text(), f.insensitive), text, true,
                 [&](std::size_t at, const regmatch_t* m) {
                   std::size_t start = at + static_cast<std::size_t>(m[0].rm_so),
                               end = at + static_cast<std::size_t>(m[0].rm_eo);
                   if (start == end && (start == 0 || start == text.size() || start == piece_start)) return;
                   pieces.push_back(value::text(text.substr(piece_start, start - piece_start)));
                   piece_start = end;
                 });
  pieces.push_back(value::text(text.substr(piece_start)));
  return pieces;
}

value regexp_split_to_array_fn(const value* a, std::size_t n) {
  return value::array(dt::text_array, split_pieces(a, n));
}

// A match as regexp_match and regexp_matches give it: the text of each parenthesized group (NULL for
// a group that took no part), or the whole match when the pattern has none.
value match_groups(const regex_t& re, const std::string& text, std::size_t at, const regmatch_t* m) {
  std::vector<value> groups;
  std::size_t count = re.re_nsub == 0 ? 1 : std::min<std::size_t>(re.re_nsub, 9);
  for (std::size_t g = re.re_nsub == 0 ? 0 : 1; groups.size() < count; ++g) {
    if (m[g].rm_so < 0) {
      groups.emplace_back();
      continue;
    }
    groups.push_back(value::text(text.substr(at + static_cast<std::size_t>(m[g].rm_so),
                                             static_cast<std::size_t>(m[g].rm_eo - m[g].rm_so))));
  }
  return value::array(dt::text_array, std::move(groups));
}

value regexp_match_fn(const value* a, std::size_t n) {
  regex_flags f = read_flags(n > 2 ? a[2].as_text() : "", true);
  if (f.global) {
    raise(sqlstate::invalid_parameter_value, "regexp_match() does not support the \"global\" option");
  }
  const std::string& text = a[0].as_text();
  const regex_t& re = compiled(a[1].as_text(), f.insensitive);
  value out;
  for_each_match(re, text, false,
                 [&](std::size_t at, const regmatch_t* m) { out = match_groups(re, text, at, m); });
  return out;
}

// SIMILAR TO's pattern as a POSIX one (Postgres's similar_to_escape): % is .*, _ is ., the escape
// character (\\ unless given; none if empty) quotes the next one, . ^ $ are literal, and the whole
// text must match. The grammar turns `a SIMILAR TO p ESCAPE e` into `a ~ similar_to_escape(p, e)`.
value similar_to_escape_fn(const value* a, std::size_t n) {
  const std::string& pattern = a[0].as_text();
  std::string escape = n > 1 ? a[1].as_text() : "\\";
  if (escape.size() > 1) raise("22025", "invalid escape string");
  std::string out = "^(";
  bool in_brackets = false, escaped = false;
  for (char c : pattern) {
    if (escaped) {
      if (std::string_view("\\^$.[]|()?*+{}").find(c) != std::string_view::npos) out += '\\';
      out += c;
      escaped = false;
    } else if (!escape.empty() && c == escape[0]) {
      escaped = true;
    } else if (in_brackets) {
      if (c == ']') in_brackets = false;
      out += c;
    } else if (c == '[') {
      in_brackets = true;
      out += c;
    } else if (c == '%') {
      out += ".*";
    } else if (c == '_') {
      out += '.';
    } else if (c == '.' || c == '^' || c == '$' || c == '\\') {
      out += '\\';
      out += c;
    } else {
      out += c;
    }
  }
  if (escaped) raise("2201B", "invalid regular expression: trailing escape character");
  return value::text(out + ")$");
}

}  // namespace

void regexp_set_rows(set_function fn, const value* args, int count, std::vector<row>& out) {
  auto n = static_cast<std::size_t>(count);
  if (fn == set_function::regexp_split_to_table) {
    for (value& piece : split_pieces(args, n)) out.push_back(row{std::move(piece)});
    return;
  }
  regex_flags f = read_flags(n > 2 ? args[2].as_text() : "", true);
  const std::string& text = args[0].as_text();
  const regex_t& re = compiled(args[1].as_text(), f.insensitive);
  for_each_match(re, text, f.global, [&](std::size_t at, const regmatch_t* m) {
    out.push_back(row{match_groups(re, text, at, m)});
  });
}

void add_regex_functions(std::vector<function_overload>& out) {
  dt b = dt::boolean, x = dt::text, i = dt::bigint;
  out.push_back({"~", {x, x}, b, match_fn});
  out.push_back({"!~", {x, x}, b, not_match_fn});
  out.push_back({"~*", {x, x}, b, imatch_fn});
  out.push_back({"!~*", {x, x}, b, not_imatch_fn});
  out.push_back({"regexp_replace", {x, x, x}, x, regexp_replace_fn});
  out.push_back({"regexp_replace", {x, x, x, x}, x, regexp_replace_fn});
  out.push_back({"regexp_like", {x, x}, b, regexp_like_fn});
  out.push_back({"regexp_like", {x, x, x}, b, regexp_like_fn});
  out.push_back({"regexp_count", {x, x}, i, regexp_count_fn});
  out.push_back({"regexp_substr", {x, x}, x, regexp_substr_fn});
  out.push_back({"substring", {x, x}, x, substring_regex_fn});
  out.push_back({"similar_to_escape", {x}, x, similar_to_escape_fn});
  out.push_back({"similar_to_escape", {x, x}, x, similar_to_escape_fn});
  out.push_back({"regexp_match", {x, x}, dt::text_array, regexp_match_fn});
  out.push_back({"regexp_match", {x, x, x}, dt::text_array, regexp_match_fn});
  out.push_back({"regexp_split_to_array", {x, x}, dt::text_array, regexp_split_to_array_fn});
  out.push_back({"regexp_split_to_array", {x, x, x}, dt::text_array, regexp_split_to_array_fn});
}

}  // namespace sluice::sql
