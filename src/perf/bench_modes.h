// perf/bench_modes.h — the three runs `sluice bench --mode` chooses from; each sets up its clients,
// runs with progress lines, and returns the figures for the summary.
#pragma once

#include "perf/perf_options.h"
#include "perf/perf_report.h"

namespace sluice::perf {

// Throws client_error on setup failures.
run_result run_produce_mode(const perf_options& options);
run_result run_consume_mode(const perf_options& options);
run_result run_end_to_end_mode(const perf_options& options);

}  // namespace sluice::perf
