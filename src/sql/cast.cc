#include "sql/cast.h"

#include <fmt/format.h>

#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <string>

#include "sql/civil_time.h"
#include "sql/error.h"
#include "sql/functions.h"
#include "sql/numeric.h"

namespace sluice::sql {

std::string ascii_lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

[[noreturn]] void invalid(data_type target, std::string_view text) {
  throw eval_error(sqlstate::invalid_text_representation,
                   fmt::format("invalid input syntax for type {}: \"{}\"", type_name(target), text));
}

[[noreturn]] void invalid_datetime(data_type target, std::string_view text) {
  // Postgres names these two by their short names here (its input functions' messages).
  std::string_view name = target == data_type::timestamp ? "timestamp"
                          : target == data_type::time    ? "time"
                                                         : type_name(target);
  throw eval_error(sqlstate::invalid_datetime_format,
                   fmt::format("invalid input syntax for type {}: \"{}\"", name, text));
}

value parse_boolean(std::string_view text) {
  std::string s = ascii_lower(trim(text));
  if (s == "t" || s == "true" || s == "yes" || s == "y" || s == "on" || s == "1") return value::boolean(true);
  if (s == "f" || s == "false" || s == "no" || s == "n" || s == "off" || s == "0")
    return value::boolean(false);
  invalid(data_type::boolean, text);
}

value parse_bigint(std::string_view text) {
  std::string_view s = trim(text);
  if (!s.empty() && s.front() == '+') s.remove_prefix(1);
  std::int64_t out = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  if (ec == std::errc::result_out_of_range) {
    throw eval_error(sqlstate::numeric_value_out_of_range,
                     fmt::format("value \"{}\" is out of range for type bigint", text));
  }
  if (s.empty() || ec != std::errc() || end != s.data() + s.size()) invalid(data_type::bigint, text);
  return value::bigint(out);
}

value parse_double(std::string_view text) {
  std::string s = ascii_lower(trim(text));
  if (s == "nan") return value::double_precision(NAN);
  if (s == "infinity" || s == "+infinity" || s == "inf") return value::double_precision(INFINITY);
  if (s == "-infinity" || s == "-inf") return value::double_precision(-INFINITY);
  std::string_view digits = s;
  if (!digits.empty() && digits.front() == '+') digits.remove_prefix(1);
  double out = 0;
  auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), out);
  if (ec == std::errc::result_out_of_range) {
    throw eval_error(sqlstate::numeric_value_out_of_range,
                     fmt::format("\"{}\" is out of range for type double precision", text));
  }
  if (digits.empty() || ec != std::errc() || end != digits.data() + digits.size()) {
    invalid(data_type::double_precision, text);
  }
  return value::double_precision(out);
}

// A cursor over date/time text; every read returns false when the text does not match.
struct scanner {
  std::string_view s;
  std::size_t pos = 0;

  bool done() const { return pos == s.size(); }
  char peek() const { return done() ? '\0' : s[pos]; }
  bool accept(char c) {
    if (peek() != c) return false;
    ++pos;
    return true;
  }
  // Exactly `min`..`max` digits.
  bool digits(int min, int max, std::int64_t& out, int* count = nullptr) {
    int n = 0;
    out = 0;
    while (n < max && std::isdigit(static_cast<unsigned char>(peek()))) {
      out = out * 10 + (s[pos++] - '0');
      ++n;
    }
    if (count) *count = n;
    return n >= min;
  }
};

[[noreturn]] void field_out_of_range(std::string_view text) {
  throw eval_error("22008", fmt::format("date/time field value out of range: \"{}\"", text));
}

// YYYY-MM-DD. A well-formed date that does not exist (2024-02-30) is 22008, with the whole input
// `text`, as Postgres reports it.
bool parse_date_part(scanner& in, std::int64_t& days, std::string_view text) {
  std::int64_t year, month, day;
  if (!in.digits(4, 6, year) || !in.accept('-') || !in.digits(1, 2, month) || !in.accept('-') ||
      !in.digits(1, 2, day)) {
    return false;
  }
  if (month < 1 || month > 12 || day < 1 || day > days_in_month(year, static_cast<int>(month)))
    field_out_of_range(text);
  days = days_from_civil({year, static_cast<int>(month), static_cast<int>(day)});
  return true;
}

// HH:MM[:SS[.ffffff]]. In an interval the hours may run past a day ('2811:56:52'), up to what
// microseconds in an int64 hold. Out of a day's range: false, or 22008 when `text` (the whole input)
// is given.
bool parse_time_part(scanner& in, std::int64_t& micros, bool in_interval = false,
                     std::string_view text = {}) {
  std::int64_t hour, minute, second = 0, fraction = 0;
  if (!in.digits(1, in_interval ? 10 : 2, hour) || !in.accept(':') || !in.digits(2, 2, minute)) return false;
  if (in.accept(':')) {
    if (!in.digits(2, 2, second)) return false;
    if (in.accept('.')) {
      int count = 0;
      if (!in.digits(1, 6, fraction, &count)) return false;
      for (int i = count; i < 6; ++i) fraction *= 10;
      while (std::isdigit(static_cast<unsigned char>(in.peek())))
        ++in.pos;  // Postgres rounds beyond µs; we truncate
    }
  }
  bool past_midnight = hour == 24 && (minute > 0 || second > 0 || fraction > 0);
  if (hour > (in_interval ? 2'562'047'788 : 24) || minute > 59 || second > 60 ||
      (!in_interval && past_midnight)) {
    if (!text.empty()) field_out_of_range(text);
    return false;
  }
  std::int64_t seconds = (hour * 60 + minute) * 60 + second;
  return !__builtin_mul_overflow(seconds, micros_per_second, &micros) &&
         !__builtin_add_overflow(micros, fraction, &micros);
}

// Z, ±HH, ±HH:MM, ±HHMM → seconds east of UTC.
bool parse_zone(scanner& in, std::int64_t& offset_seconds) {
  if (in.accept('Z') || in.accept('z')) return true;
  bool negative = in.peek() == '-';
  if (!in.accept('+') && !in.accept('-')) return false;
  std::int64_t hours, minutes = 0;
  if (!in.digits(2, 2, hours)) return false;
  in.accept(':');
  if (!in.done() && !in.digits(2, 2, minutes)) return false;
  offset_seconds = (negative ? -1 : 1) * (hours * 3600 + minutes * 60);
  return true;
}

value parse_timestamp(std::string_view text, data_type target) {
  scanner in{trim(text)};
  std::int64_t days = 0, micros = 0, offset_seconds = 0;
  if (!parse_date_part(in, days, text)) invalid_datetime(target, text);
  if (in.accept('T') || in.accept('t') || in.accept(' ')) {
    while (in.accept(' ')) {
    }
    if (!parse_time_part(in, micros, false, text)) invalid_datetime(target, text);
  }
  while (in.accept(' ')) {
  }
  if (!in.done()) {
    if (!parse_zone(in, offset_seconds) || !in.done()) invalid_datetime(target, text);
  }
  if (target == data_type::date) return value::date(static_cast<std::int32_t>(days));
  // Microseconds since 1970 in an int64 end in the year 294247 (Postgres's timestamps, in 294276).
  std::int64_t local = 0, utc = 0;
  if (__builtin_mul_overflow(days, micros_per_day, &local) || __builtin_add_overflow(local, micros, &local) ||
      __builtin_sub_overflow(local, offset_seconds * micros_per_second, &utc)) {
    raise("22008", fmt::format("timestamp out of range: \"{}\"", text));
  }
  if (target == data_type::timestamp) return value::timestamp(local);
  return value::timestamptz(utc);
}

// time: [date ]HH:MM[:SS[.ffffff]][ AM|PM][zone], the zone and date ignored as Postgres ignores them
// for time without time zone; 'allballs' is midnight.
value parse_time(std::string_view text) {
  std::string_view trimmed = trim(text);
  if (ascii_lower(trimmed) == "allballs") return value::time_of_day(0);
  scanner in{trimmed};
  std::int64_t days = 0, micros = 0, offset_seconds = 0;
  if (scanner dated = in; parse_date_part(dated, days, text) && (dated.accept(' ') || dated.accept('T')))
    in = dated;
  while (in.accept(' ')) {
  }
  if (!parse_time_part(in, micros, false, text)) invalid_datetime(data_type::time, text);
  while (in.accept(' ')) {
  }
  std::string rest = ascii_lower(in.s.substr(in.pos));
  if (rest.starts_with("am") || rest.starts_with("pm")) {
    std::int64_t hour = micros / (3600 * micros_per_second);
    if (hour < 1 || hour > 12) field_out_of_range(text);
    if (hour == 12) micros -= 12 * 3600 * micros_per_second;
    if (rest.starts_with("pm")) micros += 12 * 3600 * micros_per_second;
    in.pos += 2;
    while (in.accept(' ')) {
    }
  }
  if (!in.done() && (!parse_zone(in, offset_seconds) || !in.done())) invalid_datetime(data_type::time, text);
  return value::time_of_day(micros);
}

// Adds n + fraction / 1e18 of `unit` to iv; false for an unknown unit. A field leaving its range is
// 22015, as in Postgres (`text` is the whole input, for the message).
bool add_interval_unit(interval& iv, std::int64_t n, std::int64_t fraction, const std::string& unit,
                       std::string_view text) {
  auto is = [&unit](std::initializer_list<const char*> names) {
    for (const char* name : names) {
      if (unit == name) return true;
    }
    return false;
  };
  auto out_of_range = [&] {
    throw eval_error("22015", fmt::format("interval field value out of range: \"{}\"", text));
  };
  auto add_micros = [&](std::int64_t scale) {
    std::int64_t d = 0;
    if (__builtin_mul_overflow(n, scale, &d) || __builtin_add_overflow(iv.micros, d, &iv.micros))
      out_of_range();
  };
  auto add_field = [&](std::int32_t& field, std::int64_t scale) {
    std::int64_t d = 0;
    if (__builtin_mul_overflow(n, scale, &d) || __builtin_add_overflow(d, std::int64_t{field}, &d) ||
        d < INT32_MIN || d > INT32_MAX)
      out_of_range();
    field = static_cast<std::int32_t>(d);
  };
  // A fraction of a unit (`fraction` of 1e18, signed like n) spills into the finer fields, as in
  // Postgres: years into whole months, months as 30 days, weeks as 7, days as 24 hours.
  auto add_fraction_micros = [&](double micros_per_unit) {
    if (fraction == 0) return;
    double micros = std::nearbyint(static_cast<double>(fraction) / 1e18 * micros_per_unit);
    if (!(std::fabs(micros) < 9.2e18) ||
        __builtin_add_overflow(iv.micros, static_cast<std::int64_t>(micros), &iv.micros))
      out_of_range();
  };
  auto add_fraction_days = [&](double days_per_unit) {
    double days = static_cast<double>(fraction) / 1e18 * days_per_unit;
    double whole = std::trunc(days);
    std::int64_t d = std::int64_t{iv.days} + static_cast<std::int64_t>(whole);
    if (d < INT32_MIN || d > INT32_MAX) out_of_range();
    iv.days = static_cast<std::int32_t>(d);
    fraction = static_cast<std::int64_t>((days - whole) * 1e18);
    add_fraction_micros(static_cast<double>(micros_per_day));
  };
  if (is({"microsecond", "microseconds", "us", "usec", "usecs"})) {
    add_micros(1);
    add_fraction_micros(1);
  } else if (is({"millisecond", "milliseconds", "ms", "msec", "msecs"})) {
    add_micros(1000);
    add_fraction_micros(1000);
  } else if (is({"second", "seconds", "s", "sec", "secs"})) {
    add_micros(micros_per_second);
    add_fraction_micros(micros_per_second);
  } else if (is({"minute", "minutes", "m", "min", "mins"})) {
    add_micros(60 * micros_per_second);
    add_fraction_micros(60.0 * micros_per_second);
  } else if (is({"hour", "hours", "h", "hr", "hrs"})) {
    add_micros(3600 * micros_per_second);
    add_fraction_micros(3600.0 * micros_per_second);
  } else if (is({"day", "days", "d"})) {
    add_field(iv.days, 1);
    add_fraction_micros(static_cast<double>(micros_per_day));
  } else if (is({"week", "weeks", "w"})) {
    add_field(iv.days, 7);
    add_fraction_days(7);
  } else if (is({"month", "months", "mon", "mons"})) {
    add_field(iv.months, 1);
    add_fraction_days(30);
  } else if (is({"year", "years", "y", "yr", "yrs"})) {
    add_field(iv.months, 12);
    // A fraction of a year adds whole months only.
    n = static_cast<std::int64_t>(static_cast<double>(fraction) / 1e18 * 12);
    add_field(iv.months, 1);
  } else {
    return false;
  }
  return true;
}

// '1 day 2 hours', '-5 minutes', '01:02:03', '2 days 04:00:00', '1 year 2 mons'.
value parse_interval(std::string_view text) {
  std::string s = ascii_lower(trim(text));
  interval iv{};
  scanner in{s};
  bool any = false, seen_time = false;
  while (!in.done()) {
    while (in.accept(' ')) {
    }
    bool negative = in.peek() == '-';
    if (!in.accept('-')) in.accept('+');
    std::size_t start = in.pos;
    std::int64_t n = 0, fraction = 0;  // fraction: of 1e18
    bool whole = in.digits(1, 18, n);
    if (in.peek() != ':' && in.accept('.')) {
      std::int64_t scale = 100'000'000'000'000'000;
      bool any_digit = false;
      for (; std::isdigit(static_cast<unsigned char>(in.peek())); ++in.pos, scale /= 10) {
        fraction += (in.peek() - '0') * scale;
        any_digit = true;
      }
      if (!whole && !any_digit) invalid(data_type::interval, text);
    } else if (!whole) {
      invalid(data_type::interval, text);
    }
    if (in.peek() == ':') {
      in.pos = start;
      std::int64_t micros;
      if (seen_time || !parse_time_part(in, micros, true))
        invalid(data_type::interval, text);  // one hh:mm:ss
      seen_time = true;
      if (__builtin_add_overflow(iv.micros, negative ? -micros : micros, &iv.micros))
        throw eval_error("22015", fmt::format("interval field value out of range: \"{}\"", text));
    } else {
      while (in.accept(' ')) {
      }
      std::size_t unit_start = in.pos;
      while (std::isalpha(static_cast<unsigned char>(in.peek()))) ++in.pos;
      std::string unit = s.substr(unit_start, in.pos - unit_start);
      if (unit.empty() && !in.done() && in.peek() != ' ') invalid(data_type::interval, text);
      if (unit.empty()) unit = "second";  // a bare number counts seconds: interval '0'
      if (!add_interval_unit(iv, negative ? -n : n, negative ? -fraction : fraction, unit, text)) {
        invalid(data_type::interval, text);
      }
    }
    any = true;
    while (in.accept(' ')) {
    }
  }
  if (!any) invalid(data_type::interval, text);
  return value::interval_of(iv);
}

value parse_jsonb(std::string_view text) { return value::jsonb(normalize_jsonb(text)); }

}  // namespace

value cast_from_text(std::string_view text, data_type target) {
  switch (target) {
    case data_type::boolean:
      return parse_boolean(text);
    case data_type::bigint:
      return parse_bigint(text);
    case data_type::double_precision:
      return parse_double(text);
    case data_type::numeric:
      return value::numeric_of(numeric_from_text(text));
    case data_type::text:
    case data_type::unknown:
      return value::text(std::string(text));
    case data_type::timestamp:
    case data_type::timestamptz:
    case data_type::date:
      return parse_timestamp(text, target);
    case data_type::interval:
      return parse_interval(text);
    case data_type::jsonb:
      return parse_jsonb(text);
    case data_type::time:
      return parse_time(text);
    case data_type::json:  // checked, then kept as written
      normalize_jsonb(text);
      return value::json(std::string(text));
    default:
      return array_from_text(text, target);
  }
}

namespace {

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
    case data_type::numeric:
      return value::bigint(numeric_to_bigint(v.as_numeric()));
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
  // Numbers go through numeric, as in Postgres: '1.5'::jsonb::bigint is 2.
  return cast_value(
      cast_from_text(json, target == data_type::boolean ? data_type::boolean : data_type::numeric), target);
}

}  // namespace

value cast_value(const value& v, data_type target) {
  data_type from = v.type();
  if (v.is_null() || from == target || target == data_type::unknown) return v;
  if (target == data_type::text && from == data_type::boolean)
    return value::text(v.as_bool() ? "true" : "false");
  if (target == data_type::text) return value::text(v.to_text());
  if (from == data_type::text) return cast_from_text(v.as_text(), target);
  if (is_array(from) && is_array(target)) {
    std::vector<value> items;
    items.reserve(v.as_array().size());
    for (const value& item : v.as_array()) items.push_back(cast_value(item, element_type(target)));
    return value::array(target, std::move(items));
  }
  if (from == data_type::json && target == data_type::jsonb) return parse_jsonb(v.as_text());
  if (from == data_type::jsonb && target == data_type::json) return value::json(v.as_text());
  if (from == data_type::jsonb) return from_jsonb(v, target);
  switch (target) {
    case data_type::bigint:
      if (from == data_type::double_precision || from == data_type::boolean || from == data_type::numeric) {
        return to_bigint(v);
      }
      break;
    case data_type::double_precision:
      if (is_numeric(from)) return value::double_precision(v.numeric_as_double());
      break;
    case data_type::numeric:
      if (from == data_type::bigint) return value::numeric_of(numeric_from_bigint(v.as_bigint()));
      if (from == data_type::double_precision) return value::numeric_of(numeric_from_double(v.as_double()));
      break;
    case data_type::boolean:
      if (from == data_type::bigint) return value::boolean(v.as_bigint() != 0);
      break;
    case data_type::timestamp:
    case data_type::timestamptz:
    case data_type::date:
      if (is_temporal(from)) return to_temporal(v, target);
      break;
    case data_type::time:  // the time of day of a timestamp; an interval's time part, modulo a day
      if (from == data_type::timestamp || from == data_type::timestamptz)
        return value::time_of_day(floor_mod(v.as_micros(), micros_per_day));
      if (from == data_type::interval)
        return value::time_of_day(floor_mod(v.as_interval().micros, micros_per_day));
      break;
    case data_type::interval:
      if (from == data_type::time) return value::interval_of({0, 0, v.as_micros()});
      break;
    case data_type::jsonb:
      if (is_numeric(from) || from == data_type::boolean) {
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
    case data_type::boolean_array:
      return cast_to<data_type::boolean_array>;
    case data_type::bigint_array:
      return cast_to<data_type::bigint_array>;
    case data_type::double_precision_array:
      return cast_to<data_type::double_precision_array>;
    case data_type::text_array:
      return cast_to<data_type::text_array>;
    case data_type::timestamp_array:
      return cast_to<data_type::timestamp_array>;
    case data_type::timestamptz_array:
      return cast_to<data_type::timestamptz_array>;
    case data_type::date_array:
      return cast_to<data_type::date_array>;
    case data_type::interval_array:
      return cast_to<data_type::interval_array>;
    case data_type::jsonb_array:
      return cast_to<data_type::jsonb_array>;
    case data_type::numeric:
      return cast_to<data_type::numeric>;
    case data_type::numeric_array:
      return cast_to<data_type::numeric_array>;
    case data_type::time:
      return cast_to<data_type::time>;
    case data_type::time_array:
      return cast_to<data_type::time_array>;
    case data_type::json:
      return cast_to<data_type::json>;
    case data_type::json_array:
      return cast_to<data_type::json_array>;
    case data_type::unknown:
      break;
  }
  return cast_to<data_type::unknown>;
}

value apply_numeric_typmod(const value* args, std::size_t) {
  return value::numeric_of(
      numeric_with_typmod(args[0].as_numeric(), static_cast<std::int32_t>(args[1].as_bigint())));
}

namespace {

// The byte length of the first `chars` UTF-8 characters of `s` (all of it when it is shorter).
std::size_t prefix_bytes(std::string_view s, std::size_t chars) {
  std::size_t at = 0;
  for (std::size_t n = 0; at < s.size() && n < chars; ++n) {
    ++at;
    while (at < s.size() && (static_cast<unsigned char>(s[at]) & 0xc0) == 0x80) ++at;  // continuation bytes
  }
  return at;
}

}  // namespace

value apply_varchar_typmod(const value* args, std::size_t) {
  const std::string& text = args[0].as_text();
  std::size_t keep = prefix_bytes(
      text, static_cast<std::size_t>(varchar_typmod_length(static_cast<std::int32_t>(args[1].as_bigint()))));
  return keep == text.size() ? args[0] : value::text(text.substr(0, keep));
}

value apply_column_typmod(const value& v, const column& c) {
  if (c.typmod < 0 || v.is_null()) return v;
  if (v.type() == data_type::numeric) return value::numeric_of(numeric_with_typmod(v.as_numeric(), c.typmod));
  if (v.type() != data_type::text) return v;
  const std::string& text = v.as_text();
  std::int32_t length = varchar_typmod_length(c.typmod);
  std::size_t keep = prefix_bytes(text, static_cast<std::size_t>(length));
  if (keep == text.size()) return v;
  if (text.find_first_not_of(' ', keep) != std::string::npos)
    throw eval_error("22001",  // string_data_right_truncation

                     fmt::format("value too long for type character varying({})", length));
  return value::text(text.substr(0, keep));
}

bool implicitly_castable(data_type from, data_type to) {
  if (from == to) return true;
  if (is_array(from) && is_array(to)) return implicitly_castable(element_type(from), element_type(to));
  // Postgres's numeric promotions: bigint → numeric → double precision.
  if (from == data_type::bigint) return to == data_type::numeric || to == data_type::double_precision;
  if (from == data_type::numeric) return to == data_type::double_precision;
  if (from == data_type::date) return to == data_type::timestamp || to == data_type::timestamptz;
  if (from == data_type::timestamp) return to == data_type::timestamptz;
  // Not in Postgres, which has a json twin of each jsonb function: here the jsonb ones take json.
  if (from == data_type::json) return to == data_type::jsonb;
  return false;
}

}  // namespace sluice::sql
