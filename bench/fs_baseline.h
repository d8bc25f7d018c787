// bench/fs_baseline.h — what the disk does with plain system calls, measured
// in the same run and directory as the log, so the log's figures can be read
// as a fraction of what the hardware allows.
#pragma once

#include <cstdint>
#include <string>

#include "json.h"

namespace sluice::bench {

struct sequential_write_result {
  std::uint64_t bytes = 0;
  std::size_t block_bytes = 0;
  double seconds = 0;       // the writes and the final fdatasync
  double sync_seconds = 0;  // of which the fdatasync
  double mb_per_s = 0;
};

struct synced_write_result {
  std::uint64_t ops = 0;
  std::size_t block_bytes = 0;
  double seconds = 0;
  double ops_per_s = 0;
  double mb_per_s = 0;
  double p50_us = 0;  // one write + fdatasync
  double p99_us = 0;
};

// `bytes` in `block_bytes` write(2) calls to a fresh file, then one
// fdatasync, timed together (dd bs=1M conv=fdatasync).
sequential_write_result raw_sequential_write(const std::string& dir, std::uint64_t bytes,
                                             std::size_t block_bytes);

// Appends of `block_bytes`, each followed by fdatasync, for `seconds`
// (dd oflag=dsync, but with fdatasync as the log calls it).
synced_write_result raw_synced_writes(const std::string& dir, double seconds, std::size_t block_bytes);

json to_json(const sequential_write_result& r);
json to_json(const synced_write_result& r);

}  // namespace sluice::bench
