// sql/numeric.h — NUMERIC: exact decimals of up to 38 significant digits, computed with Postgres's
// rules for each result's scale (the digits shown after the point): + and - keep the larger scale,
// * the sum of the scales, / at least 16 significant digits (select_div_scale), and rounding is half
// away from zero. A value is coefficient × 10^-scale, so 1.50 is {150, 2} and prints as "1.50".
//
// Postgres's numeric is unbounded; here a result that needs more than 38 digits loses digits after
// the point first (rounded), and fails with 22003 only when its integer part alone needs more.
// NaN and ±Infinity are not numeric values here (0A000 where Postgres would produce one).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace sluice::sql {

// GCC's 128-bit integer (__extension__: ISO C++ has none).
__extension__ typedef __int128 int128;
__extension__ typedef unsigned __int128 uint128;

struct numeric {
  int128 coefficient = 0;  // |coefficient| < 10^38
  std::int32_t scale = 0;  // 0 ≤ scale ≤ numeric_max_scale
};

inline constexpr int numeric_max_digits = 38;
inline constexpr int numeric_max_scale = 38;

// Postgres's numeric input: [sign] digits [. digits] [e [sign] digits], blanks around. 1.500 keeps
// scale 3; 1e3 is 1000. Throws eval_error 22P02 for other text, 22003 for values out of range.
numeric numeric_from_text(std::string_view text);
std::string numeric_text(numeric n);
// The decimal digits of |coefficient|, most significant first, into `out` (room for 40); returns
// their count ("0" for zero).
std::size_t numeric_digits(int128 coefficient, char* out);

numeric numeric_from_bigint(std::int64_t i);
// As Postgres casts float8: the value's 15 significant digits (0.1 becomes 0.1, not
// 0.1000000000000000055…). Throws 0A000 for NaN and infinities.
numeric numeric_from_double(double d);
// The nearest double.
double numeric_to_double(numeric n);
// For sqrt, exp, ln, log, power and stddev, which Postgres computes to 16 and more significant
// digits: n as a long double, and a long double rounded to `scale` decimals (22003 if not finite).
long double numeric_to_long_double(numeric n);
numeric numeric_from_long_double(long double x, int scale);
// Rounded half away from zero; throws 22003 "bigint out of range".
std::int64_t numeric_to_bigint(numeric n);

// Numeric order: 1.0 and 1.00 are equal.
int numeric_compare(numeric a, numeric b);
// Equal for equal numbers whatever their scale; an integral one hashes as the same bigint would.
std::size_t numeric_hash(numeric n);
// Whether n is integral and fits a bigint (then *out holds it).
bool numeric_as_bigint_exactly(numeric n, std::int64_t* out);

numeric numeric_add(numeric a, numeric b);
numeric numeric_sub(numeric a, numeric b);
numeric numeric_mul(numeric a, numeric b);
numeric numeric_div(numeric a, numeric b);  // 22012 for b = 0
numeric numeric_mod(numeric a, numeric b);
// div(a, b): the quotient truncated toward zero, scale 0; 22012 for b = 0.
numeric numeric_div_trunc(numeric a, numeric b);
// factorial(n) = n!; 22003 for n < 0 and for results past numeric's digits.
numeric numeric_factorial(std::int64_t n);  // the sign of a, Postgres's scale max(a, b); 22012 for b = 0
numeric numeric_neg(numeric n);
numeric numeric_abs(numeric n);
int numeric_sign(numeric n);

// round(n, s) and trunc(n, s): s digits after the point (before it when negative); the result has
// scale max(s, 0), so round(1.5, 3) is 1.500 as in Postgres.
numeric numeric_round(numeric n, std::int64_t s);
numeric numeric_trunc(numeric n, std::int64_t s);
numeric numeric_ceil(numeric n);
numeric numeric_floor(numeric n);

// numeric(precision, scale) as Postgres packs it in atttypmod, and back.
constexpr std::int32_t numeric_typmod(int precision, int scale) {
  return ((precision << 16) | (scale & 0x7ff)) + 4;
}
constexpr int numeric_typmod_precision(std::int32_t typmod) { return ((typmod - 4) >> 16) & 0xffff; }
// The scale is 11 bits, sign-extended (Postgres 15 allows numeric(2, -3)).
constexpr int numeric_typmod_scale(std::int32_t typmod) { return (((typmod - 4) & 0x7ff) ^ 1024) - 1024; }
numeric numeric_with_typmod(numeric n, std::int32_t typmod);

// A numeric(precision, scale) column's or cast's rounding: to `scale` digits after the point, then
// 22003 "numeric field overflow" if the integer part has more than precision − scale digits.
numeric numeric_with_typmod(numeric n, int precision, int scale);

}  // namespace sluice::sql
