// sql/functions_parse_time.cc — to_date(text, format) and to_timestamp(text, format): the inverse of
// to_char for the common template patterns (YYYY YYY YY Y MM DD DDD HH HH12 HH24 MI SS MS US AM PM
// A.M. P.M. Mon MON mon Month MONTH month Dy Day, FM, "quoted text"). As in Postgres outside FX mode,
// blanks at the start and around values are skipped and a separator in the template matches any one
// separator in the input; a number reads up to its pattern's width, or every digit there is when a
// separator (or the end) follows it in the template.
#include <fmt/format.h>

#include <array>
#include <cctype>
#include <optional>
#include <string_view>

#include "sql/civil_time.h"
#include "sql/error.h"
#include "sql/functions.h"

namespace sluice::sql {
namespace {

using dt = data_type;

constexpr std::array<const char*, 12> months = {"january",   "february", "march",    "april",
                                                "may",       "june",     "july",     "august",
                                                "september", "october",  "november", "december"};
constexpr std::array<const char*, 7> weekdays = {"sunday",   "monday", "tuesday", "wednesday",
                                                 "thursday", "friday", "saturday"};

enum class field : std::uint8_t {
  year,
  month,
  day,
  day_of_year,
  hour12,
  hour24,
  minute,
  second,
  milli,
  micro
};

struct numeric_pattern {
  const char* text;
  field target;
  int width;
};
// Longest first, so HH24 is not read as HH.
constexpr numeric_pattern numeric_patterns[] = {
    {"YYYY", field::year, 4}, {"HH24", field::hour24, 2},     {"HH12", field::hour12, 2},
    {"YYY", field::year, 3},  {"DDD", field::day_of_year, 3}, {"YY", field::year, 2},
    {"MM", field::month, 2},  {"DD", field::day, 2},          {"HH", field::hour12, 2},
    {"MI", field::minute, 2}, {"SS", field::second, 2},       {"MS", field::milli, 3},
    {"US", field::micro, 6},  {"Y", field::year, 1},
};

struct parsed {
  std::optional<std::int64_t> year;  // none: year 0 (1 BC), as Postgres leaves it
  std::int64_t month = 1, day = 1, day_of_year = 0;
  std::int64_t hour = 0, minute = 0, second = 0, micros = 0;
  int year_digits = 4;
  bool twelve_hour = false;
  std::optional<bool> pm;
};

bool is_separator(char c) { return !std::isalnum(static_cast<unsigned char>(c)) && c != '"'; }

bool starts_with_ci(std::string_view s, std::string_view prefix) {
  if (s.size() < prefix.size()) return false;
  for (std::size_t i = 0; i < prefix.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(s[i])) != std::tolower(static_cast<unsigned char>(prefix[i])))
      return false;
  }
  return true;
}

class reader {
 public:
  reader(std::string_view input, std::string_view format) : in_(input), format_(format) {}

  parsed run() {
    skip_blanks();
    while (f_ < format_.size()) step();
    return out_;
  }

 private:
  void skip_blanks() {
    while (i_ < in_.size() && in_[i_] == ' ') ++i_;
  }

  // True when what follows pattern text ending at `end` in the template is a separator or the end.
  bool separator_follows(std::size_t end) const {
    std::size_t j = end;
    if (format_.substr(j).starts_with("FM")) j += 2;
    return j >= format_.size() || is_separator(format_[j]);
  }

  void step() {
    std::string_view rest = format_.substr(f_);
    if (rest.starts_with("FM") || rest.starts_with("fm")) {
      f_ += 2;
      return;
    }
    if (rest[0] == '"') {  // quoted text: skip as many input characters
      std::size_t close = rest.find('"', 1);
      std::size_t length = (close == std::string_view::npos ? rest.size() : close) - 1;
      i_ = std::min(in_.size(), i_ + length);
      f_ += length + 2;
      return;
    }
    for (const numeric_pattern& p : numeric_patterns) {
      if (rest.starts_with(p.text)) return number(p);
    }
    if (meridiem(rest) || name(rest)) return;
    // Any other template character: a separator matches one separator (or blank) in the input; a
    // letter skips one input character.
    if (is_separator(rest[0])) {
      if (rest[0] == ' ') {
        skip_blanks();
      } else if (i_ < in_.size() && is_separator(in_[i_])) {
        ++i_;
      }
    } else if (i_ < in_.size()) {
      ++i_;
    }
    ++f_;
  }

  [[noreturn]] void invalid(std::string_view pattern, std::size_t width) const {
    std::string shown(in_.substr(i_, width));
    raise(sqlstate::invalid_datetime_format, fmt::format("invalid value \"{}\" for \"{}\"", shown, pattern));
  }

  void number(const numeric_pattern& p) {
    std::size_t length = std::string_view(p.text).size();
    bool greedy = separator_follows(f_ + length);
    f_ += length;
    skip_blanks();
    std::size_t start = i_;
    bool negative =
        i_ < in_.size() && (in_[i_] == '-' || in_[i_] == '+') && greedy && p.target == field::year;
    if (negative) ++i_;
    std::size_t limit = greedy ? 18 : static_cast<std::size_t>(p.width);
    std::int64_t v = 0;
    std::size_t digits = 0;
    while (i_ < in_.size() && digits < limit && std::isdigit(static_cast<unsigned char>(in_[i_]))) {
      v = v * 10 + (in_[i_++] - '0');
      ++digits;
    }
    if (digits == 0) {
      i_ = start;
      invalid(p.text, static_cast<std::size_t>(p.width));
    }
    if (negative && in_[start] == '-') v = -v;
    store(p.target, v, static_cast<int>(digits), p.width);
  }

  void store(field target, std::int64_t v, int digits, int width) {
    switch (target) {
      case field::year:
        out_.year = v;
        out_.year_digits = width < 4 && digits <= width ? width : 4;
        break;
      case field::month:
        out_.month = v;
        break;
      case field::day:
        out_.day = v;
        break;
      case field::day_of_year:
        out_.day_of_year = v;
        break;
      case field::hour12:
        out_.twelve_hour = true;
        out_.hour = v;
        break;
      case field::hour24:
        out_.hour = v;
        break;
      case field::minute:
        out_.minute = v;
        break;
      case field::second:
        out_.second = v;
        break;
      case field::milli:  // the digits are a fraction of a second: "5" is 500 ms
        for (int k = digits; k < 3; ++k) v *= 10;
        out_.micros = v * 1000;
        break;
      case field::micro:
        for (int k = digits; k < 6; ++k) v *= 10;
        out_.micros = v;
        break;
    }
  }

  bool meridiem(std::string_view rest) {
    for (std::string_view p : {"A.M.", "P.M.", "a.m.", "p.m.", "AM", "PM", "am", "pm"}) {
      if (!rest.starts_with(p)) continue;
      f_ += p.size();
      skip_blanks();
      std::string_view left = in_.substr(i_);
      for (std::string_view v : {"a.m.", "p.m.", "am", "pm"}) {
        if (v.size() != p.size() || !starts_with_ci(left, v)) continue;
        out_.pm = v[0] == 'p';
        i_ += v.size();
        return true;
      }
      invalid(p, p.size());
    }
    return false;
  }

  // Month or day names: "Month"/"Mon" set the month; "Day"/"Dy" are read and ignored.
  bool name(std::string_view rest) {
    struct kind {
      const char* pattern;
      bool month;
      bool full;
    };
    static constexpr kind kinds[] = {{"MONTH", true, true}, {"Month", true, true}, {"month", true, true},
                                     {"MON", true, false},  {"Mon", true, false},  {"mon", true, false},
                                     {"DAY", false, true},  {"Day", false, true},  {"day", false, true},
                                     {"DY", false, false},  {"Dy", false, false},  {"dy", false, false}};
    for (const kind& k : kinds) {
      if (!rest.starts_with(k.pattern)) continue;
      f_ += std::string_view(k.pattern).size();
      skip_blanks();
      std::string_view left = in_.substr(i_);
      const char* const* names = k.month ? months.data() : weekdays.data();
      std::size_t count = k.month ? months.size() : weekdays.size();
      for (std::size_t n = 0; n < count; ++n) {
        std::string_view word = k.full ? std::string_view(names[n]) : std::string_view(names[n], 3);
        if (!starts_with_ci(left, word)) continue;
        i_ += word.size();
        if (k.month) out_.month = static_cast<std::int64_t>(n) + 1;
        return true;
      }
      std::size_t width = 0;
      while (i_ + width < in_.size() && std::isalpha(static_cast<unsigned char>(in_[i_ + width]))) ++width;
      invalid(k.pattern, width);
    }
    return false;
  }

  std::string_view in_, format_;
  std::size_t i_ = 0, f_ = 0;
  parsed out_;
};

// Two- and three-digit years near 2020, as Postgres's adjust_partial_year_to_2020.
std::int64_t full_year(std::int64_t year, int digits) {
  if (digits == 1) return year + 2000;
  if (digits == 2) return year + (year < 70 ? 2000 : 1900);
  if (digits == 3) return year + (year < 520 ? 2000 : 1000);
  return year;
}

// Microseconds since 1970 of the parsed fields, checked as Postgres checks them.
std::int64_t micros_of(parsed p, const std::string& input) {
  if (p.twelve_hour) {
    if (p.hour < 1 || p.hour > 12) {
      raise("22008", fmt::format("hour \"{}\" is invalid for the 12-hour clock", p.hour));
    }
    if (p.pm && *p.pm && p.hour < 12) p.hour += 12;
    if (p.pm && !*p.pm && p.hour == 12) p.hour = 0;
  }
  std::int64_t year = p.year ? full_year(*p.year, p.year_digits) : 0;
  std::int64_t astronomical = year < 0 ? year + 1 : year;  // 1 BC is year 0
  auto out_of_range = [&] {
    raise("22008", fmt::format("date/time field value out of range: \"{}\"", input));
  };
  if ((p.year && year == 0) || p.month < 1 || p.month > 12 || p.day < 1 ||
      p.day > days_in_month(astronomical, static_cast<int>(p.month)) || p.hour > 24 || p.minute > 59 ||
      p.second > 60 || (p.hour == 24 && (p.minute > 0 || p.second > 0 || p.micros > 0)))
    out_of_range();
  std::int64_t days = days_from_civil({astronomical, 1, 1});
  if (p.day_of_year > 0) {
    days += p.day_of_year - 1;
  } else {
    days = days_from_civil({astronomical, static_cast<int>(p.month), static_cast<int>(p.day)});
  }
  return days * micros_per_day + ((p.hour * 60 + p.minute) * 60 + p.second) * micros_per_second + p.micros;
}

value to_date_fn(const value* a, std::size_t) {
  std::int64_t micros = micros_of(reader(a[0].as_text(), a[1].as_text()).run(), a[0].as_text());
  return value::date(static_cast<std::int32_t>(floor_div(micros, micros_per_day)));
}

value to_timestamp_fn(const value* a, std::size_t) {
  return value::timestamptz(micros_of(reader(a[0].as_text(), a[1].as_text()).run(), a[0].as_text()));
}

}  // namespace

void add_parse_time_functions(std::vector<function_overload>& out) {
  out.push_back({"to_date", {dt::text, dt::text}, dt::date, to_date_fn});
  out.push_back({"to_timestamp", {dt::text, dt::text}, dt::timestamptz, to_timestamp_fn});
}

}  // namespace sluice::sql
