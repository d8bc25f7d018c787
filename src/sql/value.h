// sql/value.h — the values, rows and changes every part of the SQL engine passes around.
//
// A value is one SQL datum of a data_type, or NULL. Types follow PostgreSQL's names and text formats:
// all integers are bigint (int8), floating point and NUMERIC are double precision (float8),
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
};

// The Postgres name: "bigint", "double precision", "timestamp without time zone", ...
std::string_view type_name(data_type type);
bool is_numeric(data_type type);
bool is_temporal(data_type type);  // timestamp, timestamptz, date

// Trivial so that value can hold it in a union: write `interval{}` for zero.
struct interval {
  std::int32_t months;
  std::int32_t days;
  std::int64_t micros;

  // Months as 30 days and days as 24 hours, as Postgres compares intervals.
  std::int64_t approximate_micros() const;
  bool operator==(const interval&) const = default;
};

inline constexpr std::int64_t micros_per_second = 1'000'000;
inline constexpr std::int64_t micros_per_day = 86'400 * micros_per_second;

class value {
 public:
  value() = default;  // NULL
  static value boolean(bool b);
  static value bigint(std::int64_t i);
  static value double_precision(double d);
  static value text(std::string s);
  static value timestamp(std::int64_t micros);
  static value timestamptz(std::int64_t micros);
  static value date(std::int32_t days);
  static value interval_of(interval iv);
  static value jsonb(std::string json_text);

  bool is_null() const { return type_ == data_type::unknown; }
  // The type of a non-NULL value; unknown for NULL.
  data_type type() const { return type_; }

  // Accessors REQUIRE the matching type (checked by assertion).
  bool as_bool() const;
  std::int64_t as_bigint() const;
  double as_double() const;
  const std::string& as_text() const;  // text and jsonb
  std::int64_t as_micros() const;      // timestamp and timestamptz
  std::int32_t as_date() const;
  interval as_interval() const;
  // bigint or double precision as a double (for arithmetic across numeric types).
  double numeric_as_double() const;

  // Postgres's text output format ("t", "42", "2024-01-02 03:04:05.5", "1 day 02:00:00", ...).
  // NULL has no text form: callers check is_null() (pgwire sends it as length -1).
  std::string to_text() const;

  // SQL-agnostic total order for keys and ORDER BY: values of the same type by their natural order,
  // bigint and double precision compared numerically, NULL after every value (Postgres's NULLS
  // LAST for ascending order). Different non-numeric types order by type.
  friend int compare(const value& a, const value& b);
  // Identity, not SQL equality: NULL == NULL here (GROUP BY and DISTINCT treat NULLs as one group).
  bool operator==(const value& other) const { return compare(*this, other) == 0; }
  std::size_t hash() const;

 private:
  data_type type_ = data_type::unknown;
  union {
    std::int64_t i_ = 0;
    bool b_;
    double d_;
    interval iv_;
  };
  std::string s_;
};

using row = std::vector<value>;

struct column {
  std::string name;
  data_type type;
};
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
