// sql/functions_printf.cc — format(), Postgres's printf (%s, %I, %L and %%, with an argument position
// n$ and a width, '-' to pad on the right), and num_nulls / num_nonnulls.
#include <fmt/format.h>

#include <cctype>

#include "sql/error.h"
#include "sql/functions.h"

namespace sluice::sql {
namespace {

using dt = data_type;

struct format_spec {
  std::size_t argument = 0;  // 0: the next one
  bool left = false;
  std::size_t width = 0;
  char type = 0;
};

[[noreturn]] void format_fail(const std::string& message) {
  raise(sqlstate::invalid_parameter_value, message);
}

// Reads digits at `i`; false (and `i` unchanged) when there are none.
bool read_number(const std::string& s, std::size_t& i, std::size_t& out) {
  std::size_t j = i;
  std::size_t n = 0;
  while (j < s.size() && std::isdigit(static_cast<unsigned char>(s[j]))) {
    n = std::min<std::size_t>(n * 10 + static_cast<std::size_t>(s[j] - '0'), 1 << 24);
    ++j;
  }
  if (j == i) return false;
  i = j;
  out = n;
  return true;
}

// The specifier after a '%' at `i`, which moves past it.
format_spec read_spec(const std::string& s, std::size_t& i) {
  format_spec spec;
  auto end = [&] {
    if (i >= s.size()) format_fail("unterminated format() type specifier");
  };
  end();
  std::size_t number = 0;
  std::size_t start = i;
  if (read_number(s, i, number)) {
    end();
    if (s[i] == '$') {
      if (number == 0) format_fail("format specifies argument 0, but arguments are numbered from 1");
      spec.argument = number;
      ++i;
    } else {
      i = start;  // a width
    }
  }
  end();
  if (s[i] == '-') {
    spec.left = true;
    ++i;
  }
  end();
  read_number(s, i, spec.width);
  end();
  spec.type = s[i++];
  return spec;
}

void append_padded(std::string& out, const std::string& text, const format_spec& spec) {
  std::size_t chars = 0;
  for (char c : text) chars += (static_cast<unsigned char>(c) & 0xC0) != 0x80 ? 1 : 0;
  std::string pad(spec.width > chars ? spec.width - chars : 0, ' ');
  out += spec.left ? text + pad : pad + text;
}

std::string formatted(const value& v, char type) {
  if (type == 'I') {
    if (v.is_null()) raise("22004", "null values cannot be formatted as an SQL identifier");
    return quote_identifier(v.to_text());
  }
  if (type == 'L') return v.is_null() ? "NULL" : quote_literal_text(v.to_text());
  return v.is_null() ? "" : v.to_text();
}

value format_fn(const value* a, std::size_t count) {
  if (a[0].is_null()) return value();
  const std::string& s = a[0].as_text();
  std::string out;
  std::size_t next = 1;
  for (std::size_t i = 0; i < s.size();) {
    if (s[i] != '%') {
      out += s[i++];
      continue;
    }
    ++i;
    if (i < s.size() && s[i] == '%') {
      out += '%';
      ++i;
      continue;
    }
    format_spec spec = read_spec(s, i);
    if (spec.type != 's' && spec.type != 'I' && spec.type != 'L')
      format_fail(fmt::format("unrecognized format() type specifier \"{}\"", spec.type));
    std::size_t arg = spec.argument ? spec.argument : next;
    if (arg >= count) format_fail("too few arguments for format()");
    next = arg + 1;
    append_padded(out, formatted(a[arg], spec.type), spec);
  }
  return value::text(out);
}

value num_nulls_fn(const value* a, std::size_t count) {
  std::int64_t nulls = 0;
  for (std::size_t i = 0; i < count; ++i) nulls += a[i].is_null() ? 1 : 0;
  return value::bigint(nulls);
}
value num_nonnulls_fn(const value* a, std::size_t count) {
  return value::bigint(static_cast<std::int64_t>(count) - num_nulls_fn(a, count).as_bigint());
}

}  // namespace

void add_printf_functions(std::vector<function_overload>& out) {
  const dt any = dt::unknown;
  out.push_back({"format", {dt::text, any}, dt::text, format_fn, false, true});
  out.push_back({"num_nulls", {any, any}, dt::bigint, num_nulls_fn, false, true});
  out.push_back({"num_nonnulls", {any, any}, dt::bigint, num_nonnulls_fn, false, true});
}

}  // namespace sluice::sql
