// sql/functions.cc — the overload registry and runtime casts between value types.
#include "sql/functions.h"

#include <fmt/format.h>

#include <cmath>
#include <map>

#include "sql/cast.h"
#include "sql/civil_time.h"
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
  registry out;
  for (function_overload& f : all) out[f.name].push_back(std::move(f));
  return out;
}

value double_to_bigint(double d) {
  if (std::isnan(d) || d >= 9.223372036854775807e18 || d < -9.223372036854775808e18) {
    raise(sqlstate::numeric_value_out_of_range, "bigint out of range");
  }
  return value::bigint(static_cast<std::int64_t>(std::nearbyint(d)));
}

value to_bigint(const value& v) {
  switch (v.type()) {
    case data_type::double_precision:
      return double_to_bigint(v.as_double());
    case data_type::boolean:
      return value::bigint(v.as_bool() ? 1 : 0);
    default:
      return cast_from_text(v.to_text(), data_type::bigint);
  }
}

value to_temporal(const value& v, data_type target) {
  std::int64_t micros =
      v.type() == data_type::date ? std::int64_t{v.as_date()} * micros_per_day : v.as_micros();
  if (target == data_type::timestamp) return value::timestamp(micros);
  if (target == data_type::timestamptz) return value::timestamptz(micros);
  return value::date(static_cast<std::int32_t>(floor_div(micros, micros_per_day)));
}

[[noreturn]] void cannot_cast(data_type from, data_type to) {
  raise(sqlstate::datatype_mismatch,
        fmt::format("cannot cast type {} to {}", type_name(from), type_name(to)));
}

// jsonb scalars cast like Postgres: numbers to numbers, booleans to boolean, strings only to text.
value from_jsonb(const value& v, data_type target) {
  const std::string& json = v.as_text();
  if (target == data_type::text) return value::text(json);
  bool is_string = !json.empty() && json.front() == '"';
  if (is_string || json.front() == '{' || json.front() == '[' || json == "null") {
    raise(sqlstate::invalid_parameter_value,
          fmt::format("cannot cast jsonb value to type {}", type_name(target)));
  }
  return cast_value(
      cast_from_text(json, target == data_type::boolean ? data_type::boolean : data_type::double_precision),
      target);
}

}  // namespace

const std::vector<function_overload>& find_overloads(std::string_view name) {
  static const registry functions = build();
  static const std::vector<function_overload> none;
  auto it = functions.find(name);
  return it == functions.end() ? none : it->second;
}

value cast_value(const value& v, data_type target) {
  data_type from = v.type();
  if (v.is_null() || from == target || target == data_type::unknown) return v;
  if (target == data_type::text && from == data_type::boolean)
    return value::text(v.as_bool() ? "true" : "false");
  if (target == data_type::text) return value::text(v.to_text());
  if (from == data_type::text) return cast_from_text(v.as_text(), target);
  if (from == data_type::jsonb) return from_jsonb(v, target);
  switch (target) {
    case data_type::bigint:
      if (from == data_type::double_precision || from == data_type::boolean) return to_bigint(v);
      break;
    case data_type::double_precision:
      if (from == data_type::bigint) return value::double_precision(static_cast<double>(v.as_bigint()));
      break;
    case data_type::boolean:
      if (from == data_type::bigint) return value::boolean(v.as_bigint() != 0);
      break;
    case data_type::timestamp:
    case data_type::timestamptz:
    case data_type::date:
      if (is_temporal(from)) return to_temporal(v, target);
      break;
    case data_type::jsonb:
      if (from == data_type::bigint || from == data_type::double_precision || from == data_type::boolean) {
        return value::jsonb(v.type() == data_type::boolean ? (v.as_bool() ? "true" : "false") : v.to_text());
      }
      break;
    default:
      break;
  }
  cannot_cast(from, target);
}

namespace {

template <data_type target>
value cast_to(const value* args, std::size_t) {
  return cast_value(args[0], target);
}

}  // namespace

scalar_fn cast_function(data_type target) {
  switch (target) {
    case data_type::boolean:
      return cast_to<data_type::boolean>;
    case data_type::bigint:
      return cast_to<data_type::bigint>;
    case data_type::double_precision:
      return cast_to<data_type::double_precision>;
    case data_type::text:
      return cast_to<data_type::text>;
    case data_type::timestamp:
      return cast_to<data_type::timestamp>;
    case data_type::timestamptz:
      return cast_to<data_type::timestamptz>;
    case data_type::date:
      return cast_to<data_type::date>;
    case data_type::interval:
      return cast_to<data_type::interval>;
    case data_type::jsonb:
      return cast_to<data_type::jsonb>;
    case data_type::unknown:
      break;
  }
  return cast_to<data_type::unknown>;
}

bool implicitly_castable(data_type from, data_type to) {
  if (from == to) return true;
  if (from == data_type::bigint) return to == data_type::double_precision;
  if (from == data_type::date) return to == data_type::timestamp || to == data_type::timestamptz;
  if (from == data_type::timestamp) return to == data_type::timestamptz;
  return false;
}

}  // namespace sluice::sql
