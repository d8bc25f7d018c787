// perf/perf_report.cc — progress lines, the summary, and the JSON results file.
#include "perf/perf_report.h"

#include <fmt/format.h>

#include <cstdio>
#include <fstream>

#include "cli/json.h"
#include "perf/bench_client.h"

namespace sluice::perf {
namespace {

double seconds_between(clock::time_point from, clock::time_point to) {
  return std::chrono::duration<double>(to - from).count();
}

std::string json_string(const std::string& s) {
  std::string out;
  cli::append_json_string(out, s);
  return out;
}

std::string latency_json(const latency_summary& l) {
  return fmt::format(
      "{{\"samples\": {}, \"p50_ms\": {:.3f}, \"p99_ms\": {:.3f}, \"p99_9_ms\": {:.3f}, \"max_ms\": {:.3f}, "
      "\"mean_ms\": {:.3f}}}",
      l.samples, l.p50_ms, l.p99_ms, l.p99_9_ms, l.max_ms, l.mean_ms);
}

}  // namespace

const char* mode_name(bench_mode mode) {
  switch (mode) {
    case bench_mode::produce:
      return "produce";
    case bench_mode::consume:
      return "consume";
    case bench_mode::end_to_end:
      return "end-to-end";
  }
  return "?";
}

progress_printer::progress_printer(run_counters& counters, bench_mode mode, double interval_s,
                                   clock::time_point start)
    : counters_(counters),
      mode_(mode),
      interval_(std::chrono::duration_cast<clock::duration>(std::chrono::duration<double>(interval_s))),
      start_(start),
      last_(start) {}

void progress_printer::tick(clock::time_point now) {
  if (interval_.count() <= 0 || now - last_ < interval_) return;
  bool producing = mode_ == bench_mode::produce;
  auto count = producing ? counters_.acked.load() : counters_.consumed.load();
  auto bytes = producing ? counters_.acked_bytes.load() : counters_.consumed_bytes.load();
  auto span = seconds_between(last_, now);
  auto rate = static_cast<double>(count - last_count_) / span;
  auto mb = static_cast<double>(bytes - last_bytes_) / span / 1e6;
  std::string totals;
  if (mode_ != bench_mode::consume)
    totals = fmt::format("sent {} acked {} failed {}", counters_.sent.load(), counters_.acked.load(),
                         counters_.failed.load());
  if (mode_ != bench_mode::produce)
    totals += fmt::format("{}consumed {}", totals.empty() ? "" : " ", counters_.consumed.load());
  if (mode_ == bench_mode::end_to_end)
    totals += fmt::format(" max latency {:.1f} ms",
                          static_cast<double>(counters_.interval_max_latency_ns.exchange(0)) / 1e6);
  fmt::print("[{:6.1f} s] {} | {:.0f} records/s {:.1f} MB/s\n", seconds_between(start_, now), totals, rate,
             mb);
  std::fflush(stdout);
  last_ = now;
  last_count_ = count;
  last_bytes_ = bytes;
}

void print_summary(const perf_options& o, const run_result& r) {
  // Consumed records have whatever size their producer gave them: report the mean.
  auto value_bytes = r.records > 0 ? static_cast<double>(r.bytes) / static_cast<double>(r.records) : 0.0;
  fmt::print("{}: {} records of {:.0f} B over {} partition(s) in {:.2f} s: {:.0f} records/s, {:.1f} MB/s",
             mode_name(o.mode), r.records, value_bytes, r.partitions, r.seconds, r.records_per_s(),
             r.mb_per_s());
  if (o.rate > 0) fmt::print(" (target {:.0f} records/s)", o.rate);
  fmt::print(", {} failed", r.failed);
  if (o.mode == bench_mode::end_to_end) fmt::print(", {} acknowledged but not consumed", r.missing);
  fmt::print("\n");
  if (r.latency)
    fmt::print(
        "produce→consume latency over {} records: p50 {:.3f} ms, p99 {:.3f} ms, p99.9 {:.3f} ms, "
        "max {:.3f} ms\n",
        r.latency->samples, r.latency->p50_ms, r.latency->p99_ms, r.latency->p99_9_ms, r.latency->max_ms);
  std::fflush(stdout);
}

void write_json(const std::string& path, const perf_options& o, const run_result& r) {
  std::ofstream out(path);
  out << "{\n"
      << fmt::format("  \"benchmark\": \"sluice bench\",\n  \"mode\": \"{}\",\n", mode_name(o.mode))
      << fmt::format("  \"bootstrap\": {},\n  \"topic\": {},\n", json_string(o.bootstrap),
                     json_string(o.topic))
      << fmt::format("  \"partitions\": {},\n  \"record_size\": {},\n", r.partitions, o.record_size)
      << fmt::format("  \"acks\": {},\n  \"compression\": {},\n", json_string(o.acks),
                     json_string(o.compression))
      << fmt::format("  \"target_rate\": {:.1f},\n", o.rate)
      << fmt::format("  \"records\": {},\n  \"bytes\": {},\n  \"seconds\": {:.3f},\n", r.records, r.bytes,
                     r.seconds)
      << fmt::format("  \"records_per_s\": {:.1f},\n  \"mb_per_s\": {:.3f},\n", r.records_per_s(),
                     r.mb_per_s())
      << fmt::format("  \"failed\": {},\n  \"missing\": {},\n", r.failed, r.missing)
      << fmt::format("  \"latency\": {}\n}}\n", r.latency ? latency_json(*r.latency) : "null");
  if (!out.flush()) throw client_error("cannot write " + path);
}

}  // namespace sluice::perf
