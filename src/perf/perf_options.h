// perf/perf_options.h — what `sluice bench` is asked to do, as parsed from its flags.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace sluice::perf {

enum class bench_mode { produce, consume, end_to_end };

struct perf_options {
  std::string bootstrap = "127.0.0.1:9092";
  std::string topic = "sluice-bench";
  std::int32_t partitions = 1;              // when the topic is created
  std::vector<std::string> topic_configs;   // name=value, when the topic is created
  std::int64_t record_size = 1024;          // value bytes
  std::int64_t records = 0;                 // 0: run for `duration_s` instead
  double duration_s = 0;                    // 0: run for `records` instead
  double rate = 0;                          // records/s; 0: as fast as possible
  std::string acks = "1";                   // 0, 1, all (-1)
  std::string compression = "none";         // none, gzip, snappy, lz4, zstd
  std::vector<std::string> client_configs;  // -X name=value, applied last
  bench_mode mode = bench_mode::produce;
  std::string json_path;  // empty: no results file
  double progress_interval_s = 1;
};

}  // namespace sluice::perf
