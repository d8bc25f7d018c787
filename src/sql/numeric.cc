#include "sql/numeric.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <boost/multiprecision/cpp_int.hpp>
#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <functional>

#include "sql/error.h"

namespace sluice::sql {
namespace {

// Exact intermediates: a product or an aligned sum may need more than 128 bits before it is
// rounded back into 38 digits.
using wide = boost::multiprecision::cpp_int;

[[noreturn]] void fail(const char* code, const std::string& message) { throw eval_error(code, message); }
[[noreturn]] void overflow() { fail(sqlstate::numeric_value_out_of_range, "value overflows numeric format"); }

constexpr int128 pow10_128(int n) {
  int128 p = 1;
  for (int i = 0; i < n; ++i) p *= 10;
  return p;
}
constexpr int128 max_coefficient = pow10_128(numeric_max_digits);  // exclusive

int128 pow10(int n) {
  static const auto table = [] {
    std::array<int128, numeric_max_digits + 1> t{};
    for (int i = 0; i <= numeric_max_digits; ++i) t[static_cast<std::size_t>(i)] = pow10_128(i);
    return t;
  }();
  return table[static_cast<std::size_t>(n)];
}

wide wide_pow10(int n) {
  wide p = 1;
  for (int i = 0; i < n; ++i) p *= 10;
  return p;
}

wide to_wide(int128 c) {
  bool negative = c < 0;
  auto magnitude = static_cast<uint128>(negative ? -(c + 1) : c) + (negative ? 1 : 0);
  wide w = static_cast<std::uint64_t>(magnitude >> 64);
  w <<= 64;
  w += static_cast<std::uint64_t>(magnitude);
  return negative ? wide(-w) : w;
}

// REQUIRES: |w| < 2^127.
int128 to_int128(const wide& w) {
  wide magnitude = abs(w);
  auto high = static_cast<std::uint64_t>(magnitude >> 64);
  auto low = static_cast<std::uint64_t>(magnitude & wide(~std::uint64_t{0}));
  auto m = static_cast<int128>((static_cast<uint128>(high) << 64) | low);
  return w < 0 ? -m : m;
}

int digits_of(int128 c) {
  if (c < 0) c = -c;
  int d = 1;
  while (d < numeric_max_digits && c >= pow10(d)) ++d;
  return d;
}

std::size_t digits_of(const wide& w) { return w == 0 ? 1 : wide(abs(w)).str().size(); }

// c / d rounded half away from zero.
wide round_div(const wide& c, const wide& d) {
  wide q = c / d, r = c % d;
  if (2 * abs(r) >= abs(d)) q += (c < 0) != (d < 0) ? -1 : 1;
  return q;
}
int128 round_div(int128 c, int128 d) {
  int128 q = c / d, r = c % d;
  if (r < 0) r = -r;
  if (r >= d - r) q += c < 0 ? -1 : 1;
  return q;
}

// An exact c × 10^-scale as a numeric: digits after the point go (rounded) until it fits; 22003
// when the integer part alone is too long.
numeric fit(wide c, int scale) {
  if (scale > numeric_max_scale) {
    c = round_div(c, wide_pow10(scale - numeric_max_scale));
    scale = numeric_max_scale;
  }
  while (abs(c) >= to_wide(max_coefficient)) {
    int extra = static_cast<int>(digits_of(c)) - numeric_max_digits;
    if (extra > scale) overflow();
    c = round_div(c, wide_pow10(extra));
    scale -= extra;
  }
  return {to_int128(c), scale};
}

// The coefficient at a larger scale, if it still fits in 128 bits.
bool rescale(int128 c, int by, int128* out) { return !__builtin_mul_overflow(c, pow10(by), out); }

// Postgres's select_div_scale: the quotient gets at least 16 significant digits, and no fewer
// digits after the point than either operand. Weights and first digits are in base 10000, as
// Postgres stores numerics, so that the scales come out the same.
int division_scale(numeric a, numeric b) {
  auto weight_and_first = [](numeric n, int* weight, int128* first) {
    *weight = 0;
    *first = 0;
    if (n.coefficient == 0) return;
    int128 c = n.coefficient < 0 ? -n.coefficient : n.coefficient;
    int digits = digits_of(c);
    int leading = digits - 1 - n.scale;  // the power of ten of the leading digit
    int w = leading >= 0 ? leading / 4 : -((-leading + 3) / 4);
    int drop = n.scale + 4 * w;  // c / 10^drop is the first base-10000 digit
    *weight = w;
    *first = drop >= 0 ? c / pow10(drop) : c * pow10(-drop);
  };
  int w1, w2;
  int128 f1, f2;
  weight_and_first(a, &w1, &f1);
  weight_and_first(b, &w2, &f2);
  int qweight = w1 - w2;
  if (f1 <= f2) --qweight;
  int scale = 16 - qweight * 4;
  scale = std::max({scale, a.scale, b.scale, 0});
  return std::min(scale, 1000);
}

}  // namespace

numeric numeric_from_text(std::string_view text) {
  std::string_view t = text;
  while (!t.empty() && std::isspace(static_cast<unsigned char>(t.front()))) t.remove_prefix(1);
  while (!t.empty() && std::isspace(static_cast<unsigned char>(t.back()))) t.remove_suffix(1);
  auto invalid = [&]() -> numeric {
    fail(sqlstate::invalid_text_representation,
         fmt::format("invalid input syntax for type numeric: \"{}\"", text));
  };
  std::size_t i = 0;
  bool negative = false;
  if (i < t.size() && (t[i] == '+' || t[i] == '-')) negative = t[i++] == '-';
  std::string digits;
  int fraction = 0;
  bool point = false, any = false;
  for (; i < t.size(); ++i) {
    char ch = t[i];
    if (ch == '.' && !point) {
      point = true;
    } else if (std::isdigit(static_cast<unsigned char>(ch))) {
      any = true;
      if (!(digits.empty() && ch == '0')) digits += ch;
      if (point) ++fraction;
    } else if (ch == '_' && i > 0 && i + 1 < t.size() && std::isdigit(static_cast<unsigned char>(t[i - 1])) &&
               std::isdigit(static_cast<unsigned char>(t[i + 1]))) {
      continue;  // Postgres 15 allows 1_000_000
    } else {
      break;
    }
  }
  if (!any) {
    std::string lower;
    for (char ch : t.substr(negative || t.starts_with('+') ? 1 : 0)) {
      lower += static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    }
    if (lower == "nan" || lower == "infinity" || lower == "inf") {
      fail(sqlstate::feature_not_supported, "numeric NaN and infinity are not supported");
    }
    return invalid();
  }
  std::int64_t exponent = 0;
  if (i < t.size() && (t[i] == 'e' || t[i] == 'E')) {
    ++i;
    const char* begin = t.data() + i;
    if (i < t.size() && t[i] == '+') ++begin;
    auto [end, ec] = std::from_chars(begin, t.data() + t.size(), exponent);
    if (ec != std::errc() || end == begin) return invalid();
    if (exponent > 1000 || exponent < -1000) overflow();
    i = static_cast<std::size_t>(end - t.data());
  }
  if (i != t.size()) return invalid();
  // value = digits × 10^(exponent − fraction)
  std::int64_t scale = fraction - exponent;
  wide c = digits.empty() ? wide(0) : wide(digits);
  if (scale < 0) {
    if (digits.size() + static_cast<std::size_t>(-scale) > numeric_max_digits && c != 0) overflow();
    c *= wide_pow10(static_cast<int>(-scale));
    scale = 0;
  }
  if (negative) c = -c;
  if (c == 0 && scale > numeric_max_scale) return {0, numeric_max_scale};
  return fit(std::move(c), static_cast<int>(scale));
}

std::size_t numeric_digits(int128 coefficient, char* out) {
  auto magnitude =
      coefficient < 0 ? static_cast<uint128>(-(coefficient + 1)) + 1 : static_cast<uint128>(coefficient);
  char reversed[40];
  std::size_t n = 0;
  while (magnitude > UINT64_MAX) {  // 128-bit division only for the digits past 64 bits
    reversed[n++] = static_cast<char>('0' + static_cast<int>(magnitude % 10));
    magnitude /= 10;
  }
  auto low = static_cast<std::uint64_t>(magnitude);
  do {
    reversed[n++] = static_cast<char>('0' + low % 10);
    low /= 10;
  } while (low != 0);
  for (std::size_t i = 0; i < n; ++i) out[i] = reversed[n - 1 - i];
  return n;
}

std::string numeric_text(numeric n) {
  char digits[40];
  auto count = static_cast<int>(numeric_digits(n.coefficient, digits));
  int whole = count - n.scale;  // digits before the point; none (a leading "0") when ≤ 0
  std::string out;
  out.reserve(static_cast<std::size_t>(std::max(count, n.scale + 1) + 2));
  if (n.coefficient < 0) out += '-';
  if (whole > 0) {
    out.append(digits, static_cast<std::size_t>(whole));
  } else {
    out += '0';
  }
  if (n.scale > 0) {
    out += '.';
    if (whole < 0) out.append(static_cast<std::size_t>(-whole), '0');
    int from = std::max(whole, 0);
    out.append(digits + from, static_cast<std::size_t>(count - from));
  }
  return out;
}

numeric numeric_from_bigint(std::int64_t i) { return {i, 0}; }

numeric numeric_from_double(double d) {
  if (!std::isfinite(d)) fail(sqlstate::feature_not_supported, "numeric NaN and infinity are not supported");
  return numeric_from_text(fmt::format("{:.15g}", d));
}

long double numeric_to_long_double(numeric n) { return std::strtold(numeric_text(n).c_str(), nullptr); }

numeric numeric_from_long_double(long double x, int scale) {
  if (!std::isfinite(x)) overflow();
  char text[512];
  std::snprintf(text, sizeof text, "%.*Lf", std::clamp(scale, 0, numeric_max_scale), x);
  return numeric_from_text(text);
}

double numeric_to_double(numeric n) {
  constexpr int128 exact = int128{1} << 53;
  if (n.coefficient > -exact && n.coefficient < exact && n.scale <= 22) {
    // Both operands are exact doubles, so the one division rounds correctly.
    return static_cast<double>(n.coefficient) / static_cast<double>(pow10(n.scale));
  }
  return std::strtod(numeric_text(n).c_str(), nullptr);
}

std::int64_t numeric_to_bigint(numeric n) {
  int128 whole = n.scale == 0 ? n.coefficient : round_div(n.coefficient, pow10(n.scale));
  if (whole > INT64_MAX || whole < INT64_MIN)
    fail(sqlstate::numeric_value_out_of_range, "bigint out of range");
  return static_cast<std::int64_t>(whole);
}

int numeric_compare(numeric a, numeric b) {
  int128 x = a.coefficient, y = b.coefficient;
  bool aligned = a.scale < b.scale ? rescale(x, b.scale - a.scale, &x) : rescale(y, a.scale - b.scale, &y);
  if (!aligned) {
    // One side is too large to align in 128 bits: it is the larger in magnitude.
    wide wx = to_wide(a.coefficient) * wide_pow10(std::max(0, b.scale - a.scale));
    wide wy = to_wide(b.coefficient) * wide_pow10(std::max(0, a.scale - b.scale));
    return wx < wy ? -1 : (wy < wx ? 1 : 0);
  }
  return x < y ? -1 : (y < x ? 1 : 0);
}

bool numeric_as_bigint_exactly(numeric n, std::int64_t* out) {
  if (n.coefficient % pow10(n.scale) != 0) return false;
  int128 whole = n.coefficient / pow10(n.scale);
  if (whole > INT64_MAX || whole < INT64_MIN) return false;
  *out = static_cast<std::int64_t>(whole);
  return true;
}

std::size_t numeric_hash(numeric n) {
  std::int64_t whole;
  if (numeric_as_bigint_exactly(n, &whole)) return std::hash<std::int64_t>{}(whole);
  // Equal numerics have equal doubles, and a double equal to n hashes this way too.
  return std::hash<double>{}(numeric_to_double(n));
}

numeric numeric_add(numeric a, numeric b) {
  int scale = std::max(a.scale, b.scale);
  int128 x, y, sum;
  if (rescale(a.coefficient, scale - a.scale, &x) && rescale(b.coefficient, scale - b.scale, &y) &&
      !__builtin_add_overflow(x, y, &sum) && sum < max_coefficient && sum > -max_coefficient) {
    return {sum, scale};
  }
  return fit(to_wide(a.coefficient) * wide_pow10(scale - a.scale) +
                 to_wide(b.coefficient) * wide_pow10(scale - b.scale),
             scale);
}

numeric numeric_neg(numeric n) { return {-n.coefficient, n.scale}; }
numeric numeric_abs(numeric n) { return {n.coefficient < 0 ? -n.coefficient : n.coefficient, n.scale}; }
int numeric_sign(numeric n) { return n.coefficient < 0 ? -1 : (n.coefficient > 0 ? 1 : 0); }

numeric numeric_sub(numeric a, numeric b) { return numeric_add(a, numeric_neg(b)); }

numeric numeric_mul(numeric a, numeric b) {
  int scale = a.scale + b.scale;
  int128 product;
  if (!__builtin_mul_overflow(a.coefficient, b.coefficient, &product) && product < max_coefficient &&
      product > -max_coefficient && scale <= numeric_max_scale) {
    return {product, scale};
  }
  return fit(to_wide(a.coefficient) * to_wide(b.coefficient), scale);
}

numeric numeric_div(numeric a, numeric b) {
  if (b.coefficient == 0) fail(sqlstate::division_by_zero, "division by zero");
  int scale = division_scale(a, b);
  // a / b = (ca / 10^sa) / (cb / 10^sb); at `scale` that is ca × 10^(scale − sa + sb) / cb.
  int shift = scale - a.scale + b.scale;
  wide numerator = to_wide(a.coefficient), denominator = to_wide(b.coefficient);
  if (shift >= 0) {
    numerator *= wide_pow10(shift);
  } else {
    denominator *= wide_pow10(-shift);
  }
  return fit(round_div(numerator, denominator), scale);
}

numeric numeric_mod(numeric a, numeric b) {
  if (b.coefficient == 0) fail(sqlstate::division_by_zero, "division by zero");
  int scale = std::max(a.scale, b.scale);
  wide x = to_wide(a.coefficient) * wide_pow10(scale - a.scale);
  wide y = to_wide(b.coefficient) * wide_pow10(scale - b.scale);
  return fit(x % y, scale);  // truncating division: the remainder has the sign of a
}

numeric numeric_div_trunc(numeric a, numeric b) {
  if (b.coefficient == 0) fail(sqlstate::division_by_zero, "division by zero");
  int scale = std::max(a.scale, b.scale);
  wide x = to_wide(a.coefficient) * wide_pow10(scale - a.scale);
  wide y = to_wide(b.coefficient) * wide_pow10(scale - b.scale);
  return fit(x / y, 0);
}

numeric numeric_factorial(std::int64_t n) {
  if (n < 0) fail(sqlstate::numeric_value_out_of_range, "factorial of a negative number is undefined");
  wide out = 1;
  for (std::int64_t i = 2; i <= n; ++i) {
    out *= i;
    if (out >= to_wide(max_coefficient))
      fail(sqlstate::numeric_value_out_of_range, "value overflows numeric format");
  }
  return fit(std::move(out), 0);
}

namespace {

// n at `s` digits after the point, each discarded digit rounded (or truncated) away.
numeric to_scale(numeric n, std::int64_t s, bool round) {
  int target = static_cast<int>(std::clamp<std::int64_t>(s, -numeric_max_digits - 1, numeric_max_scale));
  int result_scale = std::max(target, 0);
  if (target >= n.scale) return fit(to_wide(n.coefficient) * wide_pow10(target - n.scale), target);
  int drop = n.scale - target;
  wide c = to_wide(n.coefficient);
  wide unit = wide_pow10(drop);
  c = round ? round_div(c, unit) : wide(c / unit);
  // A negative target leaves zeros before the point: round(1250, -2) is 1300.
  if (target < 0) c *= wide_pow10(-target);
  return fit(std::move(c), result_scale);
}

}  // namespace

numeric numeric_round(numeric n, std::int64_t s) { return to_scale(n, s, true); }
numeric numeric_trunc(numeric n, std::int64_t s) { return to_scale(n, s, false); }

numeric numeric_floor(numeric n) {
  numeric t = numeric_trunc(n, 0);
  if (n.coefficient < 0 && numeric_compare(t, n) != 0) t.coefficient -= 1;
  return t;
}

numeric numeric_ceil(numeric n) {
  numeric t = numeric_trunc(n, 0);
  if (n.coefficient > 0 && numeric_compare(t, n) != 0) t.coefficient += 1;
  return t;
}

numeric numeric_with_typmod(numeric n, int precision, int scale) {
  numeric rounded = numeric_round(n, scale);
  int integer_digits = rounded.coefficient == 0 ? 0 : digits_of(rounded.coefficient) - rounded.scale;
  if (integer_digits > precision - scale) {
    throw eval_error(
        sqlstate::numeric_value_out_of_range, "numeric field overflow",
        fmt::format("A field with precision {}, scale {} must round to an absolute value less than {}.",
                    precision, scale, precision - scale > 0 ? fmt::format("10^{}", precision - scale) : "1"));
  }
  return rounded;
}

numeric numeric_with_typmod(numeric n, std::int32_t typmod) {
  return numeric_with_typmod(n, numeric_typmod_precision(typmod), numeric_typmod_scale(typmod));
}

}  // namespace sluice::sql
