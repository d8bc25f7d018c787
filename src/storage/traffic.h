// storage/traffic.h — the log's own metrics (see docs/metrics.md): records and bytes appended to and
// served from each topic, and how long fdatasync takes. Per-topic counters live in the process-wide
// metrics registry under the topic's name and are shared by its partitions, which keep them, so
// counting is one relaxed atomic add per append or read.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

namespace sluice::metrics {
class counter;
}

namespace sluice::storage {

struct topic_traffic {
  std::shared_ptr<metrics::counter> records_in, bytes_in;    // appended (Produce, the engine, offsets)
  std::shared_ptr<metrics::counter> records_out, bytes_out;  // served to consumers (Fetch counts them)
};

// The counters of `topic`, created on first use.
topic_traffic traffic_of(const std::string& topic);
// Drops a deleted topic's series (partitions still open keep counting into their own copies).
void forget_traffic(const std::string& topic);
// One fdatasync of a partition log, for sluice_log_fsync_duration_seconds.
void observe_fsync(std::chrono::steady_clock::duration took);
// Counts records and bytes served from `traffic`'s topic; nothing when the counters are unset.
void count_served(const topic_traffic& traffic, std::uint64_t records, std::uint64_t bytes);

}  // namespace sluice::storage
