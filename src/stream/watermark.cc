#include "stream/watermark.h"

#include <algorithm>

namespace sluice::stream {

watermark_tracker::watermark_tracker(watermark_options options, wall_clock clock)
    : options_(options), clock_(std::move(clock)) {
  if (!clock_) clock_ = [] { return std::chrono::steady_clock::now(); };
}

void watermark_tracker::touch(int partition) { partitions_[partition].last_seen = clock_(); }

bool watermark_tracker::observe(int partition, std::int64_t event_time) {
  if (downstream_ != no_watermark && event_time < downstream_) return false;
  partition_state& p = partitions_[partition];
  p.last_seen = clock_();
  p.max_event_time = std::max(p.max_event_time, event_time);
  return true;
}

std::int64_t watermark_tracker::advance() {
  auto now = clock_();
  std::int64_t low = end_of_time;
  bool any_active = false;
  for (const auto& [id, p] : partitions_) {
    if (now - p.last_seen >= options_.idle_timeout) continue;
    any_active = true;
    // A partition that has seen no event time yet holds the watermark where it is.
    low = std::min(
        low, p.max_event_time == no_watermark ? no_watermark : p.max_event_time - options_.delay_micros);
  }
  // All partitions idle: nothing can hold the watermark back, nor push it; it stays.
  if (!any_active || low == no_watermark || low <= source_) return downstream_;
  source_ = low;
  downstream_ = source_ - options_.allowed_lateness_micros;
  return downstream_;
}

}  // namespace sluice::stream
