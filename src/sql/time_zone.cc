#include "sql/time_zone.h"

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "sql/cast.h"
#include "sql/civil_time.h"

namespace sluice::sql {

std::int32_t time_zone::offset_for_local(std::int64_t local_seconds) const {
  // At most one change lies within a day of any time, so the offsets a day before and after are the
  // two candidates.
  std::int32_t before = offset_at(local_seconds - 86400), after = offset_at(local_seconds + 86400);
  bool after_fits = offset_at(local_seconds - after) == after;
  if (before == after || after_fits) return after;  // the only reading, or the later of two
  return before;  // the one that fits, or (a skipped time) the offset before the change
}

namespace {

constexpr std::int32_t hour = 3600;

// A zone of POSIX TZ syntax: std offset [dst [offset] [,start[/time],end[/time]]].
class posix_zone final : public time_zone {
 public:
  static std::optional<posix_zone> parse(std::string_view text);
  static posix_zone fixed(std::int32_t east) {
    posix_zone z;
    z.std_ = east;
    return z;
  }
  std::int32_t offset_at(std::int64_t utc_seconds) const override;

 private:
  // When a change happens: M month.week.weekday (week 5: the last), J day of year 1..365 without
  // 29 February, or n: day of year 0..365; at `time` seconds of local time.
  struct change_rule {
    char kind = 'M';
    int month = 0, week = 0, weekday = 0, day = 0;
    std::int32_t time = 2 * hour;
  };
  std::int64_t change_day(std::int64_t year, const change_rule& rule) const;

  std::int32_t std_ = 0;
  std::optional<std::int32_t> dst_;
  change_rule start_{'M', 3, 2, 0, 0, 2 * hour}, end_{'M', 11, 1, 0, 0, 2 * hour};  // US rules by default
};

class posix_reader {
 public:
  explicit posix_reader(std::string_view s) : s_(s) {}
  bool done() const { return s_.empty(); }
  bool accept(char c) {
    if (s_.empty() || s_.front() != c) return false;
    s_.remove_prefix(1);
    return true;
  }
  // A zone name: letters, or anything between < and >. May be empty.
  bool name() {
    if (accept('<')) {
      auto end = s_.find('>');
      if (end == std::string_view::npos) return false;
      s_.remove_prefix(end + 1);
      return true;
    }
    while (!s_.empty() && std::isalpha(static_cast<unsigned char>(s_.front()))) s_.remove_prefix(1);
    return true;
  }
  bool number(int& out, int max_digits) {
    int digits = 0;
    out = 0;
    while (!s_.empty() && std::isdigit(static_cast<unsigned char>(s_.front())) && digits < max_digits) {
      out = out * 10 + (s_.front() - '0');
      s_.remove_prefix(1);
      ++digits;
    }
    return digits > 0;
  }
  // [+-]hh[:mm[:ss]] in seconds.
  bool duration(std::int32_t& out) {
    bool negative = accept('-');
    if (!negative) accept('+');
    int h = 0, m = 0, sec = 0;
    if (!number(h, 3) || h > 167) return false;
    if (accept(':') && (!number(m, 2) || m > 59 || (accept(':') && (!number(sec, 2) || sec > 59))))
      return false;
    out = (h * hour + m * 60 + sec) * (negative ? -1 : 1);
    return true;
  }
  bool at_offset() const {
    return !s_.empty() &&
           (std::isdigit(static_cast<unsigned char>(s_.front())) || s_.front() == '+' || s_.front() == '-');
  }

 private:
  std::string_view s_;
};

std::optional<posix_zone> posix_zone::parse(std::string_view text) {
  posix_reader r(text);
  posix_zone z;
  std::int32_t west = 0;
  if (!r.name() || !r.duration(west)) return std::nullopt;
  z.std_ = -west;
  if (r.done()) return z;
  if (!r.name()) return std::nullopt;
  z.dst_ = z.std_ + hour;
  if (r.at_offset()) {
    if (!r.duration(west)) return std::nullopt;
    z.dst_ = -west;
  }
  if (r.done()) return z;
  auto rule = [&r](change_rule& out) {
    if (!r.accept(',')) return false;
    out = change_rule{};
    if (r.accept('M')) {
      out.kind = 'M';
      if (!r.number(out.month, 2) || out.month < 1 || out.month > 12 || !r.accept('.') ||
          !r.number(out.week, 1) || out.week < 1 || out.week > 5 || !r.accept('.') ||
          !r.number(out.weekday, 1) || out.weekday > 6)
        return false;
    } else if (r.accept('J')) {
      out.kind = 'J';
      if (!r.number(out.day, 3) || out.day < 1 || out.day > 365) return false;
    } else {
      out.kind = 'n';
      if (!r.number(out.day, 3) || out.day > 365) return false;
    }
    return !r.accept('/') || r.duration(out.time);
  };
  if (!rule(z.start_) || !rule(z.end_) || !r.done()) return std::nullopt;
  return z;
}

std::int64_t posix_zone::change_day(std::int64_t year, const change_rule& rule) const {
  std::int64_t jan1 = days_from_civil({year, 1, 1});
  if (rule.kind == 'J') return jan1 + rule.day - 1 + (is_leap_year(year) && rule.day >= 60 ? 1 : 0);
  if (rule.kind == 'n') return jan1 + rule.day;
  std::int64_t first = days_from_civil({year, rule.month, 1});
  std::int64_t weekday = floor_mod(first + 4, 7);  // 1970-01-01 was a Thursday; Sunday is 0
  std::int64_t day = first + floor_mod(rule.weekday - weekday, 7) + (rule.week - 1) * 7;
  while (day >= first + days_in_month(year, rule.month)) day -= 7;
  return day;
}

std::int32_t posix_zone::offset_at(std::int64_t utc_seconds) const {
  if (!dst_) return std_;
  std::int64_t year = civil_from_days(floor_div(utc_seconds + std_, 86400)).year;
  std::int64_t start = change_day(year, start_) * 86400 + start_.time - std_;  // a standard-time clock
  std::int64_t end = change_day(year, end_) * 86400 + end_.time - *dst_;       // a daylight-time clock
  bool daylight = start < end ? (utc_seconds >= start && utc_seconds < end)
                              : !(utc_seconds >= end && utc_seconds < start);  // southern hemisphere
  return daylight ? *dst_ : std_;
}

// A zone of the IANA database: its changes, then the POSIX rule of its footer for later times.
class tzif_zone final : public time_zone {
 public:
  static std::unique_ptr<tzif_zone> parse(const std::string& file);
  std::int32_t offset_at(std::int64_t utc_seconds) const override {
    auto next = std::upper_bound(changes_.begin(), changes_.end(), utc_seconds);
    if (next == changes_.begin()) return initial_;
    if (next == changes_.end() && footer_) return footer_->offset_at(utc_seconds);
    return offsets_[static_cast<std::size_t>(next - changes_.begin() - 1)];
  }

 private:
  std::vector<std::int64_t> changes_;  // ascending
  std::vector<std::int32_t> offsets_;  // from each change on
  std::int32_t initial_ = 0;           // before the first change
  std::optional<posix_zone> footer_;
};

// Big-endian fields of a TZif file (RFC 8536), bounds-checked.
class tzif_reader {
 public:
  explicit tzif_reader(const std::string& s) : s_(s) {}
  bool skip(std::size_t n) {
    if (s_.size() - at_ < n) return false;
    at_ += n;
    return true;
  }
  bool read(std::int64_t& out, int bytes) {
    if (s_.size() - at_ < static_cast<std::size_t>(bytes)) return false;
    std::uint64_t v = 0;
    for (int i = 0; i < bytes; ++i) v = (v << 8) | static_cast<unsigned char>(s_[at_++]);
    if (bytes < 8 && (v >> (bytes * 8 - 1)) != 0) v |= ~std::uint64_t{0} << (bytes * 8);  // sign-extend
    out = static_cast<std::int64_t>(v);
    return true;
  }
  std::string_view rest() const { return std::string_view(s_).substr(at_); }

 private:
  const std::string& s_;
  std::size_t at_ = 0;
};

std::unique_ptr<tzif_zone> tzif_zone::parse(const std::string& file) {
  if (file.size() < 44 || file.compare(0, 4, "TZif") != 0) return nullptr;
  bool version2 = file[4] >= '2';
  tzif_reader r(file);
  struct counts {
    std::int64_t isut, isstd, leap, time, type, chars;
  } c{};
  auto header = [&] {
    return r.skip(20) && r.read(c.isut, 4) && r.read(c.isstd, 4) && r.read(c.leap, 4) && r.read(c.time, 4) &&
           r.read(c.type, 4) && r.read(c.chars, 4) && c.type > 0 && c.time >= 0 && c.leap >= 0 &&
           c.chars >= 0 && c.isut >= 0 && c.isstd >= 0;
  };
  if (!header()) return nullptr;
  int time_bytes = 4;
  if (version2) {  // the first block has 32-bit times; the second, 64-bit ones, is the one to read
    if (!r.skip(
            static_cast<std::size_t>(c.time * 5 + c.type * 6 + c.chars + c.leap * 8 + c.isstd + c.isut)) ||
        !header())
      return nullptr;
    time_bytes = 8;
  }
  auto zone = std::make_unique<tzif_zone>();
  std::vector<std::int64_t> type_of(static_cast<std::size_t>(c.time));
  zone->changes_.resize(static_cast<std::size_t>(c.time));
  for (auto& t : zone->changes_)
    if (!r.read(t, time_bytes)) return nullptr;
  for (auto& t : type_of) {
    if (!r.read(t, 1)) return nullptr;
    t &= 0xff;
    if (t >= c.type) return nullptr;
  }
  std::vector<std::int32_t> type_offsets(static_cast<std::size_t>(c.type));
  for (auto& offset : type_offsets) {
    std::int64_t utoff = 0;
    if (!r.read(utoff, 4) || !r.skip(2)) return nullptr;
    offset = static_cast<std::int32_t>(utoff);
  }
  if (!r.skip(static_cast<std::size_t>(c.chars + c.leap * (time_bytes + 4) + c.isstd + c.isut)))
    return nullptr;
  for (std::int64_t t : type_of) zone->offsets_.push_back(type_offsets[static_cast<std::size_t>(t)]);
  zone->initial_ = type_offsets[0];
  std::string_view footer = r.rest();
  if (version2 && footer.size() > 2 && footer.front() == '\n') {
    footer = footer.substr(1, footer.find('\n', 1) - 1);
    if (!footer.empty()) zone->footer_ = posix_zone::parse(footer);
  }
  return zone;
}

// Postgres's default abbreviations that people write most, as fixed offsets east of UTC.
std::optional<std::int32_t> abbreviation_offset(const std::string& name) {
  static const std::map<std::string, std::int32_t, std::less<>> table = {
      {"utc", 0},          {"gmt", 0},          {"ut", 0},           {"z", 0},
      {"zulu", 0},         {"wet", 0},          {"west", hour},      {"bst", hour},
      {"cet", hour},       {"cest", 2 * hour},  {"met", hour},       {"mest", 2 * hour},
      {"eet", 2 * hour},   {"eest", 3 * hour},  {"msk", 3 * hour},   {"ist", 2 * hour},
      {"jst", 9 * hour},   {"kst", 9 * hour},   {"hkt", 8 * hour},   {"awst", 8 * hour},
      {"acst", 34200},     {"acdt", 37800},     {"aest", 10 * hour}, {"aedt", 11 * hour},
      {"nzst", 12 * hour}, {"nzdt", 13 * hour}, {"ast", -4 * hour},  {"adt", -3 * hour},
      {"est", -5 * hour},  {"edt", -4 * hour},  {"cst", -6 * hour},  {"cdt", -5 * hour},
      {"mst", -7 * hour},  {"mdt", -6 * hour},  {"pst", -8 * hour},  {"pdt", -7 * hour},
      {"akst", -9 * hour}, {"akdt", -8 * hour}, {"hst", -10 * hour}, {"nst", -12600},
      {"ndt", -9000}};
  auto it = table.find(name);
  if (it == table.end()) return std::nullopt;
  return it->second;
}

// The TZif file of `name` under the zoneinfo directory, each part matched exactly or else without
// regard to case; "" when there is none or the name could leave the directory.
std::string zone_file(std::string_view name) {
  if (name.empty() || name.front() == '/' || name.find("..") != std::string_view::npos) return "";
  for (char c : name) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '/' && c != '_' && c != '-' && c != '+')
      return "";
  }
  const char* dir = std::getenv("TZDIR");
  std::filesystem::path path = dir != nullptr && *dir != '\0' ? dir : "/usr/share/zoneinfo";
  std::error_code ec;
  std::string_view rest = name;
  while (!rest.empty()) {
    std::string_view part = rest.substr(0, rest.find('/'));
    rest.remove_prefix(std::min(rest.size(), part.size() + 1));
    std::filesystem::path exact = path / std::string(part);
    if (std::filesystem::exists(exact, ec)) {
      path = exact;
      continue;
    }
    std::string wanted = ascii_lower(part);
    bool found = false;
    for (const auto& entry : std::filesystem::directory_iterator(path, ec)) {
      if (ascii_lower(entry.path().filename().string()) != wanted) continue;
      path = entry.path();
      found = true;
      break;
    }
    if (!found) return "";
  }
  return std::filesystem::is_regular_file(path, ec) ? path.string() : "";
}

std::unique_ptr<time_zone> load_zone(std::string_view name) {
  std::string key = ascii_lower(name);
  if (auto offset = abbreviation_offset(key)) return std::make_unique<posix_zone>(posix_zone::fixed(*offset));
  if (std::string file = zone_file(name); !file.empty()) {
    std::ifstream in(file, std::ios::binary);
    std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (auto zone = tzif_zone::parse(bytes)) return zone;
  }
  if (auto zone = posix_zone::parse(name)) return std::make_unique<posix_zone>(*zone);
  return nullptr;
}

}  // namespace

const time_zone* find_time_zone(std::string_view name) {
  // A view applies one zone to every row: the last one found is kept per thread, without a lock.
  thread_local std::string last_name;
  thread_local const time_zone* last_zone = nullptr;
  if (last_zone != nullptr && name == last_name) return last_zone;
  static std::mutex mu;
  static std::map<std::string, std::unique_ptr<time_zone>, std::less<>> zones;
  std::lock_guard lock(mu);
  auto it = zones.find(name);
  if (it == zones.end()) {
    std::unique_ptr<time_zone> zone = load_zone(name);
    if (!zone) return nullptr;
    it = zones.emplace(std::string(name), std::move(zone)).first;
  }
  last_name = std::string(name);
  last_zone = it->second.get();
  return last_zone;
}

}  // namespace sluice::sql
