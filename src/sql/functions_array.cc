// sql/functions_array.cc — array functions and operators: the polymorphic ones (anyarray and
// anyelement arguments, resolved by bind_array.cc) and string_to_array.
//
// Postgres compares array elements with IS NOT DISTINCT FROM in array_position, array_remove and
// array_replace (a NULL finds a NULL), but with = in @>, <@ and && (a NULL matches nothing).
#include <fmt/format.h>

#include "sql/error.h"
#include "sql/functions.h"

namespace sluice::sql {
namespace {

using dt = data_type;

const std::vector<value>& items(const value& v) { return v.as_array(); }

// An array of the arguments' type; a NULL array's is unknown here, and the evaluator stamps the type
// the binder resolved (see expr.cc), so text[] stands in.
data_type array_type_of(const value& array, const value& element) {
  if (!array.is_null()) return array.type();
  if (!element.is_null()) return array_of(element.type());
  return dt::text_array;
}

bool not_distinct(const value& a, const value& b) { return compare(a, b) == 0; }
bool equal(const value& a, const value& b) { return !a.is_null() && !b.is_null() && compare(a, b) == 0; }

value length_fn(const value* a, std::size_t) {
  if (a[1].as_bigint() != 1 || items(a[0]).empty()) return value();
  return value::bigint(static_cast<std::int64_t>(items(a[0]).size()));
}
value lower_fn(const value* a, std::size_t) {
  if (a[1].as_bigint() != 1 || items(a[0]).empty()) return value();
  return value::bigint(1);
}
value ndims_fn(const value* a, std::size_t) { return items(a[0]).empty() ? value() : value::bigint(1); }
value dims_fn(const value* a, std::size_t) {
  if (items(a[0]).empty()) return value();
  return value::text(fmt::format("[1:{}]", items(a[0]).size()));
}
value cardinality_fn(const value* a, std::size_t) {
  return value::bigint(static_cast<std::int64_t>(items(a[0]).size()));
}

value position_fn(const value* a, std::size_t n) {
  if (a[0].is_null()) return value();
  std::int64_t start = 1;
  if (n == 3) {
    if (a[2].is_null()) raise("22004", "initial position must not be null");
    start = std::max<std::int64_t>(a[2].as_bigint(), 1);
  }
  const std::vector<value>& v = items(a[0]);
  for (std::size_t i = static_cast<std::size_t>(start - 1); i < v.size(); ++i) {
    if (not_distinct(v[i], a[1])) return value::bigint(static_cast<std::int64_t>(i + 1));
  }
  return value();
}
value positions_fn(const value* a, std::size_t) {
  if (a[0].is_null()) return value();
  std::vector<value> out;
  const std::vector<value>& v = items(a[0]);
  for (std::size_t i = 0; i < v.size(); ++i) {
    if (not_distinct(v[i], a[1])) out.push_back(value::bigint(static_cast<std::int64_t>(i + 1)));
  }
  return value::array(dt::bigint_array, std::move(out));
}

value append_fn(const value* a, std::size_t) {
  std::vector<value> out = a[0].is_null() ? std::vector<value>{} : items(a[0]);
  out.push_back(a[1]);
  return value::array(array_type_of(a[0], a[1]), std::move(out));
}
value prepend_fn(const value* a, std::size_t) {
  std::vector<value> out{a[0]};
  if (!a[1].is_null()) out.insert(out.end(), items(a[1]).begin(), items(a[1]).end());
  return value::array(array_type_of(a[1], a[0]), std::move(out));
}
value cat_fn(const value* a, std::size_t) {
  if (a[0].is_null()) return a[1];
  if (a[1].is_null()) return a[0];
  std::vector<value> out = items(a[0]);
  out.insert(out.end(), items(a[1]).begin(), items(a[1]).end());
  return value::array(a[0].type(), std::move(out));
}
value remove_fn(const value* a, std::size_t) {
  if (a[0].is_null()) return value();
  std::vector<value> out;
  for (const value& v : items(a[0])) {
    if (!not_distinct(v, a[1])) out.push_back(v);
  }
  return value::array(a[0].type(), std::move(out));
}
value replace_fn(const value* a, std::size_t) {
  if (a[0].is_null()) return value();
  std::vector<value> out;
  for (const value& v : items(a[0])) out.push_back(not_distinct(v, a[1]) ? a[2] : v);
  return value::array(a[0].type(), std::move(out));
}

value to_string_fn(const value* a, std::size_t n) {
  if (a[0].is_null() || a[1].is_null()) return value();
  bool keep_nulls = n == 3 && !a[2].is_null();
  std::string out;
  bool first = true;
  for (const value& v : items(a[0])) {
    if (v.is_null() && !keep_nulls) continue;
    if (!first) out += a[1].as_text();
    first = false;
    out += v.is_null() ? a[2].as_text() : v.to_text();
  }
  return value::text(std::move(out));
}

value string_to_array_fn(const value* a, std::size_t n) {
  if (a[0].is_null()) return value();
  const std::string& s = a[0].as_text();
  std::vector<std::string> parts;
  if (s.empty()) {
    // no elements
  } else if (a[1].is_null()) {
    for (char c : s) parts.emplace_back(1, c);
  } else if (a[1].as_text().empty()) {
    parts.push_back(s);
  } else {
    const std::string& sep = a[1].as_text();
    std::size_t from = 0;
    for (std::size_t at; (at = s.find(sep, from)) != std::string::npos; from = at + sep.size())
      parts.push_back(s.substr(from, at - from));
    parts.push_back(s.substr(from));
  }
  std::vector<value> out;
  for (std::string& p : parts) {
    bool is_null = n == 3 && !a[2].is_null() && p == a[2].as_text();
    out.push_back(is_null ? value() : value::text(std::move(p)));
  }
  return value::array(dt::text_array, std::move(out));
}

// a @> b: every element of b is (=) an element of a.
bool contains(const value& a, const value& b) {
  for (const value& y : items(b)) {
    bool found = false;
    for (const value& x : items(a)) found = found || equal(x, y);
    if (!found) return false;
  }
  return true;
}
value contains_fn(const value* a, std::size_t) { return value::boolean(contains(a[0], a[1])); }
value contained_fn(const value* a, std::size_t) { return value::boolean(contains(a[1], a[0])); }
value overlap_fn(const value* a, std::size_t) {
  for (const value& x : items(a[0])) {
    for (const value& y : items(a[1])) {
      if (equal(x, y)) return value::boolean(true);
    }
  }
  return value::boolean(false);
}

value subscript_fn(const value* a, std::size_t) {
  std::int64_t i = a[1].as_bigint();
  const std::vector<value>& v = items(a[0]);
  if (i < 1 || i > static_cast<std::int64_t>(v.size())) return value();
  return v[static_cast<std::size_t>(i - 1)];
}

value slice_fn(const value* a, std::size_t) {
  const std::vector<value>& v = items(a[0]);
  std::int64_t lo = std::max<std::int64_t>(a[1].as_bigint(), 1);
  std::int64_t hi = std::min<std::int64_t>(a[2].as_bigint(), static_cast<std::int64_t>(v.size()));
  if (lo > hi) return value::array(a[0].type(), {});
  return value::array(a[0].type(), std::vector<value>(v.begin() + (lo - 1), v.begin() + hi));
}

// The comparison operators by compare()'s result.
enum class comparison { eq, ne, lt, le, gt, ge };

bool holds(comparison op, int c) {
  switch (op) {
    case comparison::eq:
      return c == 0;
    case comparison::ne:
      return c != 0;
    case comparison::lt:
      return c < 0;
    case comparison::le:
      return c <= 0;
    case comparison::gt:
      return c > 0;
    case comparison::ge:
      return c >= 0;
  }
  return false;
}

template <comparison op>
value compare_fn(const value* a, std::size_t) {
  return value::boolean(holds(op, compare(a[0], a[1])));
}

// x op ANY (array): true if a comparison holds, else NULL if one was with a NULL, else false; ALL
// is the dual. Neither looks at x when the array is empty.
template <comparison op, bool any>
value quantified_fn(const value* a, std::size_t) {
  if (a[1].is_null()) return value();
  bool saw_null = false;
  for (const value& y : items(a[1])) {
    if (a[0].is_null() || y.is_null()) {
      saw_null = true;
    } else if (holds(op, compare(a[0], y)) == any) {
      return value::boolean(any);
    }
  }
  return saw_null ? value() : value::boolean(!any);
}

template <bool any>
scalar_fn quantified_for(std::string_view op) {
  if (op == "=") return quantified_fn<comparison::eq, any>;
  if (op == "<>" || op == "!=") return quantified_fn<comparison::ne, any>;
  if (op == "<") return quantified_fn<comparison::lt, any>;
  if (op == "<=") return quantified_fn<comparison::le, any>;
  if (op == ">") return quantified_fn<comparison::gt, any>;
  if (op == ">=") return quantified_fn<comparison::ge, any>;
  return nullptr;
}

value distinct_fn(const value* a, std::size_t) { return value::boolean(compare(a[0], a[1]) != 0); }
value not_distinct_fn(const value* a, std::size_t) { return value::boolean(compare(a[0], a[1]) == 0); }

}  // namespace

scalar_fn array_quantified_fn(std::string_view op, bool any) {
  return any ? quantified_for<true>(op) : quantified_for<false>(op);
}

scalar_fn array_subscript_fn() { return subscript_fn; }
scalar_fn array_slice_fn() { return slice_fn; }

const std::vector<array_function>& array_functions() {
  static const std::vector<array_function> functions = {
      {"array_length", "AI", 'I', length_fn, true},
      {"array_upper", "AI", 'I', length_fn, true},
      {"array_lower", "AI", 'I', lower_fn, true},
      {"array_ndims", "A", 'I', ndims_fn, true},
      {"array_dims", "A", 'T', dims_fn, true},
      {"cardinality", "A", 'I', cardinality_fn, true},
      {"array_position", "AE", 'I', position_fn, false},
      {"array_position", "AEI", 'I', position_fn, false},
      {"array_positions", "AE", 'L', positions_fn, false},
      {"array_append", "AE", 'A', append_fn, false},
      {"array_prepend", "EA", 'A', prepend_fn, false},
      {"array_cat", "AA", 'A', cat_fn, false},
      {"array_remove", "AE", 'A', remove_fn, false},
      {"array_replace", "AEE", 'A', replace_fn, false},
      {"array_to_string", "AT", 'T', to_string_fn, true},
      {"array_to_string", "ATT", 'T', to_string_fn, false},
      {"||", "AA", 'A', cat_fn, false},
      {"||", "AE", 'A', append_fn, false},
      {"||", "EA", 'A', prepend_fn, false},
      {"@>", "AA", 'B', contains_fn, true},
      {"<@", "AA", 'B', contained_fn, true},
      {"&&", "AA", 'B', overlap_fn, true},
      {"=", "AA", 'B', compare_fn<comparison::eq>, true},
      {"<>", "AA", 'B', compare_fn<comparison::ne>, true},
      {"!=", "AA", 'B', compare_fn<comparison::ne>, true},
      {"<", "AA", 'B', compare_fn<comparison::lt>, true},
      {"<=", "AA", 'B', compare_fn<comparison::le>, true},
      {">", "AA", 'B', compare_fn<comparison::gt>, true},
      {">=", "AA", 'B', compare_fn<comparison::ge>, true},
      {"is distinct from", "AA", 'B', distinct_fn, false},
      {"is not distinct from", "AA", 'B', not_distinct_fn, false},
  };
  return functions;
}

void add_array_functions(std::vector<function_overload>& out) {
  out.push_back({"string_to_array", {dt::text, dt::text}, dt::text_array, string_to_array_fn, false});
  out.push_back(
      {"string_to_array", {dt::text, dt::text, dt::text}, dt::text_array, string_to_array_fn, false});
}

}  // namespace sluice::sql
