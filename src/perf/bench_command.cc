// perf/bench_command.cc — the `sluice bench` flags, their checks, and the run they select.
#include "perf/bench_command.h"

#include <fmt/format.h>

#include <CLI/CLI.hpp>
#include <map>
#include <memory>

#include "perf/bench_client.h"
#include "perf/bench_modes.h"

namespace sluice::perf {
namespace {

constexpr std::int64_t default_records = 1'000'000;

// The checks CLI11 cannot express on one flag alone; an empty string when all pass.
std::string check(const perf_options& o) {
  if (o.mode == bench_mode::end_to_end && o.record_size < 16)
    return "--mode end-to-end needs --record-size of at least 16 (the send time is stamped in the value)";
  if (o.mode == bench_mode::consume && o.rate > 0) return "--rate applies to producing, not --mode consume";
  return {};
}

int run(perf_options o) {
  if (auto problem = check(o); !problem.empty()) {
    fmt::print(stderr, "sluice bench: {}\n", problem);
    return 2;
  }
  if (o.records == 0 && o.duration_s == 0 && o.mode != bench_mode::consume) o.records = default_records;
  try {
    auto result = o.mode == bench_mode::produce   ? run_produce_mode(o)
                  : o.mode == bench_mode::consume ? run_consume_mode(o)
                                                  : run_end_to_end_mode(o);
    print_summary(o, result);
    if (!o.json_path.empty()) write_json(o.json_path, o, result);
    return result.failed > 0 || result.missing > 0 ? 1 : 0;
  } catch (const client_error& e) {
    fmt::print(stderr, "sluice bench: {}\n", e.what());
    return 1;
  }
}

}  // namespace

void add_bench_command(CLI::App& app, int& exit_code) {
  auto o = std::make_shared<perf_options>();
  auto* cmd = app.add_subcommand(
      "bench", "Load a Kafka-compatible broker (Sluice or any other) and report records/s, MB/s and latency");
  cmd->add_option("-b,--bootstrap-server", o->bootstrap, "Broker address, host:port")->capture_default_str();
  cmd->add_option("--topic", o->topic, "Topic to use; created when missing")->capture_default_str();
  cmd->add_option("--partitions", o->partitions, "Partitions of the topic when it is created")
      ->capture_default_str()
      ->check(CLI::Range(1, 100000));
  cmd->add_option("--topic-config", o->topic_configs,
                  "Config of the topic when it is created, e.g. flush.messages=1 (repeatable)");
  cmd->add_option("--record-size", o->record_size, "Bytes in each record's value (no key)")
      ->capture_default_str()
      ->check(CLI::Range(std::int64_t{1}, std::int64_t{64} << 20));
  auto* records = cmd->add_option("--records", o->records,
                                  "Records to send (consume: to read; default: everything in the topic)")
                      ->check(CLI::PositiveNumber);
  cmd->add_option("--duration", o->duration_s, "Seconds to run, instead of a record count")
      ->check(CLI::PositiveNumber)
      ->excludes(records);
  cmd->add_option("--rate", o->rate,
                  "Records/s to send on a fixed schedule; 0 sends as fast as the client allows")
      ->capture_default_str()
      ->check(CLI::NonNegativeNumber);
  cmd->add_option("--acks", o->acks, "Producer acks: 0, 1, all (-1)")
      ->capture_default_str()
      ->check(CLI::IsMember({"0", "1", "-1", "all"}));
  cmd->add_option("--compression", o->compression, "Producer compression codec")
      ->capture_default_str()
      ->check(CLI::IsMember({"none", "gzip", "snappy", "lz4", "zstd"}));
  cmd->add_option("-X", o->client_configs,
                  "librdkafka property name=value for the clients, applied last (repeatable); the "
                  "producer's linger.ms is 5 unless set here");
  std::map<std::string, bench_mode> modes{{"produce", bench_mode::produce},
                                          {"consume", bench_mode::consume},
                                          {"end-to-end", bench_mode::end_to_end}};
  cmd->add_option("--mode", o->mode,
                  "produce: records/s acknowledged; consume: read the topic from its start; end-to-end: "
                  "produce and consume at once and time each record from send to receipt")
      ->transform(CLI::CheckedTransformer(modes))
      ->default_str("produce");
  cmd->add_option("--json", o->json_path, "Also write the results to this JSON file");
  cmd->add_option("--progress-interval", o->progress_interval_s, "Seconds between progress lines; 0: none")
      ->capture_default_str()
      ->check(CLI::NonNegativeNumber);
  cmd->callback([o, &exit_code] { exit_code = run(*o); });
}

}  // namespace sluice::perf
