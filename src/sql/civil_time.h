// sql/civil_time.h — calendar arithmetic on the proleptic Gregorian calendar (UTC), as Postgres uses
// for timestamp and date. Days count from 1970-01-01; the algorithms are Howard Hinnant's.
#pragma once

#include <cstdint>

namespace sluice::sql {

struct civil_date {
  std::int64_t year;
  int month;  // 1..12
  int day;    // 1..31
};

std::int64_t days_from_civil(civil_date date);
civil_date civil_from_days(std::int64_t days);
bool is_leap_year(std::int64_t year);
int days_in_month(std::int64_t year, int month);

// floor(a / b) for b > 0, also for negative a (timestamps before 1970).
inline std::int64_t floor_div(std::int64_t a, std::int64_t b) {
  std::int64_t q = a / b;
  return (a % b != 0 && a < 0) ? q - 1 : q;
}
inline std::int64_t floor_mod(std::int64_t a, std::int64_t b) { return a - floor_div(a, b) * b; }

}  // namespace sluice::sql
