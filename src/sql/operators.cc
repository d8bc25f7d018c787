// sql/operators.cc — arithmetic on numbers, comparisons for every type, LIKE/ILIKE, ||, IS [NOT]
// DISTINCT FROM and the IS TRUE/FALSE/UNKNOWN tests. Temporal arithmetic is in functions_time.cc.
#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <limits>

#include "sql/error.h"
#include "sql/functions.h"
#include "sql/numeric.h"

namespace sluice::sql {
namespace {

using dt = data_type;

value add_int(const value* a, std::size_t) {
  return value::bigint(checked_add(a[0].as_bigint(), a[1].as_bigint()));
}
value sub_int(const value* a, std::size_t) {
  std::int64_t out;
  if (__builtin_sub_overflow(a[0].as_bigint(), a[1].as_bigint(), &out)) {
    raise(sqlstate::numeric_value_out_of_range, "bigint out of range");
  }
  return value::bigint(out);
}
value mul_int(const value* a, std::size_t) {
  return value::bigint(checked_mul(a[0].as_bigint(), a[1].as_bigint()));
}
value div_int(const value* a, std::size_t) {
  std::int64_t x = a[0].as_bigint(), y = a[1].as_bigint();
  if (y == 0) raise(sqlstate::division_by_zero, "division by zero");
  if (x == std::numeric_limits<std::int64_t>::min() && y == -1) {
    raise(sqlstate::numeric_value_out_of_range, "bigint out of range");
  }
  return value::bigint(x / y);
}
value mod_int(const value* a, std::size_t) {
  std::int64_t x = a[0].as_bigint(), y = a[1].as_bigint();
  if (y == 0) raise(sqlstate::division_by_zero, "division by zero");
  return value::bigint(y == -1 ? 0 : x % y);
}
value and_int(const value* a, std::size_t) { return value::bigint(a[0].as_bigint() & a[1].as_bigint()); }
value or_int(const value* a, std::size_t) { return value::bigint(a[0].as_bigint() | a[1].as_bigint()); }
value xor_int(const value* a, std::size_t) { return value::bigint(a[0].as_bigint() ^ a[1].as_bigint()); }
value not_int(const value* a, std::size_t) { return value::bigint(~a[0].as_bigint()); }
// Postgres shifts with the C operators, so the count is taken modulo 64 as x86 does; bits shifted out
// are lost and >> keeps the sign.
value shl_int(const value* a, std::size_t) {
  auto bits = static_cast<std::uint64_t>(a[0].as_bigint()) << (a[1].as_bigint() & 63);
  return value::bigint(static_cast<std::int64_t>(bits));
}
value shr_int(const value* a, std::size_t) {
  return value::bigint(a[0].as_bigint() >> (a[1].as_bigint() & 63));
}
value neg_int(const value* a, std::size_t) {
  if (a[0].as_bigint() == std::numeric_limits<std::int64_t>::min()) {
    raise(sqlstate::numeric_value_out_of_range, "bigint out of range");
  }
  return value::bigint(-a[0].as_bigint());
}

double d0(const value* a) { return a[0].numeric_as_double(); }
double d1(const value* a) { return a[1].numeric_as_double(); }
value add_dbl(const value* a, std::size_t) {
  return value::double_precision(checked_double(d0(a) + d1(a), d0(a), d1(a)));
}
value sub_dbl(const value* a, std::size_t) {
  return value::double_precision(checked_double(d0(a) - d1(a), d0(a), d1(a)));
}
value mul_dbl(const value* a, std::size_t) {
  return value::double_precision(checked_double(d0(a) * d1(a), d0(a), d1(a)));
}
value div_dbl(const value* a, std::size_t) {
  if (d1(a) == 0.0) raise(sqlstate::division_by_zero, "division by zero");
  return value::double_precision(checked_double(d0(a) / d1(a), d0(a), d1(a)));
}
value mod_dbl(const value* a, std::size_t) {
  if (d1(a) == 0.0) raise(sqlstate::division_by_zero, "division by zero");
  return value::double_precision(std::fmod(d0(a), d1(a)));
}
value neg_dbl(const value* a, std::size_t) { return value::double_precision(-d0(a)); }
value identity(const value* a, std::size_t) { return a[0]; }

template <numeric (*op)(numeric, numeric)>
value numeric_op(const value* a, std::size_t) {
  return value::numeric_of(op(a[0].as_numeric(), a[1].as_numeric()));
}
value neg_num(const value* a, std::size_t) { return value::numeric_of(numeric_neg(a[0].as_numeric())); }

value eq(const value* a, std::size_t) { return value::boolean(compare(a[0], a[1]) == 0); }
value ne(const value* a, std::size_t) { return value::boolean(compare(a[0], a[1]) != 0); }
value lt(const value* a, std::size_t) { return value::boolean(compare(a[0], a[1]) < 0); }
value le(const value* a, std::size_t) { return value::boolean(compare(a[0], a[1]) <= 0); }
value gt(const value* a, std::size_t) { return value::boolean(compare(a[0], a[1]) > 0); }
value ge(const value* a, std::size_t) { return value::boolean(compare(a[0], a[1]) >= 0); }

bool same(const value& a, const value& b) {
  if (a.is_null() || b.is_null()) return a.is_null() && b.is_null();
  return compare(a, b) == 0;
}
value distinct(const value* a, std::size_t) { return value::boolean(!same(a[0], a[1])); }
value not_distinct(const value* a, std::size_t) { return value::boolean(same(a[0], a[1])); }

value is_true(const value* a, std::size_t) { return value::boolean(!a[0].is_null() && a[0].as_bool()); }
value is_false(const value* a, std::size_t) { return value::boolean(!a[0].is_null() && !a[0].as_bool()); }
value is_not_true(const value* a, std::size_t) { return value::boolean(a[0].is_null() || !a[0].as_bool()); }
value is_not_false(const value* a, std::size_t) { return value::boolean(a[0].is_null() || a[0].as_bool()); }

value concat_op(const value* a, std::size_t) { return value::text(a[0].to_text() + a[1].to_text()); }

// Length in bytes of the UTF-8 character starting with `c`.
std::size_t char_bytes(unsigned char c) { return c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4; }

char fold(char c, bool insensitive) {
  return insensitive ? static_cast<char>(std::tolower(static_cast<unsigned char>(c))) : c;
}

enum class like_result : std::uint8_t { match, no_match, abort };

std::size_t first_char(std::string_view s) {
  return std::min(char_bytes(static_cast<unsigned char>(s.front())), s.size());
}

// SQL LIKE: % any run, _ one character, `escape` makes the next character literal. As in Postgres,
// `abort` (the text ran out before the pattern) stops every enclosing % from trying further
// positions, which keeps the match polynomial for patterns like '%a%a%a%b'.
like_result like(std::string_view s, std::string_view p, char escape, bool insensitive) {
  while (!p.empty()) {
    char c = p.front();
    if (c == '%') {
      while (!p.empty() && p.front() == '%') p.remove_prefix(1);
      if (p.empty()) return like_result::match;
      for (std::size_t i = 0; i < s.size(); i += first_char(s.substr(i))) {
        like_result r = like(s.substr(i), p, escape, insensitive);
        if (r != like_result::no_match) return r;
      }
      return like(std::string_view(), p, escape, insensitive) == like_result::match ? like_result::match
                                                                                    : like_result::abort;
    }
    if (s.empty()) return like_result::abort;
    if (c == '_') {
      s.remove_prefix(first_char(s));
      p.remove_prefix(1);
      continue;
    }
    if (c == escape && escape != '\0') {
      if (p.size() < 2) raise("22025", "LIKE pattern must not end with escape character");
      p.remove_prefix(1);
      c = p.front();
    }
    if (fold(c, insensitive) != fold(s.front(), insensitive)) return like_result::no_match;
    s.remove_prefix(1);
    p.remove_prefix(1);
  }
  return s.empty() ? like_result::match : like_result::no_match;
}

bool like_match(std::string_view s, std::string_view p, char escape, bool insensitive) {
  return like(s, p, escape, insensitive) == like_result::match;
}

char escape_of(const value* a, std::size_t n) {
  if (n < 3) return '\\';
  const std::string& e = a[2].as_text();
  if (e.size() > 1) raise("22019", "invalid escape string");
  return e.empty() ? '\0' : e[0];
}
value like_fn(const value* a, std::size_t n) {
  return value::boolean(like_match(a[0].as_text(), a[1].as_text(), escape_of(a, n), false));
}
value not_like_fn(const value* a, std::size_t n) {
  return value::boolean(!like_match(a[0].as_text(), a[1].as_text(), escape_of(a, n), false));
}
value ilike_fn(const value* a, std::size_t n) {
  return value::boolean(like_match(a[0].as_text(), a[1].as_text(), escape_of(a, n), true));
}
value not_ilike_fn(const value* a, std::size_t n) {
  return value::boolean(!like_match(a[0].as_text(), a[1].as_text(), escape_of(a, n), true));
}

void arithmetic(std::vector<function_overload>& out) {
  struct op {
    const char* name;
    scalar_fn on_int;
    scalar_fn on_double;
    scalar_fn on_numeric;
  };
  for (op o : {op{"+", add_int, add_dbl, numeric_op<numeric_add>},
               op{"-", sub_int, sub_dbl, numeric_op<numeric_sub>},
               op{"*", mul_int, mul_dbl, numeric_op<numeric_mul>},
               op{"/", div_int, div_dbl, numeric_op<numeric_div>},
               op{"%", mod_int, mod_dbl, numeric_op<numeric_mod>}}) {
    out.push_back({o.name, {dt::bigint, dt::bigint}, dt::bigint, o.on_int});
    out.push_back({o.name, {dt::double_precision, dt::double_precision}, dt::double_precision, o.on_double});
    out.push_back({o.name, {dt::numeric, dt::numeric}, dt::numeric, o.on_numeric});
  }
  out.push_back({"-", {dt::bigint}, dt::bigint, neg_int});
  out.push_back({"-", {dt::double_precision}, dt::double_precision, neg_dbl});
  out.push_back({"-", {dt::numeric}, dt::numeric, neg_num});
  out.push_back({"+", {dt::bigint}, dt::bigint, identity});
  struct bitwise {
    const char* name;
    scalar_fn fn;
  };
  for (bitwise o : {bitwise{"&", and_int}, bitwise{"|", or_int}, bitwise{"#", xor_int},
                    bitwise{"<<", shl_int}, bitwise{">>", shr_int}})
    out.push_back({o.name, {dt::bigint, dt::bigint}, dt::bigint, o.fn});
  out.push_back({"~", {dt::bigint}, dt::bigint, not_int});
  out.push_back({"+", {dt::double_precision}, dt::double_precision, identity});
  out.push_back({"+", {dt::numeric}, dt::numeric, identity});
}

void comparisons(std::vector<function_overload>& out) {
  const dt all[] = {dt::boolean,  dt::bigint,    dt::numeric,     dt::double_precision,
                    dt::text,     dt::timestamp, dt::timestamptz, dt::date,
                    dt::interval, dt::jsonb,     dt::time};
  struct op {
    const char* name;
    scalar_fn fn;
  };
  for (dt t : all) {
    for (op o :
         {op{"=", eq}, op{"<>", ne}, op{"!=", ne}, op{"<", lt}, op{"<=", le}, op{">", gt}, op{">=", ge}}) {
      out.push_back({o.name, {t, t}, dt::boolean, o.fn});
    }
    out.push_back({"is distinct from", {t, t}, dt::boolean, distinct, false});
    out.push_back({"is not distinct from", {t, t}, dt::boolean, not_distinct, false});
  }
}

}  // namespace

void add_operators(std::vector<function_overload>& out) {
  arithmetic(out);
  comparisons(out);
  out.push_back({"is true", {dt::boolean}, dt::boolean, is_true, false});
  out.push_back({"is false", {dt::boolean}, dt::boolean, is_false, false});
  out.push_back({"is not true", {dt::boolean}, dt::boolean, is_not_true, false});
  out.push_back({"is not false", {dt::boolean}, dt::boolean, is_not_false, false});
  out.push_back({"||", {dt::text, dt::text}, dt::text, concat_op});
  for (int n : {2, 3}) {
    std::vector<dt> args(static_cast<std::size_t>(n), dt::text);
    out.push_back({"~~", args, dt::boolean, like_fn});
    out.push_back({"!~~", args, dt::boolean, not_like_fn});
    out.push_back({"~~*", args, dt::boolean, ilike_fn});
    out.push_back({"!~~*", args, dt::boolean, not_ilike_fn});
  }
}

}  // namespace sluice::sql
