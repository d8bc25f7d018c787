// sql/functions.cc — the overload registry and the helpers the implementations share.
#include "sql/functions.h"

#include <fmt/format.h>

#include <cmath>
#include <map>

#include "sql/error.h"

namespace sluice::sql {

void raise(const char* code, const std::string& message) { throw eval_error(code, message); }

std::int64_t checked_add(std::int64_t a, std::int64_t b) {
  std::int64_t out;
  if (__builtin_add_overflow(a, b, &out)) raise(sqlstate::numeric_value_out_of_range, "bigint out of range");
  return out;
}

std::int64_t checked_mul(std::int64_t a, std::int64_t b) {
  std::int64_t out;
  if (__builtin_mul_overflow(a, b, &out)) raise(sqlstate::numeric_value_out_of_range, "bigint out of range");
  return out;
}

double checked_double(double result, double a, double b) {
  if (std::isinf(result) && !std::isinf(a) && !std::isinf(b)) {
    raise(sqlstate::numeric_value_out_of_range, "value out of range: overflow");
  }
  return result;
}

namespace {

using registry = std::map<std::string, std::vector<function_overload>, std::less<>>;

registry build() {
  std::vector<function_overload> all;
  add_operators(all);
  add_string_functions(all);
  add_math_functions(all);
  add_time_functions(all);
  add_json_functions(all);
  add_jsonb_edit_functions(all);
  add_catalog_functions(all);
  add_regex_functions(all);
  add_format_functions(all);
  add_number_format_functions(all);
  add_array_functions(all);
  add_row_functions(all);
  add_printf_functions(all);
  add_calendar_functions(all);
  add_parse_time_functions(all);
  registry out;
  for (function_overload& f : all) out[f.name].push_back(std::move(f));
  return out;
}

}  // namespace

const std::vector<function_overload>& find_overloads(std::string_view name) {
  static const registry functions = build();
  static const std::vector<function_overload> none;
  auto it = functions.find(name);
  return it == functions.end() ? none : it->second;
}

}  // namespace sluice::sql
