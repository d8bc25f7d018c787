// sql/functions_time.cc — timestamp, date, time and interval arithmetic, date_trunc, extract/date_part and
// to_timestamp, AT TIME ZONE. All times are UTC (the session time zone is always UTC), so timestamp
// and timestamptz share one implementation and differ only in their result type.
#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <limits>

#include "sql/civil_time.h"
#include "sql/error.h"
#include "sql/functions.h"
#include "sql/numeric.h"
#include "sql/time_zone.h"

namespace sluice::sql {

std::int64_t add_interval(std::int64_t micros, interval iv) {
  if (iv.months != 0) {
    std::int64_t days = floor_div(micros, micros_per_day);
    civil_date c = civil_from_days(days);
    std::int64_t month_index = c.year * 12 + (c.month - 1) + iv.months;
    std::int64_t year = floor_div(month_index, 12);
    int month = static_cast<int>(floor_mod(month_index, 12)) + 1;
    int day = std::min(c.day, days_in_month(year, month));
    micros += (days_from_civil({year, month, day}) - days) * micros_per_day;
  }
  return checked_add(checked_add(micros, checked_mul(iv.days, micros_per_day)), iv.micros);
}

namespace {

using dt = data_type;

value same_kind(const value& like, std::int64_t micros) {
  return like.type() == dt::timestamptz ? value::timestamptz(micros) : value::timestamp(micros);
}
std::int64_t micros_of(const value& v) {
  return v.type() == dt::date ? std::int64_t{v.as_date()} * micros_per_day : v.as_micros();
}
interval negate(interval iv) { return {-iv.months, -iv.days, -iv.micros}; }

value ts_plus_iv(const value* a, std::size_t) {
  return same_kind(a[0], add_interval(micros_of(a[0]), a[1].as_interval()));
}
value iv_plus_ts(const value* a, std::size_t) {
  return same_kind(a[1], add_interval(micros_of(a[1]), a[0].as_interval()));
}
value ts_minus_iv(const value* a, std::size_t) {
  return same_kind(a[0], add_interval(micros_of(a[0]), negate(a[1].as_interval())));
}
value date_plus_iv(const value* a, std::size_t) {
  return value::timestamp(add_interval(micros_of(a[0]), a[1].as_interval()));
}
value date_minus_iv(const value* a, std::size_t) {
  return value::timestamp(add_interval(micros_of(a[0]), negate(a[1].as_interval())));
}

// timestamp - timestamp: whole days and the rest, as Postgres's timestamp_mi (justify_hours).
value ts_minus_ts(const value* a, std::size_t) {
  std::int64_t diff = a[0].as_micros() - a[1].as_micros();
  return value::interval_of({0, static_cast<std::int32_t>(diff / micros_per_day), diff % micros_per_day});
}

value date_of(std::int64_t days) {
  if (days < -2'000'000'000 || days > 2'000'000'000) raise("22008", "date out of range");
  return value::date(static_cast<std::int32_t>(days));
}
value date_plus_int(const value* a, std::size_t) {
  return date_of(checked_add(a[0].as_date(), a[1].as_bigint()));
}
value int_plus_date(const value* a, std::size_t) {
  return date_of(checked_add(a[1].as_date(), a[0].as_bigint()));
}
value date_minus_int(const value* a, std::size_t) {
  return date_of(
      checked_add(a[0].as_date(), -std::max(a[1].as_bigint(), -std::numeric_limits<std::int64_t>::max())));
}
value date_minus_date(const value* a, std::size_t) {
  return value::bigint(std::int64_t{a[0].as_date()} - a[1].as_date());
}

// time ± interval wraps around midnight and reads only the interval's time part, as in Postgres.
value time_plus_iv(const value* a, std::size_t) {
  return value::time_of_day(
      floor_mod(a[0].as_micros() + a[1].as_interval().micros % micros_per_day, micros_per_day));
}
value iv_plus_time(const value* a, std::size_t) {
  const value swapped[] = {a[1], a[0]};
  return time_plus_iv(swapped, 2);
}
value time_minus_iv(const value* a, std::size_t) {
  return value::time_of_day(
      floor_mod(a[0].as_micros() - a[1].as_interval().micros % micros_per_day, micros_per_day));
}
value time_minus_time(const value* a, std::size_t) {
  return value::interval_of({0, 0, a[0].as_micros() - a[1].as_micros()});
}
value date_plus_time(const value* a, std::size_t) {
  return value::timestamp(checked_add(checked_mul(a[0].as_date(), micros_per_day), a[1].as_micros()));
}
value time_plus_date(const value* a, std::size_t) {
  return value::timestamp(checked_add(checked_mul(a[1].as_date(), micros_per_day), a[0].as_micros()));
}

value iv_plus_iv(const value* a, std::size_t) {
  interval x = a[0].as_interval(), y = a[1].as_interval();
  return value::interval_of({x.months + y.months, x.days + y.days, checked_add(x.micros, y.micros)});
}
value iv_minus_iv(const value* a, std::size_t) {
  interval x = a[0].as_interval(), y = negate(a[1].as_interval());
  return value::interval_of({x.months + y.months, x.days + y.days, checked_add(x.micros, y.micros)});
}
value iv_neg(const value* a, std::size_t) { return value::interval_of(negate(a[0].as_interval())); }

// Fractions of months spill into days (30 per month) and of days into microseconds, as Postgres does.
interval scale(interval iv, double f) {
  double months = iv.months * f;
  double whole_months = std::trunc(months);
  double days = iv.days * f + (months - whole_months) * 30;
  double whole_days = std::trunc(days);
  double micros =
      static_cast<double>(iv.micros) * f + (days - whole_days) * static_cast<double>(micros_per_day);
  if (!(std::fabs(whole_months) < 2e9 && std::fabs(whole_days) < 2e9 && std::fabs(micros) < 9e18)) {
    raise("22008", "interval out of range");
  }
  return {static_cast<std::int32_t>(whole_months), static_cast<std::int32_t>(whole_days),
          static_cast<std::int64_t>(std::llround(micros))};
}
value iv_times(const value* a, std::size_t) {
  return value::interval_of(scale(a[0].as_interval(), a[1].numeric_as_double()));
}
value times_iv(const value* a, std::size_t) {
  return value::interval_of(scale(a[1].as_interval(), a[0].numeric_as_double()));
}
value iv_div(const value* a, std::size_t) {
  if (a[1].numeric_as_double() == 0) raise(sqlstate::division_by_zero, "division by zero");
  return value::interval_of(scale(a[0].as_interval(), 1.0 / a[1].numeric_as_double()));
}

std::string lowered(const value& v) {
  std::string s = v.as_text();
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return s;
}

[[noreturn]] void bad_unit(const std::string& unit, dt type) {
  raise(sqlstate::invalid_parameter_value,
        fmt::format("unit \"{}\" not recognized for type {}", unit, type_name(type)));
}

std::int64_t truncate_micros(std::int64_t micros, const std::string& unit, dt type) {
  std::int64_t days = floor_div(micros, micros_per_day);
  civil_date c = civil_from_days(days);
  auto start_of = [](std::int64_t year, int month) {
    return days_from_civil({year, month, 1}) * micros_per_day;
  };
  if (unit == "microseconds" || unit == "microsecond") return micros;
  if (unit == "milliseconds" || unit == "millisecond") return floor_div(micros, 1000) * 1000;
  if (unit == "second" || unit == "seconds") return floor_div(micros, micros_per_second) * micros_per_second;
  if (unit == "minute" || unit == "minutes")
    return floor_div(micros, 60 * micros_per_second) * 60 * micros_per_second;
  if (unit == "hour" || unit == "hours")
    return floor_div(micros, 3600 * micros_per_second) * 3600 * micros_per_second;
  if (unit == "day" || unit == "days") return days * micros_per_day;
  if (unit == "week" || unit == "weeks") return (days - floor_mod(days + 3, 7)) * micros_per_day;  // Monday
  if (unit == "month" || unit == "months") return start_of(c.year, c.month);
  if (unit == "quarter") return start_of(c.year, (c.month - 1) / 3 * 3 + 1);
  if (unit == "year" || unit == "years") return start_of(c.year, 1);
  if (unit == "decade") return start_of(floor_div(c.year, 10) * 10, 1);
  if (unit == "century") return start_of(floor_div(c.year - 1, 100) * 100 + 1, 1);
  if (unit == "millennium") return start_of(floor_div(c.year - 1, 1000) * 1000 + 1, 1);
  bad_unit(unit, type);
}

value date_trunc_fn(const value* a, std::size_t) {
  return same_kind(a[1], truncate_micros(a[1].as_micros(), lowered(a[0]), a[1].type()));
}

// ISO 8601 week number and week-numbering year of a day.
std::pair<std::int64_t, std::int64_t> iso_week(std::int64_t days) {
  std::int64_t isodow = floor_mod(days + 3, 7) + 1;  // 1970-01-01 was a Thursday
  std::int64_t thursday = days - isodow + 4;
  std::int64_t year = civil_from_days(thursday).year;
  std::int64_t week = (thursday - days_from_civil({year, 1, 1})) / 7 + 1;
  return {week, year};
}

// A time of day has only the fields of a clock.
bool time_field(const std::string& f) {
  for (const char* name : {"epoch", "hour", "hours", "minute", "minutes", "second", "seconds", "millisecond",
                           "milliseconds", "microsecond", "microseconds"}) {
    if (f == name) return true;
  }
  return false;
}

double timestamp_field(std::int64_t micros, const std::string& f, dt type) {
  if (type == dt::time && !time_field(f))
    raise(sqlstate::feature_not_supported,
          fmt::format("unit \"{}\" not supported for type {}", f, type_name(type)));
  std::int64_t days = floor_div(micros, micros_per_day);
  std::int64_t in_day = micros - days * micros_per_day;
  civil_date c = civil_from_days(days);
  auto seconds_part = static_cast<double>(in_day % (60 * micros_per_second));
  if (f == "epoch") return static_cast<double>(micros) / 1e6;
  if (f == "microseconds" || f == "microsecond") return seconds_part;
  if (f == "milliseconds" || f == "millisecond") return seconds_part / 1e3;
  if (f == "second" || f == "seconds") return seconds_part / 1e6;
  if (f == "minute" || f == "minutes") return static_cast<double>(in_day / (60 * micros_per_second) % 60);
  if (f == "hour" || f == "hours") return static_cast<double>(in_day / (3600 * micros_per_second));
  if (f == "day" || f == "days") return c.day;
  if (f == "month" || f == "months") return c.month;
  if (f == "year" || f == "years") return static_cast<double>(c.year);
  if (f == "quarter") return (c.month - 1) / 3 + 1;
  if (f == "dow") return static_cast<double>(floor_mod(days + 4, 7));
  if (f == "isodow") return static_cast<double>(floor_mod(days + 3, 7) + 1);
  if (f == "doy") return static_cast<double>(days - days_from_civil({c.year, 1, 1}) + 1);
  if (f == "week") return static_cast<double>(iso_week(days).first);
  if (f == "isoyear") return static_cast<double>(iso_week(days).second);
  if (f == "decade") return static_cast<double>(floor_div(c.year, 10));
  // Centuries and millennia count from year 1 (there is no year 0: 1 BC is year 0 here).
  std::int64_t century = c.year > 0 ? (c.year + 99) / 100 : -((99 - (c.year - 1)) / 100);
  std::int64_t millennium = c.year > 0 ? (c.year + 999) / 1000 : -((999 - (c.year - 1)) / 1000);
  if (f == "century") return static_cast<double>(century);
  if (f == "millennium") return static_cast<double>(millennium);
  bad_unit(f, type);
}

double interval_field(interval iv, const std::string& f) {
  if (f == "epoch") {
    std::int32_t years = iv.months / 12, months = iv.months % 12;  // a year is 365.25 days, a month 30
    return years * 365.25 * 86400 + months * 30.0 * 86400 + iv.days * 86400.0 +
           static_cast<double>(iv.micros) / 1e6;
  }
  std::int32_t whole_years = iv.months / 12;
  if (f == "year" || f == "years") return whole_years;
  if (f == "month" || f == "months") return iv.months % 12;
  if (f == "day" || f == "days") return iv.days;
  if (f == "hour" || f == "hours") return static_cast<double>(iv.micros / (3600 * micros_per_second));
  if (f == "minute" || f == "minutes") return static_cast<double>(iv.micros / (60 * micros_per_second) % 60);
  if (f == "second" || f == "seconds") return static_cast<double>(iv.micros % (60 * micros_per_second)) / 1e6;
  bad_unit(f, dt::interval);
}

value date_part_fn(const value* a, std::size_t) {
  std::string f = lowered(a[0]);
  if (a[1].type() == dt::interval) return value::double_precision(interval_field(a[1].as_interval(), f));
  return value::double_precision(timestamp_field(micros_of(a[1]), f, a[1].type()));
}

// EXTRACT is numeric since Postgres 14: exact, with six digits after the point for epoch and
// second, three for millisecond, none for the other fields. (date_part stays double precision.)
value extract_fn(const value* a, std::size_t) {
  std::string f = lowered(a[0]);
  constexpr std::int64_t micros_per_minute = 60 * micros_per_second;
  int128 micros = 0;  // an interval's epoch passes int64 microseconds past 292,000 years
  std::int64_t seconds_part = 0;
  if (a[1].type() == dt::interval) {
    interval iv = a[1].as_interval();
    // A year is 365.25 days and a month 30, as Postgres counts an interval's epoch.
    micros = (int128{iv.months / 12} * 31'557'600 + int128{iv.months % 12} * 2'592'000 +
              int128{iv.days} * 86'400) *
                 micros_per_second +
             iv.micros;
    seconds_part = iv.micros % micros_per_minute;
  } else {
    micros = micros_of(a[1]);
    seconds_part = floor_mod(micros_of(a[1]), micros_per_minute);
  }
  bool date = a[1].type() == dt::date;
  if (a[1].type() == dt::time && !time_field(f)) date_part_fn(a, 2);  // raises the unit's error
  if (f == "epoch") {
    return value::numeric_of(date ? numeric{micros / micros_per_second, 0} : numeric{micros, 6});
  }
  if (f == "second" || f == "seconds") return value::numeric_of({seconds_part, 6});
  if (f == "millisecond" || f == "milliseconds") return value::numeric_of({seconds_part, 3});
  double whole = date_part_fn(a, 2).as_double();
  return value::numeric_of(numeric_from_bigint(static_cast<std::int64_t>(whole)));
}

value to_timestamp_fn(const value* a, std::size_t) {
  double seconds = a[0].numeric_as_double();
  if (!std::isfinite(seconds) || std::fabs(seconds) > 9.2e12) {
    raise(sqlstate::numeric_value_out_of_range, "timestamp out of range");
  }
  return value::timestamptz(std::llround(seconds * 1e6));
}

// AT TIME ZONE: the zone's offset, in microseconds east of UTC, at the instant `micros` (a
// timestamptz) or for the wall-clock time `micros` (a timestamp).
std::int64_t zone_offset_micros(const value& zone, std::int64_t micros, bool local) {
  if (zone.type() == dt::interval) {
    interval iv = zone.as_interval();
    if (iv.months != 0 || iv.days != 0)
      raise(sqlstate::invalid_parameter_value,
            fmt::format("interval time zone \"{}\" must not include months or days", zone.to_text()));
    return iv.micros;
  }
  const time_zone* tz = find_time_zone(zone.as_text());
  if (tz == nullptr)
    raise(sqlstate::invalid_parameter_value, fmt::format("time zone \"{}\" not recognized", zone.as_text()));
  std::int64_t seconds = floor_div(micros, 1'000'000);
  return std::int64_t{local ? tz->offset_for_local(seconds) : tz->offset_at(seconds)} * 1'000'000;
}
// timestamptz AT TIME ZONE zone: the wall-clock time there.
value local_time_in(const value* a, std::size_t) {
  std::int64_t utc = a[1].as_micros();
  return value::timestamp(checked_add(utc, zone_offset_micros(a[0], utc, false)));
}
// timestamp AT TIME ZONE zone: the instant at which the zone's clocks show it.
value instant_of_local(const value* a, std::size_t) {
  std::int64_t local = a[1].as_micros();
  return value::timestamptz(checked_add(local, -zone_offset_micros(a[0], local, true)));
}

}  // namespace

void add_time_functions(std::vector<function_overload>& out) {
  const dt iv = dt::interval, f = dt::double_precision, i = dt::bigint, d = dt::date;
  for (dt ts : {dt::timestamp, dt::timestamptz}) {
    out.push_back({"+", {ts, iv}, ts, ts_plus_iv});
    out.push_back({"+", {iv, ts}, ts, iv_plus_ts});
    out.push_back({"-", {ts, iv}, ts, ts_minus_iv});
    out.push_back({"-", {ts, ts}, iv, ts_minus_ts});
    out.push_back({"date_trunc", {dt::text, ts}, ts, date_trunc_fn});
    out.push_back({"date_part", {dt::text, ts}, f, date_part_fn});
  }
  // A date is truncated as the timestamptz it converts to, as Postgres resolves date_trunc(text, date).
  out.push_back({"date_trunc", {dt::text, d}, dt::timestamptz, [](const value* a, std::size_t) {
                   std::int64_t micros = std::int64_t{a[1].as_date()} * micros_per_day;
                   return value::timestamptz(truncate_micros(micros, lowered(a[0]), dt::timestamptz));
                 }});
  out.push_back({"date_part", {dt::text, iv}, f, date_part_fn});
  out.push_back({"date_part", {dt::text, d}, f, date_part_fn});
  out.push_back({"date_part", {dt::text, dt::time}, f, date_part_fn});
  for (dt t : {dt::timestamp, dt::timestamptz, d, iv, dt::time})
    out.push_back({"extract", {dt::text, t}, dt::numeric, extract_fn});
  out.push_back({"+", {dt::time, iv}, dt::time, time_plus_iv});
  out.push_back({"+", {iv, dt::time}, dt::time, iv_plus_time});
  out.push_back({"-", {dt::time, iv}, dt::time, time_minus_iv});
  out.push_back({"-", {dt::time, dt::time}, iv, time_minus_time});
  out.push_back({"+", {d, dt::time}, dt::timestamp, date_plus_time});
  out.push_back({"+", {dt::time, d}, dt::timestamp, time_plus_date});
  out.push_back({"+", {d, i}, d, date_plus_int});
  out.push_back({"+", {i, d}, d, int_plus_date});
  out.push_back({"-", {d, i}, d, date_minus_int});
  out.push_back({"-", {d, d}, i, date_minus_date});
  out.push_back({"+", {d, iv}, dt::timestamp, date_plus_iv});
  out.push_back({"-", {d, iv}, dt::timestamp, date_minus_iv});
  out.push_back({"+", {iv, iv}, iv, iv_plus_iv});
  out.push_back({"-", {iv, iv}, iv, iv_minus_iv});
  out.push_back({"-", {iv}, iv, iv_neg});
  out.push_back({"*", {iv, f}, iv, iv_times});
  out.push_back({"*", {f, iv}, iv, times_iv});
  out.push_back({"/", {iv, f}, iv, iv_div});
  out.push_back({"to_timestamp", {f}, dt::timestamptz, to_timestamp_fn});
  for (dt zone : {dt::text, iv}) {
    out.push_back({"timezone", {zone, dt::timestamptz}, dt::timestamp, local_time_in});
    out.push_back({"timezone", {zone, dt::timestamp}, dt::timestamptz, instant_of_local});
  }
}

}  // namespace sluice::sql
