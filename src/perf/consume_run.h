// perf/consume_run.h — the receiving side of `sluice bench`: a librdkafka consumer assigned to
// every partition of the topic at given offsets (no consumer group: assign, never subscribe).
#pragma once

#include <atomic>
#include <vector>

#include "perf/bench_client.h"
#include "perf/latency_recorder.h"
#include "perf/perf_options.h"
#include "perf/perf_report.h"

namespace sluice::perf {

// A consumer from the options. librdkafka wants a group.id even for assign(); it is never joined.
cli::kafka_handle make_consumer(const perf_options& options);

// Assigns `rk` to partition p of `topic` at start_offsets[p] (an offset, or RD_KAFKA_OFFSET_BEGINNING).
void assign_all(rd_kafka_t* rk, const std::string& topic, const std::vector<std::int64_t>& start_offsets);

struct consume_limits {
  // Stop once this many records have been consumed; read again on every batch, so another
  // thread can lower it (end-to-end mode sets it when the producer knows its total).
  const std::atomic<std::int64_t>* target = nullptr;
  clock::time_point stop_at = clock::time_point::max();
  const std::atomic<bool>* cancel = nullptr;  // set by another thread to stop early
  // Stop when no record has arrived for this long (the topic holds fewer records than asked for).
  clock::duration idle_timeout = clock::duration::max();
};

// Consumes until a limit is reached, counting into `counters` and, when `latencies` is given,
// recording now minus each record's stamped send time. Returns when the last record arrived.
clock::time_point consume_records(rd_kafka_t* rk, const consume_limits& limits, run_counters& counters,
                                  latency_recorder* latencies, const tick_fn& tick);

}  // namespace sluice::perf
