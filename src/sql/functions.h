// sql/functions.h — the scalar function and operator library the binder resolves calls against.
// Every overload names its argument types and result type and points at one scalar_fn; the binder
// picks an overload with Postgres's rules (exact match, then unknown literals and implicit numeric
// and temporal promotions) and inserts casts so an implementation only ever sees its declared types.
//
// Operators are registered under their symbol ("+", "=", "~~" for LIKE, "||", "->>").
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "sql/cast.h"
#include "sql/expr.h"

namespace sluice::sql {

struct function_overload {
  std::string name;
  std::vector<data_type> args;  // data_type::unknown: any type, passed through unchanged
  data_type result = data_type::unknown;
  scalar_fn fn = nullptr;
  bool strict = true;     // NULL in, NULL out without calling fn
  bool variadic = false;  // the last argument type repeats zero or more times
};

// Overloads registered under `name` (lower case), empty if none.
const std::vector<function_overload>& find_overloads(std::string_view name);

// The registration lists of each functions_*.cc file.
void add_operators(std::vector<function_overload>& out);
void add_string_functions(std::vector<function_overload>& out);
void add_math_functions(std::vector<function_overload>& out);
void add_time_functions(std::vector<function_overload>& out);
void add_json_functions(std::vector<function_overload>& out);
void add_jsonb_edit_functions(std::vector<function_overload>& out);
void add_catalog_functions(std::vector<function_overload>& out);
void add_regex_functions(std::vector<function_overload>& out);
void add_format_functions(std::vector<function_overload>& out);
void add_number_format_functions(std::vector<function_overload>& out);
void add_array_functions(std::vector<function_overload>& out);
void add_row_functions(std::vector<function_overload>& out);

// The polymorphic array functions and operators (functions_array.cc), which bind_array.cc resolves:
// `args` has a letter per argument (A anyarray, E its element type, I bigint, T text) and `result`
// one of those or B boolean, L bigint[].
struct array_function {
  const char* name;
  const char* args;
  char result;
  scalar_fn fn;
  bool strict;
};
const std::vector<array_function>& array_functions();
// x op ANY/ALL (array) for a comparison operator; nullptr for another operator.
scalar_fn array_quantified_fn(std::string_view op, bool any);
scalar_fn array_subscript_fn();  // (array, bigint) → element
scalar_fn array_slice_fn();      // (array, bigint, bigint) → array
void add_printf_functions(std::vector<function_overload>& out);
void add_calendar_functions(std::vector<function_overload>& out);
void add_parse_time_functions(std::vector<function_overload>& out);

// Helpers shared by the implementations.
[[noreturn]] void raise(const char* code, const std::string& message);
std::int64_t checked_add(std::int64_t a, std::int64_t b);
std::int64_t checked_mul(std::int64_t a, std::int64_t b);
double checked_double(double result, double a, double b);
// JSON text as Postgres prints jsonb: `{"a": 1, "b": [1, 2]}`, keys ordered by length then bytes,
// duplicate keys resolved to the last. Throws eval_error (22P02) for malformed JSON.
std::string normalize_jsonb(std::string_view json);
// quote_ident and quote_literal (format's %I and %L).
std::string quote_identifier(const std::string& s);
std::string quote_literal_text(const std::string& s);
// Adds an interval to microseconds since the epoch (months by the calendar, clamping the day).
std::int64_t add_interval(std::int64_t micros, interval iv);

}  // namespace sluice::sql
