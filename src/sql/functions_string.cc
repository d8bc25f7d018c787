// sql/functions_string.cc — text functions. Lengths and positions count UTF-8 characters, as
// Postgres does in a UTF8 database; case mapping is ASCII only.
#include <fmt/format.h>
#include <locale.h>
#include <openssl/evp.h>
#include <wctype.h>

#include <algorithm>
#include <cctype>
#include <limits>

#include "base/json_string.h"
#include "sql/error.h"
#include "sql/functions.h"

namespace sluice::sql {
namespace {

using dt = data_type;

bool is_continuation(char c) { return (static_cast<unsigned char>(c) & 0xC0) == 0x80; }

std::int64_t char_count(std::string_view s) {
  return std::count_if(s.begin(), s.end(), [](char c) { return !is_continuation(c); });
}

// The end of the UTF-8 character that starts at byte `i`.
std::size_t char_end(std::string_view s, std::size_t i) {
  ++i;
  while (i < s.size() && is_continuation(s[i])) ++i;
  return i;
}

// Byte offset of character `n` (0-based), clamped to the end.
std::size_t byte_offset(std::string_view s, std::int64_t n) {
  std::size_t i = 0;
  for (; i < s.size() && n > 0; --n) i = char_end(s, i);
  return i;
}

// Characters [from, from + count) (0-based, clamped).
std::string chars(std::string_view s, std::int64_t from, std::int64_t count) {
  if (count <= 0) return "";
  from = std::max<std::int64_t>(from, 0);
  std::size_t b = byte_offset(s, from);
  std::size_t e = b + byte_offset(s.substr(b), count);
  return std::string(s.substr(b, e - b));
}

void append_utf8(std::string& out, std::uint32_t u) {
  if (u < 0x80) {
    out += static_cast<char>(u);
  } else if (u < 0x800) {
    out += static_cast<char>(0xC0 | (u >> 6));
    out += static_cast<char>(0x80 | (u & 0x3F));
  } else if (u < 0x10000) {
    out += static_cast<char>(0xE0 | (u >> 12));
    out += static_cast<char>(0x80 | ((u >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (u & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (u >> 18));
    out += static_cast<char>(0x80 | ((u >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((u >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (u & 0x3F));
  }
}

// The code point of one UTF-8 character (its bytes, as split_chars gives them).
std::int64_t code_point(std::string_view c) {
  auto byte = [&](std::size_t i) { return static_cast<std::int64_t>(static_cast<unsigned char>(c[i])); };
  if (c.empty()) return 0;
  if (c.size() == 1) return byte(0);
  std::int64_t out = byte(0) & (0xFF >> (c.size() + 1));
  for (std::size_t i = 1; i < c.size(); ++i) out = out << 6 | (byte(i) & 0x3F);
  return out;
}

// The UTF-8 characters of `s`, each as its bytes.
std::vector<std::string_view> split_chars(std::string_view s) {
  std::vector<std::string_view> out;
  for (std::size_t i = 0; i < s.size();) {
    std::size_t next = char_end(s, i);
    out.push_back(s.substr(i, next - i));
    i = next;
  }
  return out;
}

// upper, lower and initcap map each character as Postgres does in a UTF-8 database with a libc
// locale (towupper/towlower, here under C.UTF-8): 'é' ↔ 'É', 'ß' unchanged. A word for initcap is a
// run of alphanumeric characters. Malformed UTF-8 passes through byte for byte.
enum class letter_case { lower, upper, initial };
locale_t utf8_ctype() {
  static const locale_t loc = [] {
    locale_t l = newlocale(LC_CTYPE_MASK, "C.UTF-8", static_cast<locale_t>(nullptr));
    return l != static_cast<locale_t>(nullptr)
               ? l
               : newlocale(LC_CTYPE_MASK, "C", static_cast<locale_t>(nullptr));
  }();
  return loc;
}
std::string map_case(std::string_view s, letter_case to) {
  locale_t loc = utf8_ctype();
  std::string out;
  out.reserve(s.size());
  bool word_start = true;
  for (std::size_t i = 0; i < s.size();) {
    // A byte that does not start a well-formed character is kept as it is, never read as Latin-1.
    std::size_t length = std::max<std::size_t>(utf8_sequence_length(s.substr(i)), 1);
    std::string_view c = s.substr(i, length);
    i += length;
    if (c.size() == 1 && static_cast<unsigned char>(c[0]) >= 0x80) {
      out += c;
      word_start = true;
      continue;
    }
    auto u = static_cast<wint_t>(code_point(c));
    bool upper = to == letter_case::upper || (to == letter_case::initial && word_start);
    if (to == letter_case::initial) word_start = iswalnum_l(u, loc) == 0;
    wint_t mapped = upper ? towupper_l(u, loc) : towlower_l(u, loc);
    if (mapped == u) {
      out += c;  // unchanged: its own bytes
    } else {
      append_utf8(out, static_cast<std::uint32_t>(mapped));
    }
  }
  return out;
}

const std::string& t(const value* a, int i) { return a[i].as_text(); }

// Results are bounded like Postgres's 1 GB field limit (lower: one value must never take the server down).
constexpr std::int64_t max_text_bytes = 256 << 20;
void check_size(std::int64_t bytes) {
  if (bytes > max_text_bytes) raise("54000", "requested length too large");
}
std::int64_t n(const value* a, int i) { return a[i].as_bigint(); }

value lower_fn(const value* a, std::size_t) { return value::text(map_case(t(a, 0), letter_case::lower)); }
value upper_fn(const value* a, std::size_t) { return value::text(map_case(t(a, 0), letter_case::upper)); }
value length_fn(const value* a, std::size_t) { return value::bigint(char_count(t(a, 0))); }
value octet_length_fn(const value* a, std::size_t) {
  return value::bigint(static_cast<std::int64_t>(t(a, 0).size()));
}
value bit_length_fn(const value* a, std::size_t) {
  return value::bigint(static_cast<std::int64_t>(t(a, 0).size()) * 8);
}

// substr(s, start [, count]) with Postgres's 1-based start that may be zero or negative.
value substr_fn(const value* a, std::size_t count) {
  std::int64_t start = n(a, 1);
  if (count == 2) return value::text(chars(t(a, 0), start - 1, char_count(t(a, 0)) + 1));
  std::int64_t len = n(a, 2);
  if (len < 0) raise("22011", "negative substring length not allowed");
  std::int64_t end;  // exclusive, 1-based
  if (__builtin_add_overflow(start, len, &end)) end = std::numeric_limits<std::int64_t>::max();
  if (start < 1) start = 1;
  return value::text(chars(t(a, 0), start - 1, end - start));
}

// overlay(s PLACING r FROM start [FOR count]), Postgres's textoverlay: the characters of s before
// start, then r, then those from start + count on (count defaults to r's length).
value overlay_fn(const value* a, std::size_t count) {
  const std::string& s = t(a, 0);
  const std::string& r = t(a, 1);
  std::int64_t start = n(a, 2);
  std::int64_t len = count == 4 ? n(a, 3) : char_count(r);
  if (start < 1) raise("22011", "negative substring length not allowed");
  std::int64_t rest;
  if (__builtin_add_overflow(start, len, &rest))
    raise(sqlstate::numeric_value_out_of_range, "integer out of range");
  std::string out = chars(s, 0, start - 1) + r;
  out += chars(s, std::max<std::int64_t>(rest, 1) - 1, char_count(s) + 1);
  check_size(static_cast<std::int64_t>(out.size()));
  return value::text(out);
}

value concat_fn(const value* a, std::size_t count) {
  std::string out;
  for (std::size_t i = 0; i < count; ++i) {
    if (!a[i].is_null()) out += a[i].to_text();
  }
  return value::text(out);
}

value concat_ws_fn(const value* a, std::size_t count) {
  if (a[0].is_null()) return value();
  std::string out;
  bool first = true;
  for (std::size_t i = 1; i < count; ++i) {
    if (a[i].is_null()) continue;
    if (!first) out += t(a, 0);
    out += a[i].to_text();
    first = false;
  }
  return value::text(out);
}

std::string trim_chars(std::string_view s, std::string_view set, bool left, bool right) {
  std::size_t b = 0, e = s.size();
  if (left) {
    while (b < e && set.find(s[b]) != std::string_view::npos) ++b;
  }
  if (right) {
    while (e > b && set.find(s[e - 1]) != std::string_view::npos) --e;
  }
  return std::string(s.substr(b, e - b));
}
std::string_view set_of(const value* a, std::size_t count) {
  return count > 1 ? std::string_view(t(a, 1)) : " ";
}
value btrim_fn(const value* a, std::size_t c) {
  return value::text(trim_chars(t(a, 0), set_of(a, c), true, true));
}
value ltrim_fn(const value* a, std::size_t c) {
  return value::text(trim_chars(t(a, 0), set_of(a, c), true, false));
}
value rtrim_fn(const value* a, std::size_t c) {
  return value::text(trim_chars(t(a, 0), set_of(a, c), false, true));
}

value replace_fn(const value* a, std::size_t) {
  const std::string& from = t(a, 1);
  std::string s = t(a, 0);
  if (from.empty()) return value::text(s);
  std::string out;
  std::size_t pos = 0;
  for (std::size_t hit; (hit = s.find(from, pos)) != std::string::npos; pos = hit + from.size()) {
    out += s.substr(pos, hit - pos) + t(a, 2);
  }
  return value::text(out + s.substr(pos));
}

value strpos_fn(const value* a, std::size_t) {
  std::size_t hit = t(a, 0).find(t(a, 1));
  if (hit == std::string::npos) return value::bigint(0);
  return value::bigint(char_count(std::string_view(t(a, 0)).substr(0, hit)) + 1);
}

value starts_with_fn(const value* a, std::size_t) { return value::boolean(t(a, 0).starts_with(t(a, 1))); }

// md5(text): the digest in lower-case hex, as Postgres returns it.
value md5_fn(const value* a, std::size_t) {
  const std::string& text = a[0].as_text();
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  if (EVP_Digest(text.data(), text.size(), digest, &size, EVP_md5(), nullptr) != 1) {
    raise(sqlstate::internal_error, "md5 failed");
  }
  std::string hex;
  for (unsigned int i = 0; i < size; ++i) hex += fmt::format("{:02x}", digest[i]);
  return value::text(std::move(hex));
}

value split_part_fn(const value* a, std::size_t) {
  std::string_view s = t(a, 0), delim = t(a, 1);
  std::int64_t field = n(a, 2);
  if (field == 0) raise(sqlstate::invalid_parameter_value, "field position must not be zero");
  std::vector<std::string_view> parts;
  if (delim.empty()) {
    parts.push_back(s);
  } else {
    std::size_t pos = 0;
    for (std::size_t hit; (hit = s.find(delim, pos)) != std::string_view::npos; pos = hit + delim.size()) {
      parts.push_back(s.substr(pos, hit - pos));
    }
    parts.push_back(s.substr(pos));
  }
  if (s.empty()) parts.clear();
  auto count = static_cast<std::int64_t>(parts.size());
  std::int64_t index = field > 0 ? field - 1 : count + field;
  if (index < 0 || index >= count) return value::text("");
  return value::text(std::string(parts[static_cast<std::size_t>(index)]));
}

value left_fn(const value* a, std::size_t) {
  std::int64_t k = n(a, 1), len = char_count(t(a, 0));
  return value::text(chars(t(a, 0), 0, k >= 0 ? k : len + k));
}
value right_fn(const value* a, std::size_t) {
  std::int64_t k = n(a, 1), len = char_count(t(a, 0));
  std::int64_t keep = k >= 0 ? std::min(k, len) : std::max<std::int64_t>(len + k, 0);
  return value::text(chars(t(a, 0), len - keep, keep));
}

std::string pad(const value* a, std::size_t count, bool left) {
  std::string_view s = t(a, 0);
  std::int64_t len = n(a, 1), have = char_count(s);
  std::string fill = count > 2 ? t(a, 2) : " ";
  if (len > have && !fill.empty())
    check_size(len > max_text_bytes ? len : len * 4);  // 4: widest UTF-8 character
  if (len <= have) return chars(s, 0, std::max<std::int64_t>(len, 0));
  if (fill.empty()) return std::string(s);
  std::string padding;
  std::int64_t fill_chars = char_count(fill);
  for (std::int64_t need = len - have; need > 0; need -= fill_chars) padding += chars(fill, 0, need);
  return left ? padding + std::string(s) : std::string(s) + padding;
}
value lpad_fn(const value* a, std::size_t c) { return value::text(pad(a, c, true)); }
value rpad_fn(const value* a, std::size_t c) { return value::text(pad(a, c, false)); }

value repeat_fn(const value* a, std::size_t) {
  const std::string& s = t(a, 0);
  std::int64_t times = n(a, 1);
  if (times <= 0 || s.empty()) return value::text("");
  check_size(times > max_text_bytes ? max_text_bytes + 1 : static_cast<std::int64_t>(s.size()) * times);
  std::string out;
  out.reserve(s.size() * static_cast<std::size_t>(times));
  for (std::int64_t i = 0; i < times; ++i) out += s;
  return value::text(out);
}
value reverse_fn(const value* a, std::size_t) {
  std::string s = t(a, 0);
  std::reverse(s.begin(), s.end());
  return value::text(s);
}
value initcap_fn(const value* a, std::size_t) { return value::text(map_case(t(a, 0), letter_case::initial)); }

// Each character of `from` in the string becomes the one at its position in `to`, or goes when `to` is
// shorter; the first occurrence in `from` counts.
value translate_fn(const value* a, std::size_t) {
  std::vector<std::string_view> from = split_chars(t(a, 1)), to = split_chars(t(a, 2));
  std::string out;
  for (std::string_view c : split_chars(t(a, 0))) {
    auto it = std::find(from.begin(), from.end(), c);
    if (it == from.end()) {
      out += c;
    } else if (auto i = static_cast<std::size_t>(it - from.begin()); i < to.size()) {
      out += to[i];
    }
  }
  return value::text(out);
}

value ascii_fn(const value* a, std::size_t) {
  std::vector<std::string_view> c = split_chars(t(a, 0));
  return value::bigint(c.empty() ? 0 : code_point(c[0]));
}

value chr_fn(const value* a, std::size_t) {
  std::int64_t c = n(a, 0);
  if (c < 0) raise(sqlstate::invalid_parameter_value, "character number must be positive");
  if (c == 0) raise("54000", "null character not permitted");
  if (c > 0x10FFFF) raise("54000", fmt::format("requested character too large for encoding: {}", c));
  if (c >= 0xD800 && c <= 0xDFFF)
    raise("54000", fmt::format("requested character not valid for encoding: {}", c));
  std::string out;
  append_utf8(out, static_cast<std::uint32_t>(c));
  return value::text(out);
}

value quote_literal_fn(const value* a, std::size_t) {
  return value::text(quote_literal_text(a[0].to_text()));
}
value quote_nullable_fn(const value* a, std::size_t) {
  return value::text(a[0].is_null() ? "NULL" : quote_literal_text(a[0].to_text()));
}

value to_hex_fn(const value* a, std::size_t) {
  return value::text(fmt::format("{:x}", static_cast<std::uint64_t>(n(a, 0))));
}

}  // namespace

// 'it''s'; a string with a backslash is written E'…' with the backslashes doubled.
std::string quote_literal_text(const std::string& s) {
  std::string out = s.find('\\') == std::string::npos ? "'" : "E'";
  for (char c : s) {
    if (c == '\'' || c == '\\') out += c;
    out += c;
  }
  return out + "'";
}

void add_string_functions(std::vector<function_overload>& out) {
  const dt x = dt::text, i = dt::bigint;
  out.push_back({"lower", {x}, x, lower_fn});
  out.push_back({"upper", {x}, x, upper_fn});
  for (const char* name : {"length", "char_length", "character_length"})
    out.push_back({name, {x}, i, length_fn});
  out.push_back({"octet_length", {x}, i, octet_length_fn});
  out.push_back({"bit_length", {x}, i, bit_length_fn});
  for (const char* name : {"substr", "substring"}) {
    out.push_back({name, {x, i}, x, substr_fn});
    out.push_back({name, {x, i, i}, x, substr_fn});
  }
  out.push_back({"overlay", {x, x, i}, x, overlay_fn});
  out.push_back({"overlay", {x, x, i, i}, x, overlay_fn});
  out.push_back({"concat", {dt::unknown}, x, concat_fn, false, true});
  out.push_back({"concat_ws", {x, dt::unknown}, x, concat_ws_fn, false, true});
  for (int args : {1, 2}) {
    std::vector<dt> types(static_cast<std::size_t>(args), x);
    out.push_back({"btrim", types, x, btrim_fn});
    out.push_back({"trim", types, x, btrim_fn});
    out.push_back({"ltrim", types, x, ltrim_fn});
    out.push_back({"rtrim", types, x, rtrim_fn});
  }
  out.push_back({"replace", {x, x, x}, x, replace_fn});
  out.push_back({"strpos", {x, x}, i, strpos_fn});
  out.push_back({"position", {x, x}, i, strpos_fn});
  out.push_back({"starts_with", {x, x}, dt::boolean, starts_with_fn});
  out.push_back({"^@", {x, x}, dt::boolean, starts_with_fn});
  out.push_back({"split_part", {x, x, i}, x, split_part_fn});
  out.push_back({"md5", {x}, x, md5_fn});
  out.push_back({"left", {x, i}, x, left_fn});
  out.push_back({"right", {x, i}, x, right_fn});
  out.push_back({"lpad", {x, i}, x, lpad_fn});
  out.push_back({"lpad", {x, i, x}, x, lpad_fn});
  out.push_back({"rpad", {x, i}, x, rpad_fn});
  out.push_back({"rpad", {x, i, x}, x, rpad_fn});
  out.push_back({"repeat", {x, i}, x, repeat_fn});
  out.push_back({"reverse", {x}, x, reverse_fn});
  out.push_back({"initcap", {x}, x, initcap_fn});
  out.push_back({"translate", {x, x, x}, x, translate_fn});
  out.push_back({"ascii", {x}, i, ascii_fn});
  out.push_back({"chr", {i}, x, chr_fn});
  out.push_back({"quote_literal", {dt::unknown}, x, quote_literal_fn});
  out.push_back({"quote_nullable", {dt::unknown}, x, quote_nullable_fn, false});
  out.push_back({"to_hex", {i}, x, to_hex_fn});
}

}  // namespace sluice::sql
