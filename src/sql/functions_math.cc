// sql/functions_math.cc — numeric functions, on double precision and on exact numerics (round, trunc,
// floor, ceil, abs, sign, mod). As in Postgres, a bigint argument goes to the double precision form
// of a one-argument function and to the numeric form of round(x, n) and trunc(x, n). sqrt, exp, ln,
// log and power of numerics compute in long double and round to Postgres's result scale. round(double
// precision, n), which Postgres lacks, is kept for views written before NUMERIC was exact; it rounds the
// shortest decimal form half away from zero.
#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <limits>
#include <random>
#include <string>

#include "sql/error.h"
#include "sql/functions.h"
#include "sql/numeric.h"

namespace sluice::sql {
namespace {

using dt = data_type;

double d(const value* a, int i) { return a[i].numeric_as_double(); }

value abs_int(const value* a, std::size_t) {
  std::int64_t x = a[0].as_bigint();
  if (x == std::numeric_limits<std::int64_t>::min())
    raise(sqlstate::numeric_value_out_of_range, "bigint out of range");
  return value::bigint(x < 0 ? -x : x);
}
value abs_dbl(const value* a, std::size_t) { return value::double_precision(std::fabs(d(a, 0))); }

// Rounds the shortest decimal form of x (what the user sees) half away from zero at `places` digits
// after the point, as numeric does: round(2.675, 2) is 2.68 although the double is 2.67499999….
double round_decimal(double x, std::int64_t places) {
  if (!std::isfinite(x) || places < 0 || places > 300) {
    double scale = std::pow(10.0, static_cast<double>(places));
    return std::round(x * scale) / scale;
  }
  char buf[400];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, std::fabs(x), std::chars_format::fixed);
  std::string digits(buf, end);
  std::size_t point = digits.find('.');
  if (ec != std::errc() || point == std::string::npos ||
      digits.size() - point - 1 <= static_cast<std::size_t>(places)) {
    return x;
  }
  bool up = digits[point + 1 + static_cast<std::size_t>(places)] >= '5';
  digits.resize(point + 1 + static_cast<std::size_t>(places));
  double out = 0;
  std::from_chars(digits.data(), digits.data() + digits.size(), out);
  if (up) out += std::pow(10.0, -static_cast<double>(places));
  // Adding 10^-places in binary can leave noise; print and parse once more at the wanted precision.
  auto [end2, ec2] =
      std::to_chars(buf, buf + sizeof buf, out, std::chars_format::fixed, static_cast<int>(places));
  if (ec2 == std::errc()) std::from_chars(buf, end2, out);
  return x < 0 ? -out : out;
}

// round(double precision) is Postgres's rint: halves go to the even neighbour (round(2.5) is 2).
value round_fn(const value* a, std::size_t count) {
  if (count == 1) return value::double_precision(std::nearbyint(d(a, 0)));
  return value::double_precision(round_decimal(d(a, 0), a[1].as_bigint()));
}
value trunc_fn(const value* a, std::size_t count) {
  if (count == 1) return value::double_precision(std::trunc(d(a, 0)));
  double scale = std::pow(10.0, static_cast<double>(a[1].as_bigint()));
  return value::double_precision(std::trunc(d(a, 0) * scale) / scale);
}
value floor_fn(const value* a, std::size_t) { return value::double_precision(std::floor(d(a, 0))); }
value ceil_fn(const value* a, std::size_t) { return value::double_precision(std::ceil(d(a, 0))); }
value sign_fn(const value* a, std::size_t) {
  double x = d(a, 0);
  return value::double_precision(x > 0 ? 1.0 : (x < 0 ? -1.0 : 0.0));
}

value sqrt_fn(const value* a, std::size_t) {
  if (d(a, 0) < 0) raise("2201F", "cannot take square root of a negative number");
  return value::double_precision(std::sqrt(d(a, 0)));
}
value cbrt_fn(const value* a, std::size_t) { return value::double_precision(std::cbrt(d(a, 0))); }

value power_fn(const value* a, std::size_t) {
  double x = d(a, 0), y = d(a, 1);
  if (x == 0 && y < 0) raise("2201F", "zero raised to a negative power is undefined");
  if (x < 0 && y != std::floor(y)) {
    raise("2201F", "a negative number raised to a non-integer power yields a complex result");
  }
  return value::double_precision(checked_double(std::pow(x, y), x, y));
}

void check_log_argument(double x) {
  if (x == 0) raise("2201E", "cannot take logarithm of zero");
  if (x < 0) raise("2201E", "cannot take logarithm of a negative number");
}
value ln_fn(const value* a, std::size_t) {
  check_log_argument(d(a, 0));
  return value::double_precision(std::log(d(a, 0)));
}
value log10_fn(const value* a, std::size_t) {
  check_log_argument(d(a, 0));
  return value::double_precision(std::log10(d(a, 0)));
}
value exp_fn(const value* a, std::size_t) {
  double r = std::exp(d(a, 0));
  if (std::isinf(r)) raise(sqlstate::numeric_value_out_of_range, "value out of range: overflow");
  return value::double_precision(r);
}

value mod_int(const value* a, std::size_t) {
  std::int64_t x = a[0].as_bigint(), y = a[1].as_bigint();
  if (y == 0) raise(sqlstate::division_by_zero, "division by zero");
  return value::bigint(y == -1 ? 0 : x % y);
}
value mod_dbl(const value* a, std::size_t) {
  if (d(a, 1) == 0) raise(sqlstate::division_by_zero, "division by zero");
  return value::double_precision(std::fmod(d(a, 0), d(a, 1)));
}
value pi_fn(const value*, std::size_t) { return value::double_precision(M_PI); }

// Euclid's algorithm on non-positive values, which (unlike positive ones) reach INT64_MIN.
std::int64_t gcd_of(std::int64_t x, std::int64_t y) {
  x = x > 0 ? -x : x;
  y = y > 0 ? -y : y;
  while (y != 0) {
    std::int64_t r = x % y;
    x = y;
    y = r;
  }
  if (x == std::numeric_limits<std::int64_t>::min())
    raise(sqlstate::numeric_value_out_of_range, "bigint out of range");
  return -x;
}
value gcd_fn(const value* a, std::size_t) {
  return value::bigint(gcd_of(a[0].as_bigint(), a[1].as_bigint()));
}
value lcm_fn(const value* a, std::size_t) {
  std::int64_t x = a[0].as_bigint(), y = a[1].as_bigint();
  if (x == 0 || y == 0) return value::bigint(0);
  std::int64_t out = checked_mul(x / gcd_of(x, y), y);
  if (out == std::numeric_limits<std::int64_t>::min())
    raise(sqlstate::numeric_value_out_of_range, "bigint out of range");
  return value::bigint(out < 0 ? -out : out);
}

// The bucket of `count` equal ones between the bounds (either way round) that holds the operand; 0
// below the first, count + 1 past the last.
value width_bucket_fn(const value* a, std::size_t) {
  double x = d(a, 0), low = d(a, 1), high = d(a, 2);
  std::int64_t count = a[3].as_bigint();
  const char* code = "2201G";
  if (count <= 0) raise(code, "count must be greater than zero");
  if (std::isnan(x) || std::isnan(low) || std::isnan(high))
    raise(code, "operand, lower bound, and upper bound cannot be NaN");
  if (std::isinf(low) || std::isinf(high)) raise(code, "lower and upper bounds must be finite");
  if (low == high) raise(code, "lower bound cannot equal upper bound");
  bool up = low < high;
  if (up ? x < low : x > low) return value::bigint(0);
  if (up ? x >= high : x <= high) return value::bigint(checked_add(count, 1));
  double share = up ? (x - low) / (high - low) : (low - x) / (low - high);
  auto bucket = static_cast<std::int64_t>(static_cast<double>(count) * share);
  return value::bigint(std::min(bucket, count - 1) + 1);
}

value degrees_fn(const value* a, std::size_t) { return value::double_precision(d(a, 0) * (180.0 / M_PI)); }
value radians_fn(const value* a, std::size_t) { return value::double_precision(d(a, 0) * (M_PI / 180.0)); }

// A trigonometric function: NaN in, NaN out; an argument outside its domain is an error.
template <double (*F)(double)>
value trig_fn(const value* a, std::size_t) {
  double x = d(a, 0);
  double r = F(x);
  if (std::isnan(r) && !std::isnan(x)) raise(sqlstate::numeric_value_out_of_range, "input is out of range");
  return value::double_precision(r);
}
double cot(double x) { return 1.0 / std::tan(x); }
// Seeded once per thread from the system's entropy.
std::mt19937_64& random_engine() {
  thread_local std::mt19937_64 engine{std::random_device{}()};
  return engine;
}
value random_fn(const value*, std::size_t) {
  return value::double_precision(std::uniform_real_distribution<double>(0.0, 1.0)(random_engine()));
}
// A version 4 (random) UUID in its canonical text; uuid is text here.
value gen_random_uuid_fn(const value*, std::size_t) {
  std::uint64_t high = random_engine()(), low = random_engine()();
  high = (high & ~0xf000ULL) | 0x4000ULL;            // version 4
  low = (low & ~(0xc0ULL << 56)) | (0x80ULL << 56);  // RFC 4122 variant
  char text[37];
  std::snprintf(
      text, sizeof text, "%08llx-%04llx-%04llx-%04llx-%012llx", static_cast<unsigned long long>(high >> 32),
      static_cast<unsigned long long>((high >> 16) & 0xffff), static_cast<unsigned long long>(high & 0xffff),
      static_cast<unsigned long long>(low >> 48), static_cast<unsigned long long>(low & 0xffffffffffffULL));
  return value::text(text);
}

value atan2_fn(const value* a, std::size_t) { return value::double_precision(std::atan2(d(a, 0), d(a, 1))); }

numeric num(const value* a, int i) { return a[i].as_numeric(); }
value round_num(const value* a, std::size_t count) {
  return value::numeric_of(numeric_round(num(a, 0), count == 1 ? 0 : a[1].as_bigint()));
}
value trunc_num(const value* a, std::size_t count) {
  return value::numeric_of(numeric_trunc(num(a, 0), count == 1 ? 0 : a[1].as_bigint()));
}
value floor_num(const value* a, std::size_t) { return value::numeric_of(numeric_floor(num(a, 0))); }
value ceil_num(const value* a, std::size_t) { return value::numeric_of(numeric_ceil(num(a, 0))); }
value abs_num(const value* a, std::size_t) { return value::numeric_of(numeric_abs(num(a, 0))); }
value sign_num(const value* a, std::size_t) {
  return value::numeric_of(numeric_from_bigint(numeric_sign(num(a, 0))));
}
value mod_num(const value* a, std::size_t) { return value::numeric_of(numeric_mod(num(a, 0), num(a, 1))); }
value div_num(const value* a, std::size_t) {
  return value::numeric_of(numeric_div_trunc(num(a, 0), num(a, 1)));
}
value factorial_fn(const value* a, std::size_t) {
  return value::numeric_of(numeric_factorial(a[0].as_bigint()));
}

// log(b, x) on numeric: Postgres computes it to 16 significant digits past the result's leading
// one (2.0000000000000000 for log(10, 100)); long double carries those digits.
value log_base_num(const value* a, std::size_t) {
  long double base = numeric_to_long_double(num(a, 0));
  long double x = numeric_to_long_double(num(a, 1));
  check_log_argument(static_cast<double>(base));
  check_log_argument(static_cast<double>(x));
  long double ln_base = std::log(base);
  if (ln_base == 0) raise(sqlstate::division_by_zero, "division by zero");
  long double r = std::log(x) / ln_base;
  int weight = r == 0 ? 0 : static_cast<int>(std::floor(std::log10(std::fabs(r))));
  int scale = std::clamp(16 - weight, std::max({0, num(a, 0).scale, num(a, 1).scale}), numeric_max_scale);
  return value::numeric_of(numeric_from_long_double(r, scale));
}

// --- sqrt, exp, ln, log and power of numerics: long double carries the 16 significant digits (and
// a few more) that Postgres computes; each result is rounded to the scale Postgres chooses for it.

long double wide_of(numeric n) { return numeric_to_long_double(n); }
value numeric_at_scale(long double r, int scale) {
  return value::numeric_of(numeric_from_long_double(r, scale));
}

int result_scale(int sig_weight, std::initializer_list<int> input_scales) {
  return std::clamp(16 - sig_weight, std::max(input_scales), 1000);
}

// Postgres's estimate_ln_dweight: the decimal weight of ln(x), for x > 0.
int ln_weight(long double x) {
  if (x >= 0.9L && x <= 1.1L) {
    long double near_zero = std::fabs(x - 1);
    return near_zero == 0 ? 0 : static_cast<int>(std::floor(std::log10(near_zero)));
  }
  return static_cast<int>(std::log10(std::fabs(std::log(x))));  // truncated toward zero, as Postgres's
}

value sqrt_num(const value* a, std::size_t) {
  long double x = wide_of(num(a, 0));
  if (x < 0) raise("2201F", "cannot take square root of a negative number");
  // Postgres's weight is in base-10000 digits; its square root's, in decimal digits.
  int weight = x == 0 ? 0 : static_cast<int>(std::floor(std::log10(x) / 4));
  int sqrt_weight = (weight + 1) * 4 / 2 - 1;
  return numeric_at_scale(std::sqrt(x), result_scale(sqrt_weight, {num(a, 0).scale}));
}

value exp_num(const value* a, std::size_t) {
  long double x = wide_of(num(a, 0));
  auto weight = static_cast<int>(std::clamp(x * 0.434294481903252L, -1000.0L, 1000.0L));
  return numeric_at_scale(std::exp(x), result_scale(weight, {num(a, 0).scale}));
}

value ln_num(const value* a, std::size_t) {
  long double x = wide_of(num(a, 0));
  check_log_argument(static_cast<double>(x));
  return numeric_at_scale(std::log(x), result_scale(ln_weight(x), {num(a, 0).scale}));
}

value log10_num(const value* a, std::size_t) {
  long double x = wide_of(num(a, 0));
  check_log_argument(static_cast<double>(x));
  return numeric_at_scale(std::log10(x), result_scale(ln_weight(x) - ln_weight(10), {num(a, 0).scale}));
}

value power_num(const value* a, std::size_t) {
  long double x = wide_of(num(a, 0)), y = wide_of(num(a, 1));
  if (x == 0 && y < 0) raise("2201F", "zero raised to a negative power is undefined");
  bool integral = y == std::floor(y);
  if (x < 0 && !integral)
    raise("2201F", "a negative number raised to a non-integer power yields a complex result");
  // Postgres 15: an integral exponent gives 16 decimals (or the base's); any other, 16 significant
  // digits by the result's estimated weight.
  if (integral) return numeric_at_scale(std::pow(x, y), std::max(16, num(a, 0).scale));
  long double weight = x == 0 ? 0 : std::log(std::fabs(x)) * y * 0.434294481903252L;
  if (weight > 1000) raise(sqlstate::numeric_value_out_of_range, "value overflows numeric format");
  int scale = result_scale(static_cast<int>(std::max(weight, -1000.0L)), {num(a, 0).scale, num(a, 1).scale});
  return numeric_at_scale(std::pow(x, y), scale);
}

}  // namespace

void add_math_functions(std::vector<function_overload>& out) {
  const dt f = dt::double_precision, i = dt::bigint, n = dt::numeric;
  // Among overloads an argument reaches at the same cost, the first registered wins.
  out.push_back({"abs", {i}, i, abs_int});
  out.push_back({"abs", {f}, f, abs_dbl});
  out.push_back({"abs", {n}, n, abs_num});
  out.push_back({"round", {f}, f, round_fn});
  out.push_back({"round", {n}, n, round_num});
  out.push_back({"round", {n, i}, n, round_num});
  out.push_back({"round", {f, i}, f, round_fn});
  out.push_back({"trunc", {f}, f, trunc_fn});
  out.push_back({"trunc", {n}, n, trunc_num});
  out.push_back({"trunc", {n, i}, n, trunc_num});
  out.push_back({"trunc", {f, i}, f, trunc_fn});
  out.push_back({"floor", {f}, f, floor_fn});
  out.push_back({"floor", {n}, n, floor_num});
  out.push_back({"ceil", {f}, f, ceil_fn});
  out.push_back({"ceil", {n}, n, ceil_num});
  out.push_back({"ceiling", {f}, f, ceil_fn});
  out.push_back({"ceiling", {n}, n, ceil_num});
  out.push_back({"sign", {f}, f, sign_fn});
  out.push_back({"sign", {n}, n, sign_num});
  out.push_back({"mod", {n, n}, n, mod_num});
  out.push_back({"div", {n, n}, n, div_num});
  out.push_back({"factorial", {i}, n, factorial_fn});
  out.push_back({"log", {n, n}, n, log_base_num});
  out.push_back({"sqrt", {f}, f, sqrt_fn});
  out.push_back({"cbrt", {f}, f, cbrt_fn});
  out.push_back({"power", {f, f}, f, power_fn});
  out.push_back({"pow", {f, f}, f, power_fn});
  out.push_back({"^", {f, f}, f, power_fn});
  out.push_back({"ln", {f}, f, ln_fn});
  out.push_back({"log", {f}, f, log10_fn});
  out.push_back({"log10", {f}, f, log10_fn});
  out.push_back({"exp", {f}, f, exp_fn});
  // Numeric forms after the double ones, so that a bigint argument takes the double form.
  out.push_back({"sqrt", {n}, n, sqrt_num});
  out.push_back({"exp", {n}, n, exp_num});
  out.push_back({"ln", {n}, n, ln_num});
  out.push_back({"log", {n}, n, log10_num});
  out.push_back({"log10", {n}, n, log10_num});
  for (const char* name : {"power", "pow", "^"}) out.push_back({name, {n, n}, n, power_num});
  out.push_back({"|/", {f}, f, sqrt_fn});
  out.push_back({"||/", {f}, f, cbrt_fn});
  out.push_back({"mod", {i, i}, i, mod_int});
  out.push_back({"mod", {f, f}, f, mod_dbl});
  out.push_back({"pi", {}, f, pi_fn});
  out.push_back({"gcd", {i, i}, i, gcd_fn});
  out.push_back({"lcm", {i, i}, i, lcm_fn});
  out.push_back({"width_bucket", {f, f, f, i}, i, width_bucket_fn});
  out.push_back({"degrees", {f}, f, degrees_fn});
  out.push_back({"radians", {f}, f, radians_fn});
  out.push_back({"sin", {f}, f, trig_fn<std::sin>});
  out.push_back({"cos", {f}, f, trig_fn<std::cos>});
  out.push_back({"tan", {f}, f, trig_fn<std::tan>});
  out.push_back({"cot", {f}, f, trig_fn<cot>});
  out.push_back({"asin", {f}, f, trig_fn<std::asin>});
  out.push_back({"acos", {f}, f, trig_fn<std::acos>});
  out.push_back({"atan", {f}, f, trig_fn<std::atan>});
  out.push_back({"atan2", {f, f}, f, atan2_fn});
  out.push_back({"random", {}, f, random_fn, false});
  out.push_back({"gen_random_uuid", {}, dt::text, gen_random_uuid_fn, false});
}

}  // namespace sluice::sql
