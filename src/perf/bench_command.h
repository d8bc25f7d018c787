// perf/bench_command.h — `sluice bench`: load any Kafka-compatible broker through librdkafka and
// report records/s, MB/s and produce→consume latency percentiles.
#pragma once

namespace CLI {
class App;
}

namespace sluice::perf {

// Adds `bench`; when it runs, `exit_code` becomes 0 on success, 1 when the run failed (the broker
// could not be reached, or records were lost).
void add_bench_command(CLI::App& app, int& exit_code);

}  // namespace sluice::perf
