// sql/functions_number_format.cc — to_char(number, format) and to_number(text, format): Postgres's
// numeric template patterns (9 0 . D , G S MI PL SG PR L FM V EEEE RN TH), in the C locale (decimal
// point '.', group separator ',', currency symbol ' ').
//
// to_char follows Postgres's NUM_processor step by step: the number is first written with exactly
// as many decimals as the format has digit positions after its point, then the format's digit
// positions are filled left to right, the sign floating to just before the first digit written.
// Matching it rule for rule is what makes the padding equal to Postgres's in every corner case.
#include <fmt/format.h>

#include <cfloat>
#include <cmath>
#include <string>
#include <vector>

#include "sql/error.h"
#include "sql/functions.h"
#include "sql/numeric.h"

namespace sluice::sql {
namespace {

using dt = data_type;

enum class key {
  nine,
  zero,
  dec,
  d,
  comma,
  g,
  s,
  mi,
  pl,
  sg,
  pr,
  l,
  rn,
  rn_lower,
  th,
  th_lower,
  v,
  eeee,
  fm,
  b,
  literal
};

struct token {
  key k = key::literal;
  std::string text;  // a literal's characters
};

// What the format asks for (Postgres's NUMDesc).
struct number_format {
  std::vector<token> tokens;
  int pre = 0, post = 0, multi = 0;
  bool decimal = false, zero = false, fill = false, bracket = false, minus = false, plus = false,
       roman = false, eeee = false, multiply = false;
  enum class lsign { none, pre, post } sign_at = lsign::none;
  int pre_lsign_num = 0, zero_start = 0, zero_end = 0;
};

struct keyword {
  const char* text;
  key k;
};
// Longer keywords first, so "MI" is not read as "M" and "I".
constexpr keyword keywords[] = {
    {"EEEE", key::eeee},   {"eeee", key::eeee},   {"FM", key::fm},  {"fm", key::fm}, {"MI", key::mi},
    {"mi", key::mi},       {"PL", key::pl},       {"pl", key::pl},  {"PR", key::pr}, {"pr", key::pr},
    {"RN", key::rn},       {"rn", key::rn_lower}, {"SG", key::sg},  {"sg", key::sg}, {"TH", key::th},
    {"th", key::th_lower}, {"9", key::nine},      {"0", key::zero}, {".", key::dec}, {",", key::comma},
    {"D", key::d},         {"d", key::d},         {"G", key::g},    {"g", key::g},   {"S", key::s},
    {"s", key::s},         {"L", key::l},         {"l", key::l},    {"V", key::v},   {"v", key::v},
    {"B", key::b},         {"b", key::b},
};

[[noreturn]] void format_error(const std::string& message) { raise("42601", message); }

void add_to_format(number_format& f, key k) {
  switch (k) {
    case key::zero:
      if (f.bracket) format_error("\"0\" must be ahead of \"PR\"");
      if (!f.zero && !f.decimal) {
        f.zero = true;
        f.zero_start = f.pre + 1;
      }
      if (!f.decimal)
        ++f.pre;
      else
        ++f.post;
      f.zero_end = f.pre + f.post;
      return;
    case key::nine:
      if (f.bracket) format_error("\"9\" must be ahead of \"PR\"");
      if (f.multiply)
        ++f.multi;
      else if (f.decimal)
        ++f.post;
      else
        ++f.pre;
      return;
    case key::dec:
    case key::d:
      if (f.decimal) format_error("multiple decimal points");
      if (f.multiply) format_error("cannot use \"V\" and decimal point together");
      f.decimal = true;
      return;
    case key::fm:
      f.fill = true;
      return;
    case key::s:
      if (f.sign_at != number_format::lsign::none) format_error("cannot use \"S\" twice");
      if (f.plus || f.minus || f.bracket)
        format_error("cannot use \"S\" and \"PL\"/\"MI\"/\"SG\"/\"PR\" together");
      if (!f.decimal) {
        f.sign_at = number_format::lsign::pre;
        f.pre_lsign_num = f.pre;
      } else {
        f.sign_at = number_format::lsign::post;
      }
      return;
    case key::mi:
    case key::pl:
    case key::sg:
      if (f.sign_at != number_format::lsign::none) format_error("cannot use \"S\" and \"MI\" together");
      if (k != key::pl) f.minus = true;
      if (k != key::mi) f.plus = true;
      return;
    case key::pr:
      if (f.sign_at != number_format::lsign::none || f.plus || f.minus)
        format_error("cannot use \"PR\" and \"S\"/\"PL\"/\"MI\"/\"SG\" together");
      f.bracket = true;
      return;
    case key::rn:
    case key::rn_lower:
      f.roman = true;
      return;
    case key::v:
      if (f.decimal) format_error("cannot use \"V\" and decimal point together");
      f.multiply = true;
      return;
    case key::eeee:
      if (f.eeee) format_error("cannot use \"EEEE\" twice");
      f.eeee = true;
      return;
    default:
      return;
  }
}

number_format parse_format(const std::string& text) {
  number_format f;
  for (std::size_t i = 0; i < text.size();) {
    if (text[i] == '"') {  // "quoted text" is copied as it is
      std::size_t end = text.find('"', i + 1);
      if (end == std::string::npos) end = text.size();
      f.tokens.push_back({key::literal, text.substr(i + 1, end - i - 1)});
      i = end + 1;
      continue;
    }
    bool matched = false;
    for (const keyword& k : keywords) {
      std::string_view word(k.text);
      if (text.compare(i, word.size(), word) == 0) {
        add_to_format(f, k.k);
        f.tokens.push_back({k.k, {}});
        i += word.size();
        matched = true;
        break;
      }
    }
    if (matched) continue;
    f.tokens.push_back({key::literal, std::string(1, text[i])});
    ++i;
  }
  if (f.eeee &&
      (f.roman || f.multiply || f.bracket || f.plus || f.minus || f.sign_at != number_format::lsign::none))
    format_error("\"EEEE\" is incompatible with other formats");
  return f;
}

std::string roman(std::int64_t n) {
  if (n < 1 || n > 3999) return std::string(15, '#');
  static const char* const thousands[] = {"", "M", "MM", "MMM"};
  static const char* const hundreds[] = {"", "C", "CC", "CCC", "CD", "D", "DC", "DCC", "DCCC", "CM"};
  static const char* const tens[] = {"", "X", "XX", "XXX", "XL", "L", "LX", "LXX", "LXXX", "XC"};
  static const char* const ones[] = {"", "I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX"};
  return std::string(thousands[n / 1000]) + hundreds[n / 100 % 10] + tens[n / 10 % 10] + ones[n % 10];
}

// The ordinal suffix of an integer's text: 1st, 2nd, 3rd, 11th.
const char* ordinal(const std::string& digits, bool upper) {
  std::size_t n = digits.size();
  char last = n ? digits[n - 1] : '0';
  bool teen = n > 1 && digits[n - 2] == '1';
  const char* lower = teen ? "th" : last == '1' ? "st" : last == '2' ? "nd" : last == '3' ? "rd" : "th";
  if (!upper) return lower;
  return teen ? "TH" : last == '1' ? "ST" : last == '2' ? "ND" : last == '3' ? "RD" : "TH";
}

// The number's digits as NUM_processor reads them ("1234.50", or '#'s when the integer part has more
// digits than the format), its sign, and how many digit positions come before its first digit.
struct prepared {
  std::string digits;
  char sign = '+';
  int pre_spaces = 0;
};

prepared prepare(std::string text, number_format& f) {
  prepared p;
  if (!text.empty() && text[0] == '-') {
    p.sign = '-';
    text.erase(0, 1);
  }
  std::size_t point = text.find('.');
  int pre_len = static_cast<int>(point == std::string::npos ? text.size() : point);
  if (pre_len < f.pre) {
    p.pre_spaces = f.pre - pre_len;
  } else if (pre_len > f.pre) {
    text = std::string(static_cast<std::size_t>(f.pre + f.post + 1), '#');
    text[static_cast<std::size_t>(f.pre)] = '.';
  }
  p.digits = std::move(text);
  return p;
}

// NUM_processor's state while it writes.
struct writer {
  writer(const number_format& format, const prepared& p)
      : f(format), number(p.digits), sign(p.sign), pre_spaces(p.pre_spaces) {}

  const number_format& f;
  const std::string& number;  // the digits, as prepared
  std::size_t at = 0;         // the next digit to write
  char sign;
  bool sign_wrote = false;
  int num_curr = 0, num_count = 0, pre_spaces;
  std::ptrdiff_t last_relevant = -1;  // with FM: the last digit worth writing (-1: all)
  bool num_in = false;
  std::string out;

  bool predec_space() const {
    return !f.zero && at == 0 && !number.empty() && number[0] == '0' && f.post != 0;
  }
  bool last_is_point() const {
    return last_relevant >= 0 && number[static_cast<std::size_t>(last_relevant)] == '.';
  }

  void write_sign_if_due() {
    if (sign_wrote) return;
    bool due = num_curr >= pre_spaces || (f.zero && f.zero_start == num_curr);
    if (!due || (predec_space() && !last_is_point())) return;
    if (f.sign_at != number_format::lsign::none) {
      if (f.sign_at == number_format::lsign::post) return;  // written after the last digit
      out += sign == '-' ? '-' : '+';
    } else if (f.bracket) {
      out += sign == '+' ? ' ' : '<';
    } else if (sign == '+') {
      if (!f.fill) out += ' ';
    } else if (sign == '-') {
      out += '-';
    } else {
      return;
    }
    sign_wrote = true;
  }

  void digit(key k) {
    num_in = false;
    write_sign_if_due();
    if (num_curr < pre_spaces && (f.zero_start > num_curr || !f.zero)) {
      if (!f.fill) out += ' ';
    } else if (f.zero && num_curr < pre_spaces && f.zero_start <= num_curr) {
      out += '0';
      num_in = true;
    } else {
      char c = at < number.size() ? number[at] : '\0';
      if (c == '.') {
        if (!last_is_point() || f.fill) out += '.';
      } else if (last_relevant >= 0 && static_cast<std::ptrdiff_t>(at) > last_relevant && k != key::zero) {
        // a trailing zero that FM leaves out
      } else if (predec_space()) {
        if (!f.fill)
          out += ' ';
        else if (last_is_point())
          out += '0';
      } else {
        out += c;
        num_in = true;
      }
      if (at < number.size()) ++at;
    }
    int end = num_count + (pre_spaces ? 1 : 0) + (f.decimal ? 1 : 0);
    if (last_relevant >= 0 && static_cast<std::ptrdiff_t>(at) == last_relevant) end = num_curr;
    if (num_curr + 1 == end) {
      if (sign_wrote && f.bracket)
        out += sign == '+' ? ' ' : '>';
      else if (f.sign_at == number_format::lsign::post)
        out += sign == '-' ? '-' : '+';
    }
    ++num_curr;
  }
};

std::string format_number(number_format f, const prepared& p, const std::string& roman_text) {
  if (f.zero_start > 0) --f.zero_start;  // counted from 1 while parsing, from 0 while writing
  writer w(f, p);
  if (f.plus || f.minus) {
    w.sign_wrote = !(f.plus && !f.minus);
  } else {
    if (p.sign == '+' && f.fill && f.sign_at == number_format::lsign::none) w.sign_wrote = true;
    if (f.sign_at == number_format::lsign::pre && f.pre == f.pre_lsign_num)
      f.sign_at = number_format::lsign::post;
  }
  w.num_count = f.post + f.pre - 1;
  if (f.fill && f.decimal) {
    std::size_t point = p.digits.find('.');
    if (point != std::string::npos) {
      w.last_relevant = static_cast<std::ptrdiff_t>(point);
      for (std::size_t i = point + 1; i < p.digits.size(); ++i) {
        if (p.digits[i] != '0') w.last_relevant = static_cast<std::ptrdiff_t>(i);
      }
      // Digits that a '0' asks for stay, even when they are trailing zeros.
      std::ptrdiff_t last_zero = f.zero_end - p.pre_spaces;
      if (f.zero_end > p.pre_spaces && w.last_relevant < last_zero) w.last_relevant = last_zero;
    }
  }
  if (!w.sign_wrote && w.pre_spaces == 0) ++w.num_count;
  for (const token& t : f.tokens) {
    switch (t.k) {
      case key::nine:
      case key::zero:
      case key::dec:
      case key::d:
        if (!f.roman) w.digit(t.k);
        break;
      case key::comma:
      case key::g:
        if (w.num_in)
          w.out += ',';
        else if (!f.fill)
          w.out += ' ';
        break;
      case key::l:
        w.out += ' ';  // the C locale's currency symbol
        break;
      case key::rn:
      case key::rn_lower: {
        std::string r = roman_text;
        if (t.k == key::rn_lower) {
          for (char& c : r) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        }
        w.out += f.fill ? r : fmt::format("{:>15}", r);
        break;
      }
      case key::th:
      case key::th_lower:
        if (f.roman || p.digits.empty() || p.digits[0] == '#' || p.sign == '-' || f.decimal) break;
        w.out += ordinal(p.digits, t.k == key::th);
        break;
      case key::mi:
        if (p.sign == '-')
          w.out += '-';
        else if (!f.fill)
          w.out += ' ';
        break;
      case key::pl:
        if (p.sign == '+')
          w.out += '+';
        else if (!f.fill)
          w.out += ' ';
        break;
      case key::sg:
        w.out += p.sign;
        break;
      case key::literal:
        w.out += t.text;
        break;
      default:
        break;
    }
  }
  return w.out;
}

// n's digits in scientific notation with `post` decimals, as Postgres's numeric_out_sci: 1.23e+03.
std::string scientific(numeric n, int post) {
  std::string text = numeric_text(numeric_abs(n));
  std::size_t point = text.find('.');
  std::size_t first = text.find_first_not_of("0.");
  int exponent = 0;
  if (first != std::string::npos) {
    std::size_t int_len = point == std::string::npos ? text.size() : point;
    exponent = first < int_len ? static_cast<int>(int_len - first) - 1 : -static_cast<int>(first - int_len);
  }
  numeric scale = numeric_from_text(fmt::format("1e{}", exponent));
  numeric significand = numeric_round(numeric_div(numeric_abs(n), scale), post);
  return fmt::format("{}{}e{}{:02}", numeric_sign(n) < 0 ? "-" : " ", numeric_text(significand),
                     exponent < 0 ? '-' : '+', std::abs(exponent));
}

value to_char_numeric(const value* a, std::size_t) {
  number_format f = parse_format(a[1].as_text());
  bool is_double = a[0].type() == dt::double_precision;
  if (is_double && !std::isfinite(a[0].as_double())) {
    return value::text(
        format_number(f, prepare(std::string(static_cast<std::size_t>(f.pre) + 1, '9'), f), {}));
  }
  if (f.eeee && is_double) {  // Postgres's float8_to_char: printf's %+.*e, a space for the +
    std::string out = fmt::format("{:+.{}e}", a[0].as_double(), f.post);
    if (out[0] == '+') out[0] = ' ';
    return value::text(out);
  }
  if (f.roman) {
    double whole = is_double ? std::nearbyint(a[0].as_double()) : 0;
    std::int64_t i = !is_double               ? numeric_to_bigint(numeric_round(a[0].to_numeric(), 0))
                     : std::fabs(whole) < 1e6 ? static_cast<std::int64_t>(whole)
                                              : 0;
    return value::text(format_number(f, prepare("0", f), roman(i)));
  }
  numeric n = is_double ? numeric() : a[0].to_numeric();
  if (f.eeee) return value::text(scientific(n, f.post));
  if (f.multiply) f.pre += f.multi;
  std::string digits;
  if (is_double) {
    // Postgres's float8_to_char: no more than DBL_DIG significant digits.
    double d = a[0].as_double() * std::pow(10.0, f.multi);
    int pre_len = static_cast<int>(fmt::format("{:.0f}", std::fabs(d)).size());
    if (pre_len >= DBL_DIG)
      f.post = 0;
    else if (pre_len + f.post > DBL_DIG)
      f.post = DBL_DIG - pre_len;
    digits = fmt::format("{:.{}f}", d, f.post);
  } else {
    if (f.multiply) n = numeric_mul(n, numeric_from_text(fmt::format("1e{}", f.multi)));
    digits = numeric_text(numeric_round(n, f.post));
  }
  return value::text(format_number(f, prepare(digits, f), {}));
}

// to_number: the digits, sign and decimal point the format's positions find in the text; group
// separators, currency and other characters are skipped.
value to_number_fn(const value* a, std::size_t) {
  number_format f = parse_format(a[1].as_text());
  const std::string& text = a[0].as_text();
  std::string digits;
  bool negative = false, in_fraction = false;
  int fraction_digits = 0;
  std::size_t i = 0;
  auto skip_blanks = [&] {
    while (i < text.size() && text[i] == ' ') ++i;
  };
  auto take_sign = [&] {
    skip_blanks();
    if (i < text.size() && (text[i] == '-' || text[i] == '+' || text[i] == '<')) negative = text[i++] != '+';
  };
  take_sign();
  for (const token& t : f.tokens) {
    if (i >= text.size()) break;
    switch (t.k) {
      case key::nine:
      case key::zero:
        if (digits.empty() && !in_fraction) take_sign();
        if (i < text.size() && std::isdigit(static_cast<unsigned char>(text[i]))) {
          digits += text[i++];
          if (in_fraction) ++fraction_digits;
        } else if (i < text.size() && text[i] == ' ') {
          ++i;
        }
        break;
      case key::dec:
      case key::d:
        if (text[i] == '.') {
          ++i;
          in_fraction = true;
        }
        break;
      case key::comma:
      case key::g:
        if (text[i] == ',') ++i;
        break;
      case key::s:
      case key::mi:
      case key::pl:
      case key::sg:
      case key::pr:
        take_sign();
        if (t.k == key::pr && i < text.size() && text[i] == '>') ++i;
        break;
      case key::l:
        while (i < text.size() && !std::isdigit(static_cast<unsigned char>(text[i])) && text[i] != '-' &&
               text[i] != '.')
          ++i;
        break;
      case key::literal:
        i += std::min(t.text.size(), text.size() - i);
        break;
      default:
        break;
    }
  }
  if (i < text.size() && (text[i] == '-' || text[i] == '>')) negative = true;
  if (digits.empty())
    raise(sqlstate::invalid_text_representation, "invalid input syntax for type numeric: \" \"");
  std::string number = digits.substr(0, digits.size() - static_cast<std::size_t>(fraction_digits));
  if (number.empty()) number = "0";
  if (fraction_digits > 0)
    number += "." + digits.substr(digits.size() - static_cast<std::size_t>(fraction_digits));
  numeric n = numeric_from_text(number);
  return value::numeric_of(negative ? numeric_neg(n) : n);
}

}  // namespace

void add_number_format_functions(std::vector<function_overload>& out) {
  for (dt type : {dt::bigint, dt::numeric, dt::double_precision})
    out.push_back({"to_char", {type, dt::text}, dt::text, to_char_numeric});
  out.push_back({"to_number", {dt::text, dt::text}, dt::numeric, to_number_fn});
}

}  // namespace sluice::sql
