#include "cli/datetime.h"

#include <chrono>
#include <string>

namespace sluice::cli {
namespace {

// A cursor over the text; every reader returns false when the text does not match.
struct reader {
  std::string_view text;
  std::size_t at = 0;

  bool done() const { return at == text.size(); }
  bool peek(char c) const { return !done() && text[at] == c; }

  bool skip(char c) {
    if (!peek(c)) return false;
    ++at;
    return true;
  }

  // Exactly `width` decimal digits.
  bool digits(int width, int& out) {
    out = 0;
    for (int i = 0; i < width; ++i, ++at) {
      if (done() || text[at] < '0' || text[at] > '9') return false;
      out = out * 10 + (text[at] - '0');
    }
    return true;
  }
};

// HH:MM[:SS[.fraction]] in ms since midnight.
bool read_time(reader& r, std::int64_t& ms) {
  int hour = 0, minute = 0, second = 0;
  if (!r.digits(2, hour) || !r.skip(':') || !r.digits(2, minute)) return false;
  if (r.skip(':') && !r.digits(2, second)) return false;
  if (hour > 23 || minute > 59 || second > 59) return false;
  int millis = 0, scale = 100, digit = 0, count = 0;
  if (r.skip('.') || r.skip(',')) {
    for (; r.digits(1, digit); ++count, scale /= 10) millis += digit * scale;
    if (count == 0) return false;
  }
  ms = ((hour * 60 + minute) * 60 + second) * 1000LL + millis;
  return true;
}

// Z, ±HH, ±HHMM or ±HH:MM as the zone's offset from UTC in ms.
bool read_zone(reader& r, std::int64_t& offset_ms) {
  offset_ms = 0;
  if (r.done() || r.skip('Z') || r.skip('z')) return r.done();
  int sign = r.skip('+') ? 1 : r.skip('-') ? -1 : 0;
  int hours = 0, minutes = 0;
  if (sign == 0 || !r.digits(2, hours)) return false;
  if (!r.done()) {
    r.skip(':');
    if (!r.digits(2, minutes)) return false;
  }
  if (hours > 23 || minutes > 59) return false;
  offset_ms = sign * (hours * 60 + minutes) * 60 * 1000LL;
  return r.done();
}

}  // namespace

result<std::int64_t> parse_iso8601_ms(std::string_view text) {
  auto bad = [text] {
    return fail(errc::invalid_argument, "'" + std::string(text) +
                                            "' is not an ISO 8601 date-time such as 2024-05-01T12:00:00Z "
                                            "or 2024-05-01T14:00:00.500+02:00");
  };
  reader r{text};
  int year = 0, month = 0, day = 0;
  if (!r.digits(4, year) || !r.skip('-') || !r.digits(2, month) || !r.skip('-') || !r.digits(2, day))
    return bad();
  std::chrono::year_month_day date{std::chrono::year(year), std::chrono::month(static_cast<unsigned>(month)),
                                   std::chrono::day(static_cast<unsigned>(day))};
  if (!date.ok()) return bad();
  std::int64_t time_ms = 0, zone_ms = 0;
  if ((r.skip('T') || r.skip('t') || r.skip(' ')) && !read_time(r, time_ms)) return bad();
  if (!read_zone(r, zone_ms)) return bad();
  auto days = std::chrono::sys_days(date).time_since_epoch().count();
  return days * 86400000LL + time_ms - zone_ms;
}

}  // namespace sluice::cli
