// sql/value.h — the values, rows and changes every part of the SQL engine passes around.
//
// A value is one SQL datum of a data_type, or NULL. Types follow PostgreSQL's names and text formats:
// all integers are bigint (int8), floating point is double precision (float8), NUMERIC is exact
// (up to 38 digits, sql/numeric.h),
// timestamps are microseconds since 1970-01-01 00:00 UTC (the session time zone is always UTC),
// dates are days since 1970-01-01, intervals keep months, days and microseconds apart as Postgres
// does, and jsonb holds a JSON text that is parsed when a field is read.
//
// A change is a row with a weight: +n inserts it n times, -n deletes it n times. A relation is
// the sum of all its changes (a Z-set); every operator consumes and produces changes, which is how
// views stay exactly equal to their query as data arrives, is retracted, or is updated.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

namespace sluice::sql {

enum class data_type : std::uint8_t {
  unknown,  // the type of a bare NULL literal before it is resolved
  boolean,
  bigint,
  double_precision,
  text,
  timestamp,
  timestamptz,
  date,
  interval,
  jsonb,
  // One-dimensional arrays of the types above, in the same order (see array_of and element_type).
  boolean_array,
  bigint_array,
  double_precision_array,
  text_array,
  timestamp_array,
  timestamptz_array,
  date_array,
  interval_array,
  jsonb_array,
  // Added later, after the arrays, so that the numbers above (kept in saved state) stay the same.
  numeric,
  numeric_array,
  time,  // time without time zone: microseconds since midnight, 0 to 24:00:00 inclusive
  time_array,
  json,  // JSON text kept as written (jsonb keeps it normalized)
  json_array,
};

constexpr bool is_array(data_type type) {
  return (type >= data_type::boolean_array && type <= data_type::jsonb_array) ||
         type == data_type::numeric_array || type == data_type::time_array || type == data_type::json_array;
}
// The array type of an element type (text[] for unknown, as Postgres resolves ARRAY['a']).
constexpr data_type array_of(data_type element) {
  if (element == data_type::unknown) element = data_type::text;
  if (is_array(element)) return element;
  if (element == data_type::numeric) return data_type::numeric_array;
  if (element == data_type::time) return data_type::time_array;
  if (element == data_type::json) return data_type::json_array;
  return static_cast<data_type>(static_cast<int>(element) - static_cast<int>(data_type::boolean) +
                                static_cast<int>(data_type::boolean_array));
}
// REQUIRES: is_array(array).
constexpr data_type element_type(data_type array) {
  if (array == data_type::numeric_array) return data_type::numeric;
  if (array == data_type::time_array) return data_type::time;
  if (array == data_type::json_array) return data_type::json;
  return static_cast<data_type>(static_cast<int>(array) - static_cast<int>(data_type::boolean_array) +
                                static_cast<int>(data_type::boolean));
}

// The Postgres name: "bigint", "double precision", "timestamp without time zone", ...
std::string_view type_name(data_type type);
bool is_numeric(data_type type);   // bigint, numeric, double precision
bool is_temporal(data_type type);  // timestamp, timestamptz, date

// Trivial so that value can hold it in a union: write `interval{}` for zero.
struct interval {
  std::int32_t months;
  std::int32_t days;
  std::int64_t micros;

  // Months as 30 days and days as 24 hours, as Postgres compares intervals; clamped to int64 for
  // the few intervals past it (over 292,000 years), which compare() orders exactly.
  std::int64_t approximate_micros() const;
  bool operator==(const interval&) const = default;
};

inline constexpr std::int64_t micros_per_second = 1'000'000;
inline constexpr std::int64_t micros_per_day = 86'400 * micros_per_second;

struct array_data;
struct numeric;

class value {
 public:
  value() = default;  // NULL
  value(const value& other) : type_(other.type_), scale_(other.scale_), s_(other.s_) { copy_payload(other); }
  value(value&& other) noexcept : type_(other.type_), scale_(other.scale_), s_(std::move(other.s_)) {
    steal_payload(other);
  }
  value& operator=(const value& other) {
    if (this != &other) *this = value(other);
    return *this;
  }
  value& operator=(value&& other) noexcept {
    if (this == &other) return *this;
    if (is_array(type_)) release();
    type_ = other.type_;
    scale_ = other.scale_;
    s_ = std::move(other.s_);
    steal_payload(other);
    return *this;
  }
  ~value() {
    if (is_array(type_)) release();
  }
  static value boolean(bool b);
  static value bigint(std::int64_t i);
  static value double_precision(double d);
  static value numeric_of(const numeric& n);
  static value text(std::string s);
  static value timestamp(std::int64_t micros);
  static value timestamptz(std::int64_t micros);
  static value date(std::int32_t days);
  static value time_of_day(std::int64_t micros);  // REQUIRES: 0 <= micros <= micros_per_day
  static value interval_of(interval iv);
  static value jsonb(std::string json_text);
  static value json(std::string json_text);  // REQUIRES: valid JSON
  // An array of `array_type`; REQUIRES every item to be NULL or of its element type.
  static value array(data_type array_type, std::vector<value> items);

  bool is_null() const { return type_ == data_type::unknown; }
  // The type of a non-NULL value; unknown for NULL.
  data_type type() const { return type_; }

  // Accessors REQUIRE the matching type (checked by assertion).
  bool as_bool() const;
  std::int64_t as_bigint() const;
  double as_double() const;
  numeric as_numeric() const;
  const std::string& as_text() const;  // text, jsonb and json
  std::int64_t as_micros() const;      // timestamp, timestamptz, and time (since midnight)
  std::int32_t as_date() const;
  interval as_interval() const;
  // The elements of an array (shared, immutable: copying an array value copies a pointer).
  const std::vector<value>& as_array() const;
  // The same elements as another array type (what a polymorphic function's result is declared as).
  // REQUIRES: is_array(type()) and is_array(array_type).
  value with_array_type(data_type array_type) const;
  // bigint, numeric or double precision as a double (for arithmetic across numeric types).
  double numeric_as_double() const;
  // bigint or numeric as a numeric.
  numeric to_numeric() const;

  // Postgres's text output format ("t", "42", "2024-01-02 03:04:05.5", "1 day 02:00:00", "{1,NULL}").
  // NULL has no text form: callers check is_null() (pgwire sends it as length -1).
  std::string to_text() const;

  // SQL-agnostic total order for keys and ORDER BY: values of the same type by their natural order,
  // numbers of any numeric type compared numerically (1.0 = 1.00 = 1), NULL after every value (Postgres's
  // NULLS LAST for ascending order). Different non-numeric types order by type.
  friend int compare(const value& a, const value& b);
  // Identity, not SQL equality: NULL == NULL here (GROUP BY and DISTINCT treat NULLs as one group).
  bool operator==(const value& other) const { return compare(*this, other) == 0; }
  std::size_t hash() const;

 private:
  // The union's bytes are copied whole; an array's reference count is the only thing to keep.
  void copy_payload(const value& other) {
    std::memcpy(static_cast<void*>(&iv_), &other.iv_, sizeof iv_);
    if (is_array(type_)) retain();
  }
  void steal_payload(value& other) {
    std::memcpy(static_cast<void*>(&iv_), &other.iv_, sizeof iv_);
    if (is_array(type_)) other.type_ = data_type::unknown;
  }
  void retain() const;
  void release();

  data_type type_ = data_type::unknown;
  std::uint8_t scale_ = 0;  // numeric's (in what would be padding)
  union {
    std::int64_t i_ = 0;
    bool b_;
    double d_;
    interval iv_;
    array_data* a_;
    std::uint64_t coefficient_[2];  // numeric's, low half first (an int128 would align value to 16)
  };
  std::string s_;
};

using row = std::vector<value>;

struct column {
  std::string name;
  data_type type;
  std::int32_t typmod = -1;  // numeric(p, s) or varchar(n), packed as Postgres's atttypmod; -1: none
};
// The column's type as Postgres's format_type prints it: "numeric(10,2)", "bigint".
std::string column_type_text(const column& c);
using schema = std::vector<column>;

// A row inserted (weight > 0) or deleted (weight < 0) |weight| times.
struct change {
  row values;
  std::int64_t weight = 1;
};
using change_batch = std::vector<change>;

int compare_rows(const row& a, const row& b);
std::size_t hash_row(const row& r);
struct row_hash {
  std::size_t operator()(const row& r) const { return hash_row(r); }
};
struct row_equal {
  bool operator()(const row& a, const row& b) const { return compare_rows(a, b) == 0; }
};

}  // namespace sluice::sql
