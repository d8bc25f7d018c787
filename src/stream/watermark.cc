#include "stream/watermark.h"

#include <algorithm>

#include "stream/codec.h"

namespace sluice::stream {

watermark_tracker::watermark_tracker(watermark_options options, wall_clock clock)
    : options_(options), clock_(std::move(clock)) {
  if (!clock_) clock_ = [] { return std::chrono::steady_clock::now(); };
}

// Reading the clock per record cost more than the rest of the tracker: records only mark their
// partition, and advance() stamps the marked ones with one reading.
void watermark_tracker::touch(int partition) { partitions_[partition].seen = true; }

void watermark_tracker::declare_partitions(int count) {
  auto now = clock_();
  for (int p = 0; p < count; ++p) {
    if (partitions_.try_emplace(p).second) partitions_[p].last_seen = now;
  }
}

bool watermark_tracker::observe(int partition, std::int64_t event_time) {
  if (downstream_ != no_watermark && event_time < downstream_) return false;
  partition_state& p = partitions_[partition];
  p.seen = true;
  if (event_time > p.max_event_time) {
    p.max_event_time = event_time;
    raise_to_events();
  }
  return true;
}

// Lateness is judged against every event before this one, not only those of earlier batches, so
// whether an event is late does not depend on how records happened to be batched. Idle partitions
// still count here (only advance() may leave them out), so this never passes advance().
void watermark_tracker::raise_to_events() {
  if (partitions_.size() == 1) {  // the common case, without the walk
    const partition_state& only = partitions_.begin()->second;
    std::int64_t low = only.max_event_time - options_.delay_micros;
    if (low > source_) {
      source_ = low;
      downstream_ = source_ - options_.allowed_lateness_micros;
    }
    return;
  }
  std::int64_t low = end_of_time;
  for (const auto& [id, state] : partitions_) {
    if (state.max_event_time == no_watermark) return;
    low = std::min(low, state.max_event_time - options_.delay_micros);
  }
  if (low == end_of_time || low <= source_) return;
  source_ = low;
  downstream_ = source_ - options_.allowed_lateness_micros;
}

std::string watermark_tracker::save() const {
  std::string out;
  append_i64(out, source_);
  append_i64(out, downstream_);
  for (const auto& [id, p] : partitions_) {
    append_i64(out, id);
    append_i64(out, p.max_event_time);
  }
  return out;
}

bool watermark_tracker::load(std::string_view saved) {
  decoder d(saved);
  std::int64_t source = 0, downstream = 0;
  if (!d.read_i64(source) || !d.read_i64(downstream)) return false;
  std::map<int, partition_state> partitions;
  auto now = clock_();
  while (!d.done()) {
    std::int64_t id = 0, max_event_time = 0;
    if (!d.read_i64(id) || !d.read_i64(max_event_time)) return false;
    partitions[static_cast<int>(id)] = {max_event_time, now, false};
  }
  source_ = source;
  downstream_ = downstream;
  partitions_ = std::move(partitions);
  return true;
}

std::int64_t watermark_tracker::advance() {
  auto now = clock_();
  for (auto& [id, p] : partitions_) {
    if (p.seen) p.last_seen = now;
    p.seen = false;
  }
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
