// sql/time_zone.h — named time zones for AT TIME ZONE, resolved as Postgres resolves them: first
// Postgres's common abbreviations ("EST", "CET": fixed offsets), then the system's IANA database
// (TZif files under $TZDIR or /usr/share/zoneinfo, names matched without regard to case), then a
// POSIX zone string ("UTC+3", "<+0330>-3:30", "EST5EDT,M3.2.0,M11.1.0"; a positive offset is west of
// Greenwich). A zone once found stays loaded for the life of the process.
#pragma once

#include <cstdint>
#include <string_view>

namespace sluice::sql {

class time_zone {
 public:
  virtual ~time_zone() = default;
  // Seconds east of UTC in effect at the instant `utc_seconds`.
  virtual std::int32_t offset_at(std::int64_t utc_seconds) const = 0;
  // Seconds east of UTC for the wall-clock time `local_seconds`. A time that a clock skips (spring
  // forward) takes the offset before the change, one that it shows twice (fall back) the offset
  // after it, as in Postgres.
  std::int32_t offset_for_local(std::int64_t local_seconds) const;
};

// nullptr when `name` is no zone.
const time_zone* find_time_zone(std::string_view name);

}  // namespace sluice::sql
