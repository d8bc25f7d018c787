#include "sql/value.h"

#include <fmt/format.h>

#include <algorithm>
#include <atomic>
#include <charconv>
#include <cmath>
#include <functional>

#include "base/assert.h"
#include "sql/cast.h"
#include "sql/civil_time.h"
#include "sql/numeric.h"

namespace sluice::sql {

std::string_view type_name(data_type type) {
  switch (type) {
    case data_type::unknown:
      return "unknown";
    case data_type::boolean:
      return "boolean";
    case data_type::bigint:
      return "bigint";
    case data_type::double_precision:
      return "double precision";
    case data_type::text:
      return "text";
    case data_type::timestamp:
      return "timestamp without time zone";
    case data_type::timestamptz:
      return "timestamp with time zone";
    case data_type::date:
      return "date";
    case data_type::interval:
      return "interval";
    case data_type::jsonb:
      return "jsonb";
    case data_type::boolean_array:
      return "boolean[]";
    case data_type::bigint_array:
      return "bigint[]";
    case data_type::double_precision_array:
      return "double precision[]";
    case data_type::text_array:
      return "text[]";
    case data_type::timestamp_array:
      return "timestamp without time zone[]";
    case data_type::timestamptz_array:
      return "timestamp with time zone[]";
    case data_type::date_array:
      return "date[]";
    case data_type::interval_array:
      return "interval[]";
    case data_type::jsonb_array:
      return "jsonb[]";
    case data_type::numeric:
      return "numeric";
    case data_type::numeric_array:
      return "numeric[]";
    case data_type::time:
      return "time without time zone";
    case data_type::time_array:
      return "time without time zone[]";
    case data_type::json:
      return "json";
    case data_type::json_array:
      return "json[]";
  }
  return "unknown";
}

std::string column_type_text(const column& c) {
  if (c.typmod >= 0 && c.type == data_type::text)
    return fmt::format("character varying({})", varchar_typmod_length(c.typmod));
  if (c.typmod < 0 || c.type != data_type::numeric) return std::string(type_name(c.type));
  return fmt::format("numeric({},{})", numeric_typmod_precision(c.typmod), numeric_typmod_scale(c.typmod));
}

// Shared by every copy of an array value; never changed after it is made.
struct array_data {
  std::atomic<std::int64_t> refs{1};
  std::vector<value> items;
};

void value::retain() const { a_->refs.fetch_add(1, std::memory_order_relaxed); }

void value::release() {
  if (a_->refs.fetch_sub(1, std::memory_order_acq_rel) == 1) delete a_;
}

value value::array(data_type array_type, std::vector<value> items) {
  SLUICE_ASSERT(is_array(array_type), "not an array type");
  value v;
  v.a_ = new array_data{{1}, std::move(items)};
  v.type_ = array_type;
  return v;
}

value value::with_array_type(data_type array_type) const {
  SLUICE_ASSERT(is_array(type_) && is_array(array_type), "value is not an array");
  value v = *this;
  v.type_ = array_type;
  return v;
}

const std::vector<value>& value::as_array() const {
  SLUICE_ASSERT(is_array(type_), "value is not an array");
  return a_->items;
}

bool is_numeric(data_type type) {
  return type == data_type::bigint || type == data_type::double_precision || type == data_type::numeric;
}

bool is_temporal(data_type type) {
  return type == data_type::timestamp || type == data_type::timestamptz || type == data_type::date;
}

namespace {

// Exact in 128 bits: int32 months of 30 days reach past int64 microseconds (Postgres compares
// intervals in 128 bits too).
int128 wide_micros(interval iv) {
  return (static_cast<int128>(iv.months) * 30 + iv.days) * micros_per_day + iv.micros;
}

}  // namespace

std::int64_t interval::approximate_micros() const {
  int128 wide = wide_micros(*this);
  return static_cast<std::int64_t>(std::clamp<int128>(wide, INT64_MIN, INT64_MAX));
}

value value::boolean(bool b) {
  value v;
  v.type_ = data_type::boolean;
  v.b_ = b;
  return v;
}

value value::bigint(std::int64_t i) {
  value v;
  v.type_ = data_type::bigint;
  v.i_ = i;
  return v;
}

value value::double_precision(double d) {
  value v;
  v.type_ = data_type::double_precision;
  v.d_ = d;
  return v;
}

value value::numeric_of(const numeric& n) {
  value v;
  v.type_ = data_type::numeric;
  v.scale_ = static_cast<std::uint8_t>(n.scale);
  auto bits = static_cast<uint128>(n.coefficient);
  v.coefficient_[0] = static_cast<std::uint64_t>(bits);
  v.coefficient_[1] = static_cast<std::uint64_t>(bits >> 64);
  return v;
}

value value::text(std::string s) {
  value v;
  v.type_ = data_type::text;
  v.s_ = std::move(s);
  return v;
}

value value::timestamp(std::int64_t micros) {
  value v = bigint(micros);
  v.type_ = data_type::timestamp;
  return v;
}

value value::timestamptz(std::int64_t micros) {
  value v = bigint(micros);
  v.type_ = data_type::timestamptz;
  return v;
}

value value::date(std::int32_t days) {
  value v = bigint(days);
  v.type_ = data_type::date;
  return v;
}

value value::time_of_day(std::int64_t micros) {
  value v = bigint(micros);
  v.type_ = data_type::time;
  return v;
}

value value::interval_of(interval iv) {
  value v;
  v.type_ = data_type::interval;
  v.iv_ = iv;
  return v;
}

value value::jsonb(std::string json_text) {
  value v = text(std::move(json_text));
  v.type_ = data_type::jsonb;
  return v;
}

value value::json(std::string json_text) {
  value v = text(std::move(json_text));
  v.type_ = data_type::json;
  return v;
}

bool value::as_bool() const {
  SLUICE_ASSERT(type_ == data_type::boolean, "value is not boolean");
  return b_;
}

std::int64_t value::as_bigint() const {
  SLUICE_ASSERT(type_ == data_type::bigint, "value is not bigint");
  return i_;
}

double value::as_double() const {
  SLUICE_ASSERT(type_ == data_type::double_precision, "value is not double precision");
  return d_;
}

numeric value::as_numeric() const {
  SLUICE_ASSERT(type_ == data_type::numeric, "value is not numeric");
  auto bits = (static_cast<uint128>(coefficient_[1]) << 64) | coefficient_[0];
  return {static_cast<int128>(bits), scale_};
}

numeric value::to_numeric() const {
  if (type_ == data_type::bigint) return numeric_from_bigint(i_);
  return as_numeric();
}

const std::string& value::as_text() const {
  SLUICE_ASSERT(type_ == data_type::text || type_ == data_type::jsonb || type_ == data_type::json,
                "value is not text");
  return s_;
}

std::int64_t value::as_micros() const {
  SLUICE_ASSERT(type_ == data_type::timestamp || type_ == data_type::timestamptz || type_ == data_type::time,
                "value is not a timestamp or time");
  return i_;
}

std::int32_t value::as_date() const {
  SLUICE_ASSERT(type_ == data_type::date, "value is not a date");
  return static_cast<std::int32_t>(i_);
}

interval value::as_interval() const {
  SLUICE_ASSERT(type_ == data_type::interval, "value is not an interval");
  return iv_;
}

double value::numeric_as_double() const {
  SLUICE_ASSERT(is_numeric(type_), "value is not numeric");
  if (type_ == data_type::numeric) return numeric_to_double(as_numeric());
  return type_ == data_type::bigint ? static_cast<double>(i_) : d_;
}

namespace {

// The shortest text that reads back as `d`, laid out as Postgres's float8out does: exponential
// ("1e+15", "1.5e-05") when the decimal exponent is below -4 or at least 15, positional otherwise.
std::string double_text(double d) {
  if (std::isnan(d)) return "NaN";
  if (std::isinf(d)) return d > 0 ? "Infinity" : "-Infinity";
  char buf[40];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, d, std::chars_format::scientific);
  std::string_view scientific(buf, static_cast<std::size_t>(end - buf));
  const char* e = buf + scientific.find('e') + 1;
  int exponent = 0;
  std::from_chars(*e == '+' ? e + 1 : e, end, exponent);
  if (exponent < -4 || exponent >= 15) return std::string(scientific);
  auto [fixed_end, fixed_ec] = std::to_chars(buf, buf + sizeof buf, d, std::chars_format::fixed);
  return std::string(buf, fixed_end);
}

std::string date_text(std::int64_t days) {
  civil_date c = civil_from_days(days);
  if (c.year <= 0) return fmt::format("{:04}-{:02}-{:02} BC", 1 - c.year, c.month, c.day);
  return fmt::format("{:04}-{:02}-{:02}", c.year, c.month, c.day);
}

// "HH:MM:SS" plus ".ffffff" without trailing zeros, as Postgres prints times.
std::string time_of_day_text(std::int64_t micros) {
  std::int64_t seconds = micros / micros_per_second;
  std::int64_t fraction = micros % micros_per_second;
  std::string out = fmt::format("{:02}:{:02}:{:02}", seconds / 3600, seconds / 60 % 60, seconds % 60);
  if (fraction != 0) {
    std::string digits = fmt::format("{:06}", fraction);
    digits.erase(digits.find_last_not_of('0') + 1);
    out += "." + digits;
  }
  return out;
}

std::string timestamp_text(std::int64_t micros) {
  std::int64_t days = floor_div(micros, micros_per_day);
  std::string date = date_text(days);
  std::string bc = date.ends_with(" BC") ? " BC" : "";
  if (!bc.empty()) date.resize(date.size() - 3);
  return date + " " + time_of_day_text(micros - days * micros_per_day) + bc;
}

// Postgres's default IntervalStyle (postgres): "1 year 2 mons 3 days 04:05:06". Units are plural
// unless exactly 1 ("-1 days"); a positive part after a negative one carries a '+' ("-1 mons +5 days").
std::string interval_text(interval iv) {
  std::string out;
  bool before_negative = false;  // the last part written was negative
  auto part = [&](std::int64_t n, const char* unit) {
    if (n == 0) return;
    if (!out.empty()) out += ' ';
    out += fmt::format("{}{} {}{}", before_negative && n > 0 ? "+" : "", n, unit, n == 1 ? "" : "s");
    before_negative = n < 0;
  };
  part(iv.months / 12, "year");
  part(iv.months % 12, "mon");
  part(iv.days, "day");
  if (iv.micros != 0 || out.empty()) {
    if (!out.empty()) out += ' ';
    std::int64_t abs_micros = iv.micros < 0 ? -iv.micros : iv.micros;
    if (iv.micros < 0) {
      out += '-';
    } else if (before_negative) {
      out += '+';
    }
    out += time_of_day_text(abs_micros);
  }
  return out;
}

int three_way(auto a, auto b) { return a < b ? -1 : (b < a ? 1 : 0); }

// array_out's quoting: an element is quoted when it is empty, reads as NULL, or holds a brace,
// quote, backslash, comma or white space; inside quotes, quote and backslash are escaped.
bool needs_quotes(std::string_view text) {
  if (text.empty()) return true;
  if (text.size() == 4 && (text[0] | 0x20) == 'n' && (text[1] | 0x20) == 'u' && (text[2] | 0x20) == 'l' &&
      (text[3] | 0x20) == 'l') {
    return true;
  }
  for (char c : text) {
    if (c == '{' || c == '}' || c == '"' || c == '\\' || c == ',' || c == ' ' || c == '\t' || c == '\n' ||
        c == '\r' || c == '\v' || c == '\f') {
      return true;
    }
  }
  return false;
}

std::string array_text(const std::vector<value>& items) {
  std::string out = "{";
  for (std::size_t i = 0; i < items.size(); ++i) {
    if (i > 0) out += ',';
    if (items[i].is_null()) {
      out += "NULL";
      continue;
    }
    std::string text = items[i].to_text();
    if (!needs_quotes(text)) {
      out += text;
      continue;
    }
    out += '"';
    for (char c : text) {
      if (c == '"' || c == '\\') out += '\\';
      out += c;
    }
    out += '"';
  }
  return out + "}";
}

// Postgres's array order: element by element (NULL after every value), then the shorter first.
int compare_arrays(const std::vector<value>& a, const std::vector<value>& b) {
  std::size_t n = a.size() < b.size() ? a.size() : b.size();
  for (std::size_t i = 0; i < n; ++i) {
    if (int c = compare(a[i], b[i]); c != 0) return c;
  }
  return three_way(a.size(), b.size());
}

// As Postgres compares across number types: bigint with numeric exactly, either with double
// precision as doubles.
int compare_numeric(const value& a, const value& b) {
  if (a.type() == data_type::bigint && b.type() == data_type::bigint)
    return three_way(a.as_bigint(), b.as_bigint());
  if (a.type() != data_type::double_precision && b.type() != data_type::double_precision) {
    return numeric_compare(a.to_numeric(), b.to_numeric());
  }
  double x = a.numeric_as_double();
  double y = b.numeric_as_double();
  // Postgres orders NaN above every other number and equal to itself.
  if (std::isnan(x) || std::isnan(y)) return three_way(std::isnan(x), std::isnan(y));
  return three_way(x, y);
}

}  // namespace

std::string value::to_text() const {
  switch (type_) {
    case data_type::unknown:
      return "";
    case data_type::boolean:
      return b_ ? "t" : "f";
    case data_type::bigint:
      return std::to_string(i_);
    case data_type::double_precision:
      return double_text(d_);
    case data_type::numeric:
      return numeric_text(as_numeric());
    case data_type::text:
    case data_type::jsonb:
    case data_type::json:
      return s_;
    case data_type::timestamp:
      return timestamp_text(i_);
    case data_type::timestamptz:
      return timestamp_text(i_) + "+00";
    case data_type::date:
      return date_text(i_);
    case data_type::time:
      return time_of_day_text(i_);
    case data_type::interval:
      return interval_text(iv_);
    default:
      return array_text(a_->items);
  }
}

int compare(const value& a, const value& b) {
  if (a.is_null() || b.is_null()) return three_way(a.is_null(), b.is_null());
  if (is_numeric(a.type_) && is_numeric(b.type_)) return compare_numeric(a, b);
  if (a.type_ != b.type_) return three_way(static_cast<int>(a.type_), static_cast<int>(b.type_));
  switch (a.type_) {
    case data_type::boolean:
      return three_way(a.b_, b.b_);
    case data_type::text:
    case data_type::jsonb:
    case data_type::json:  // Postgres has no json equality; its text is the nearest order
      return a.s_.compare(b.s_) < 0 ? -1 : (a.s_ == b.s_ ? 0 : 1);
    case data_type::interval:
      return three_way(wide_micros(a.iv_), wide_micros(b.iv_));
    case data_type::bigint:
    case data_type::timestamp:
    case data_type::timestamptz:
    case data_type::date:
    case data_type::time:
      return three_way(a.i_, b.i_);
    default:
      return compare_arrays(a.a_->items, b.a_->items);
  }
}

std::size_t value::hash() const {
  switch (type_) {
    case data_type::unknown:
      return 0x9e3779b97f4a7c15ULL;
    case data_type::boolean:
      return b_ ? 1 : 2;
    case data_type::double_precision: {
      // Equal numbers must hash alike across bigint and double (compare treats them as equal).
      double whole;
      if (std::modf(d_, &whole) == 0.0 && std::abs(d_) < 9.2e18)
        return std::hash<std::int64_t>{}(static_cast<std::int64_t>(d_));
      return std::hash<double>{}(d_);
    }
    case data_type::numeric:
      return numeric_hash(as_numeric());
    case data_type::text:
    case data_type::jsonb:
    case data_type::json:
      return std::hash<std::string>{}(s_);
    case data_type::interval:
      return std::hash<std::int64_t>{}(iv_.approximate_micros());
    case data_type::bigint:
    case data_type::timestamp:
    case data_type::timestamptz:
    case data_type::date:
    case data_type::time:
      return std::hash<std::int64_t>{}(i_);
    default:
      return hash_row(a_->items) ^ 0x5bd1e995;
  }
}

int compare_rows(const row& a, const row& b) {
  std::size_t n = a.size() < b.size() ? a.size() : b.size();
  for (std::size_t i = 0; i < n; ++i) {
    if (int c = compare(a[i], b[i]); c != 0) return c;
  }
  return three_way(a.size(), b.size());
}

std::size_t hash_row(const row& r) {
  std::size_t h = 0xcbf29ce484222325ULL;
  for (const value& v : r) h = (h ^ v.hash()) * 0x100000001b3ULL;
  return h;
}

}  // namespace sluice::sql
