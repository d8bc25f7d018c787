// sql/functions_format.cc — to_char(timestamp | timestamptz | date, format): Postgres's date/time
// template patterns (YYYY, MM, DD, HH24, MI, SS, MS, US, Month, Dy, AM, …, the FM prefix, "quoted
// text"). Timestamps with time zone are shown in UTC, the session time zone.
#include <fmt/format.h>

#include <array>
#include <cctype>
#include <string_view>

#include "sql/civil_time.h"
#include "sql/functions.h"

namespace sluice::sql {
namespace {

using dt = data_type;

constexpr std::int64_t micros_per_day = 86'400'000'000;
constexpr std::array<const char*, 12> month_names = {"january",   "february", "march",    "april",
                                                     "may",       "june",     "july",     "august",
                                                     "september", "october",  "november", "december"};
constexpr std::array<const char*, 7> day_names = {"sunday",   "monday", "tuesday", "wednesday",
                                                  "thursday", "friday", "saturday"};

struct moment {
  civil_date date;
  std::int64_t day_number;  // days since 1970-01-01
  std::int64_t micros;      // within the day
};

// A name as the pattern's case asks: "MONTH" upper, "Month" capitalized, "month" lower; padded to 9
// characters unless in fill mode; the first three letters for the short forms.
std::string name_as(std::string_view pattern, const char* name, bool fill, bool shortened) {
  std::string out = shortened ? std::string(name, 3) : std::string(name);
  bool upper = std::isupper(static_cast<unsigned char>(pattern[1])) != 0;
  bool capital = std::isupper(static_cast<unsigned char>(pattern[0])) != 0;
  for (std::size_t i = 0; i < out.size(); ++i) {
    if (upper || (capital && i == 0))
      out[i] = static_cast<char>(std::toupper(static_cast<unsigned char>(out[i])));
  }
  if (!shortened && !fill) out.resize(9, ' ');
  return out;
}

// The ISO 8601 week (1..53) of a day: weeks start on Monday; week 1 holds the year's first Thursday.
int iso_week(std::int64_t day_number) {
  std::int64_t weekday = floor_mod(day_number + 3, 7);  // 0 = Monday (1970-01-01 was a Thursday)
  std::int64_t thursday = day_number - weekday + 3;
  civil_date year_of_thursday = civil_from_days(thursday);
  std::int64_t first = days_from_civil({year_of_thursday.year, 1, 1});
  return static_cast<int>((thursday - first) / 7 + 1);
}

std::string format_moment(const moment& m, const std::string& format) {
  std::string out;
  std::int64_t hour = m.micros / 3'600'000'000;
  std::int64_t minute = m.micros / 60'000'000 % 60;
  std::int64_t second = m.micros / 1'000'000 % 60;
  std::int64_t fraction = m.micros % 1'000'000;
  std::int64_t weekday = floor_mod(m.day_number + 4, 7);  // 0 = Sunday
  std::int64_t day_of_year = m.day_number - days_from_civil({m.date.year, 1, 1}) + 1;
  std::size_t k = 0;
  auto starts = [&](std::string_view p) { return format.compare(k, p.size(), p) == 0; };
  while (k < format.size()) {
    bool fill = false;
    if (starts("FM") || starts("fm")) {
      fill = true;
      k += 2;
    }
    auto number = [&](std::int64_t v, int width) {
      out += fill ? std::to_string(v) : fmt::format("{:0{}}", v, width);
    };
    auto take = [&](std::string_view p) {
      if (!starts(p)) return false;
      k += p.size();
      return true;
    };
    if (k < format.size() && format[k] == '"') {  // literal text
      for (++k; k < format.size() && format[k] != '"'; ++k) {
        if (format[k] == '\\' && k + 1 < format.size()) ++k;
        out += format[k];
      }
      ++k;
    } else if (take("HH24")) {
      number(hour, 2);
    } else if (take("HH12") || take("HH")) {
      number(hour % 12 == 0 ? 12 : hour % 12, 2);
    } else if (take("MI")) {
      number(minute, 2);
    } else if (take("SSSS")) {
      number(m.micros / 1'000'000, 0);
    } else if (take("SS")) {
      number(second, 2);
    } else if (take("MS")) {
      number(fraction / 1000, 3);
    } else if (take("US")) {
      number(fraction, 6);
    } else if (take("AM") || take("PM")) {
      out += hour < 12 ? "AM" : "PM";
    } else if (take("am") || take("pm")) {
      out += hour < 12 ? "am" : "pm";
    } else if (take("YYYY")) {
      number(m.date.year, 4);
    } else if (take("YYY")) {
      number(floor_mod(m.date.year, 1000), 3);
    } else if (take("YY")) {
      number(floor_mod(m.date.year, 100), 2);
    } else if (take("Y")) {
      number(floor_mod(m.date.year, 10), 1);
    } else if (starts("MONTH") || starts("Month") || starts("month")) {
      out +=
          name_as(format.substr(k, 2), month_names[static_cast<std::size_t>(m.date.month - 1)], fill, false);
      k += 5;
    } else if (starts("MON") || starts("Mon") || starts("mon")) {
      out +=
          name_as(format.substr(k, 2), month_names[static_cast<std::size_t>(m.date.month - 1)], fill, true);
      k += 3;
    } else if (take("MM")) {
      number(m.date.month, 2);
    } else if (starts("DAY") || starts("Day") || starts("day")) {
      out += name_as(format.substr(k, 2), day_names[static_cast<std::size_t>(weekday)], fill, false);
      k += 3;
    } else if (starts("DY") || starts("Dy") || starts("dy")) {
      out += name_as(format.substr(k, 2), day_names[static_cast<std::size_t>(weekday)], fill, true);
      k += 2;
    } else if (take("DDD")) {
      number(day_of_year, 3);
    } else if (take("DD")) {
      number(m.date.day, 2);
    } else if (take("ID")) {
      number(weekday == 0 ? 7 : weekday, 1);
    } else if (take("D")) {
      number(weekday + 1, 1);
    } else if (take("IW")) {
      number(iso_week(m.day_number), 2);
    } else if (take("WW")) {
      number((day_of_year - 1) / 7 + 1, 2);
    } else if (take("Q")) {
      number((m.date.month - 1) / 3 + 1, 1);
    } else if (take("CC")) {
      number(m.date.year > 0 ? (m.date.year + 99) / 100 : -((99 - m.date.year) / 100), 2);
    } else if (take("J")) {
      number(m.day_number + 2'440'588, 0);
    } else if (take("TZ")) {
      out += "UTC";
    } else if (take("tz")) {
      out += "utc";
    } else if (take("OF")) {
      out += "+00";
    } else {
      if (format[k] == '\\' && k + 1 < format.size()) ++k;
      out += format[k++];
    }
  }
  return out;
}

moment moment_of_micros(std::int64_t micros) {
  std::int64_t day = floor_div(micros, micros_per_day);
  return {civil_from_days(day), day, micros - day * micros_per_day};
}

value to_char_timestamp(const value* a, std::size_t) {
  return value::text(format_moment(moment_of_micros(a[0].as_micros()), a[1].as_text()));
}

value to_char_date(const value* a, std::size_t) {
  return value::text(format_moment(moment_of_micros(a[0].as_date() * micros_per_day), a[1].as_text()));
}

}  // namespace

void add_format_functions(std::vector<function_overload>& out) {
  out.push_back({"to_char", {dt::timestamp, dt::text}, dt::text, to_char_timestamp});
  out.push_back({"to_char", {dt::timestamptz, dt::text}, dt::text, to_char_timestamp});
  out.push_back({"to_char", {dt::date, dt::text}, dt::text, to_char_date});
}

}  // namespace sluice::sql
