// bench/machine_info.h — what a benchmark figure means depends on the box it
// ran on; every result file carries this description of it.
#pragma once

#include <cstdint>
#include <string>

#include "json.h"

namespace sluice::bench {

struct machine_info {
  std::string cpu_model;     // /proc/cpuinfo "model name"
  int cores = 0;             // online logical CPUs
  bool virtualized = false;  // the CPU reports the "hypervisor" flag
  std::uint64_t memory_bytes = 0;
  std::string kernel;   // uname release and machine
  std::string fs_type;  // of the mount holding the data directory
  std::string fs_device;
  std::string fs_mount_point;
  std::string fs_mount_options;
  std::string rotational;    // "0", "1" or "" when the block device is not found
  std::string write_cache;   // "write back" (fdatasync sends a cache flush) or "write through"
  std::string ext4_journal;  // the jbd2 task, "<none>" without a journal; "" when not ext4
  std::string load_average;  // 1, 5 and 15 minute, when probed: other work skews every figure
  std::string date;          // local date, YYYY-MM-DD
  std::string time_utc;      // ISO 8601
};

// Describes this machine and the file system that holds `data_dir` (which must exist).
machine_info probe_machine(const std::string& data_dir);

json to_json(const machine_info& m);

// The first three fields of /proc/loadavg.
std::string load_average();

}  // namespace sluice::bench
