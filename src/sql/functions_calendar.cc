// sql/functions_calendar.cc — building and adjusting dates, timestamps and intervals: make_date,
// make_timestamp, make_interval, justify_days/hours/interval, age(a, b) and date_bin, with Postgres's
// field checks and borrowing rules.
#include <fmt/format.h>

#include <cmath>

#include "sql/civil_time.h"
#include "sql/error.h"
#include "sql/functions.h"

namespace sluice::sql {
namespace {

using dt = data_type;
constexpr const char* field_overflow = "22008";
constexpr std::int64_t days_per_month = 30;
constexpr std::int64_t micros_per_minute = 60 * micros_per_second;
constexpr std::int64_t micros_per_hour = 60 * micros_per_minute;

std::int32_t narrow(std::int64_t x) {
  if (x < INT32_MIN || x > INT32_MAX) raise(sqlstate::numeric_value_out_of_range, "interval out of range");
  return static_cast<std::int32_t>(x);
}

// Days since 1970-01-01 of a calendar date; a negative year is BC (there is no year 0).
std::int64_t checked_days(std::int64_t year, std::int64_t month, std::int64_t day) {
  bool ok = year != 0 && month >= 1 && month <= 12 && day >= 1 && year > -4714 && year < 5874898;
  std::int64_t astronomical = year < 0 ? year + 1 : year;
  if (ok) ok = day <= days_in_month(astronomical, static_cast<int>(month));
  if (!ok)
    raise(field_overflow, fmt::format("date field value out of range: {}-{:02}-{:02}", year, month, day));
  return days_from_civil({astronomical, static_cast<int>(month), static_cast<int>(day)});
}

value make_date_fn(const value* a, std::size_t) {
  return value::date(
      static_cast<std::int32_t>(checked_days(a[0].as_bigint(), a[1].as_bigint(), a[2].as_bigint())));
}

value make_timestamp_fn(const value* a, std::size_t) {
  std::int64_t days = checked_days(a[0].as_bigint(), a[1].as_bigint(), a[2].as_bigint());
  std::int64_t hour = a[3].as_bigint(), minute = a[4].as_bigint();
  double second = a[5].numeric_as_double();
  bool ok = hour >= 0 && minute >= 0 && minute <= 59 && second >= 0 && second <= 60 && hour <= 24 &&
            !(hour == 24 && (minute > 0 || second > 0));
  if (!ok)
    raise(field_overflow,
          fmt::format("time field value out of range: {}:{:02}:{:02g}", hour, minute, second));
  std::int64_t time =
      (hour * 60 + minute) * micros_per_minute + static_cast<std::int64_t>(std::rint(second * 1e6));
  return value::timestamp(checked_add(checked_mul(days, micros_per_day), time));
}

// make_interval(years, months, weeks, days, hours, mins, secs), each defaulting to 0.
value make_interval_fn(const value* a, std::size_t count) {
  auto field = [&](std::size_t i) { return i < count ? a[i].as_bigint() : 0; };
  double secs = count > 6 ? a[6].numeric_as_double() : 0;
  std::int64_t months = checked_add(checked_mul(field(0), 12), field(1));
  std::int64_t days = checked_add(checked_mul(field(2), 7), field(3));
  std::int64_t micros =
      checked_add(checked_mul(field(4), micros_per_hour), checked_mul(field(5), micros_per_minute));
  double rest = std::rint(secs * 1e6);
  if (!std::isfinite(rest) || std::fabs(rest) > 9e18)
    raise(sqlstate::numeric_value_out_of_range, "interval out of range");
  micros = checked_add(micros, static_cast<std::int64_t>(rest));
  return value::interval_of({narrow(months), narrow(days), micros});
}

// Moves whole `unit`s of `low` into `high` (days into months, time into days), keeping both fields
// the same sign.
void carry(std::int64_t& high, std::int64_t& low, std::int64_t unit) {
  high += low / unit;
  low %= unit;
  if (high > 0 && low < 0) {
    low += unit;
    --high;
  } else if (high < 0 && low > 0) {
    low -= unit;
    ++high;
  }
}

value justify_days_fn(const value* a, std::size_t) {
  interval iv = a[0].as_interval();
  std::int64_t months = iv.months, days = iv.days;
  carry(months, days, days_per_month);
  return value::interval_of({narrow(months), narrow(days), iv.micros});
}

value justify_hours_fn(const value* a, std::size_t) {
  interval iv = a[0].as_interval();
  std::int64_t days = iv.days, micros = iv.micros;
  carry(days, micros, micros_per_day);
  return value::interval_of({iv.months, narrow(days), micros});
}

// Postgres's justify_interval: hours into days, days into months, all one sign.
value justify_interval_fn(const value* a, std::size_t) {
  interval iv = a[0].as_interval();
  std::int64_t months = iv.months, days = iv.days, micros = iv.micros;
  if ((days > 0 && micros > 0) || (days < 0 && micros < 0)) {
    months += days / days_per_month;
    days %= days_per_month;
  }
  days += micros / micros_per_day;
  micros %= micros_per_day;
  months += days / days_per_month;
  days %= days_per_month;
  if (months > 0 && (days < 0 || (days == 0 && micros < 0))) {
    days += days_per_month;
    --months;
  } else if (months < 0 && (days > 0 || (days == 0 && micros > 0))) {
    days -= days_per_month;
    ++months;
  }
  carry(days, micros, micros_per_day);  // |micros| is under a day here: only the signs are aligned
  return value::interval_of({narrow(months), narrow(days), micros});
}

struct fields {
  std::int64_t year, month, day, micros;  // micros into the day
};
fields fields_of(std::int64_t micros) {
  std::int64_t days = floor_div(micros, micros_per_day);
  civil_date c = civil_from_days(days);
  return {c.year, c.month, c.day, micros - days * micros_per_day};
}

// age(a, b): a − b field by field (years, months, days, time), borrowing from the next larger field
// and a day count from the month of the earlier of the two, as Postgres's timestamp_age.
value age_fn(const value* a, std::size_t) {
  std::int64_t t1 = a[0].as_micros(), t2 = a[1].as_micros();
  bool negative = t1 < t2;
  fields later = fields_of(negative ? t2 : t1), earlier = fields_of(negative ? t1 : t2);
  fields diff{later.year - earlier.year, later.month - earlier.month, later.day - earlier.day,
              later.micros - earlier.micros};
  while (diff.micros < 0) {
    diff.micros += micros_per_day;
    --diff.day;
  }
  while (diff.day < 0) {
    diff.day += days_in_month(earlier.year, static_cast<int>(earlier.month));
    --diff.month;
  }
  while (diff.month < 0) {
    diff.month += 12;
    --diff.year;
  }
  std::int64_t sign = negative ? -1 : 1;
  return value::interval_of(
      {narrow(sign * (diff.year * 12 + diff.month)), narrow(sign * diff.day), sign * diff.micros});
}

// date_bin(stride, t, origin): the start of the stride-wide bin, counted from origin, that holds t.
value date_bin_fn(const value* a, std::size_t) {
  interval stride = a[0].as_interval();
  if (stride.months != 0)
    raise(sqlstate::feature_not_supported,
          "timestamps cannot be binned into intervals containing months or years");
  std::int64_t width = checked_add(checked_mul(stride.days, micros_per_day), stride.micros);
  if (width <= 0) raise(field_overflow, "stride must be greater than zero");
  std::int64_t t = a[1].as_micros(), origin = a[2].as_micros();
  std::int64_t diff = t - origin;
  std::int64_t delta = diff - diff % width;
  if (origin > t && width > 1) delta -= width;  // Postgres 15 steps back a bin even when t is on an edge
  std::int64_t out = origin + delta;
  return a[1].type() == dt::timestamptz ? value::timestamptz(out) : value::timestamp(out);
}

}  // namespace

void add_calendar_functions(std::vector<function_overload>& out) {
  const dt i = dt::bigint, f = dt::double_precision, iv = dt::interval;
  out.push_back({"make_date", {i, i, i}, dt::date, make_date_fn});
  out.push_back({"make_timestamp", {i, i, i, i, i, f}, dt::timestamp, make_timestamp_fn});
  std::vector<dt> interval_args;
  for (int n = 0; n <= 7; ++n) {
    out.push_back({"make_interval", interval_args, iv, make_interval_fn});
    interval_args.push_back(n < 6 ? i : f);
  }
  out.push_back({"justify_days", {iv}, iv, justify_days_fn});
  out.push_back({"justify_hours", {iv}, iv, justify_hours_fn});
  out.push_back({"justify_interval", {iv}, iv, justify_interval_fn});
  for (dt ts : {dt::timestamp, dt::timestamptz}) {
    out.push_back({"age", {ts, ts}, iv, age_fn});
    out.push_back({"date_bin", {iv, ts, ts}, ts, date_bin_fn});
  }
}

}  // namespace sluice::sql
