// bench/log_bench.h — the partition-log phases of storage_bench: appends
// under each flush policy, a sequential read, and restart times.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "io/file.h"
#include "json.h"
#include "storage/log_config.h"
#include "storage/partition_log.h"

namespace sluice::bench {

struct batch_shape {
  std::size_t records = 16;
  std::size_t record_bytes = 1024;  // value size; records have no key or headers
};

// One v2 batch of `shape`, with incompressible values. Built once per
// appender, outside any timed loop; append() rewrites only its base offset.
std::vector<std::byte> make_batch(const batch_shape& shape, std::uint64_t seed);

struct append_summary {
  int appenders = 1;
  std::uint64_t batches = 0;
  std::uint64_t records = 0;
  std::uint64_t bytes = 0;  // log bytes, batch framing included
  double seconds = 0;
  double flush_seconds = 0;  // append_bulk: of which the final flush()
  double mb_per_s = 0;
  double records_per_s = 0;
  std::uint64_t syncs = 0;  // from partition_log::stats(), during the phase
  std::uint64_t batches_synced = 0;
  double batches_per_sync = 0;
  double p50_us = 0;  // per append() call; only measured when each call syncs
  double p99_us = 0;
  double max_append_us = 0;  // the slowest append() call: a stall, e.g. a segment roll's sync
};

// Appends about `bytes` from one thread, then flush(); the flush is timed.
// With `drive_flush_ms`, a thread calls flush_if_due every 50 ms meanwhile,
// as log_manager's housekeeping does.
append_summary append_bulk(storage::partition_log& log, std::uint64_t bytes, const batch_shape& shape,
                           bool drive_flush_ms);

// `appenders` threads append to `log` for `seconds`; each append waits for
// its own durability (flush.messages=1), so this measures group commit.
append_summary append_synced(storage::partition_log& log, int appenders, double seconds,
                             const batch_shape& shape);

struct read_summary {
  std::uint64_t batches = 0;
  std::uint64_t records = 0;
  std::uint64_t bytes = 0;
  double seconds = 0;
  double mb_per_s = 0;
  double records_per_s = 0;
};

// Reads the whole log front to back in `budget`-byte fetches.
read_summary read_all(const storage::partition_log& log, std::size_t budget);

// Asks the kernel to drop the clean cached pages of every file under `dir`
// (POSIX_FADV_DONTNEED), for a read that has to go to the device.
void drop_cached_pages(const std::string& dir);

struct restart_plan {
  std::uint64_t bytes = 2048 * 1024ull * 1024;
  int partitions = 4;
  std::int64_t segment_bytes = 192 * 1024ll * 1024;
  int reopens = 5;
};

struct restart_summary {
  std::uint64_t bytes = 0;
  int partitions = 0;
  std::size_t segments = 0;
  std::uint64_t active_segment_bytes = 0;  // summed over partitions: what an unclean start rescans
  double build_seconds = 0;                // appends plus the clean close
  std::vector<double> clean_ms;
  std::vector<double> unclean_ms;
};

// Builds a data directory through log_manager, closes it cleanly, then times
// log_manager::open after a clean shutdown and after a simulated crash.
restart_summary measure_restart(io::file_system& fs, const std::string& data_dir, const restart_plan& plan,
                                const batch_shape& shape);

json to_json(const append_summary& s);
json to_json(const read_summary& s);
json to_json(const restart_summary& s);

}  // namespace sluice::bench
