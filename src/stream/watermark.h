// stream/watermark.h — event-time progress of one source.
//
// Per partition, watermark = max event time seen − the source's WATERMARK delay. The source's
// watermark is the minimum over its active partitions; a partition that delivered nothing for
// `idle_timeout` of wall-clock time (from the injected clock) stops holding it back until it
// delivers again. The source watermark never moves backwards. An event is late when its time is
// before the source watermark minus the allowed lateness; the watermark handed downstream already
// subtracts the allowed lateness, so a window fires only when no event for it can still be accepted.
// Lateness is decided per event, against the watermark of all events before it (in the order the
// source delivered them), so it does not depend on how records were batched.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>

#include "stream/operator.h"

namespace sluice::stream {

using wall_clock = std::function<std::chrono::steady_clock::time_point()>;

struct watermark_options {
  std::int64_t delay_micros = 0;             // from WATERMARK FOR t AS t - INTERVAL '…'
  std::int64_t allowed_lateness_micros = 0;  // how far behind the watermark an event is still accepted
  std::chrono::milliseconds idle_timeout{30'000};
};

class watermark_tracker {
 public:
  watermark_tracker(watermark_options options, wall_clock clock);

  // Records an event of `partition`; returns false (and records nothing) when it is late.
  bool observe(int partition, std::int64_t event_time);
  // A partition delivered records (even ones without event time): it is active now.
  void touch(int partition);
  // The partitions the source has (0..count-1), known before they deliver: each holds the watermark
  // back until it has delivered an event or gone idle, as a Kafka source's assigned partitions do.
  void declare_partitions(int count);
  // Recomputes the watermark (partitions may have gone idle); returns the downstream watermark.
  std::int64_t advance();
  // The downstream watermark: source watermark − allowed lateness (no_watermark before any event).
  std::int64_t current() const { return downstream_; }
  // Events before this are late.
  std::int64_t late_before() const { return downstream_; }

  // The event-time progress (per partition maximum and the watermarks) as bytes, so a restored
  // dataflow judges lateness exactly as before the restart. Idle timers are not kept: restored
  // partitions count as active from the moment of load().
  std::string save() const;
  bool load(std::string_view saved);  // false if `saved` does not decode

 private:
  void raise_to_events();

  struct partition_state {
    std::int64_t max_event_time = no_watermark;
    std::chrono::steady_clock::time_point last_seen;
    bool seen = false;  // delivered since the last advance()
  };
  watermark_options options_;
  wall_clock clock_;
  std::map<int, partition_state> partitions_;
  std::int64_t source_ = no_watermark;
  std::int64_t downstream_ = no_watermark;
};

}  // namespace sluice::stream
