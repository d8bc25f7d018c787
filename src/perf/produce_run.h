// perf/produce_run.h — the sending side of `sluice bench`: a librdkafka producer that sends
// `--records` or for `--duration`, paced by `--rate`, then waits for every acknowledgement.
#pragma once

#include "perf/bench_client.h"
#include "perf/perf_options.h"
#include "perf/perf_report.h"

namespace sluice::perf {

// A producer configured from the options (linger.ms=5 unless -X says otherwise) whose delivery
// reports update `counters`, which must outlive it.
cli::kafka_handle make_producer(const perf_options& options, run_counters& counters);

struct produce_outcome {
  clock::time_point start;
  clock::time_point end;  // when the last acknowledgement (or failure) arrived
};

// Sends records on `rk` with values stamped with their send time; calls `tick` at least every
// few milliseconds. Throws client_error when a record cannot be queued for a reason other than a
// full queue, or the acknowledgements do not arrive within a minute of the last send.
produce_outcome produce_records(rd_kafka_t* rk, const perf_options& options, run_counters& counters,
                                const tick_fn& tick);

}  // namespace sluice::perf
