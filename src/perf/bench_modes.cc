// perf/bench_modes.cc — produce, consume and end-to-end runs over the producer and consumer loops.
#include "perf/bench_modes.h"

#include <fmt/format.h>

#include <algorithm>
#include <exception>
#include <limits>
#include <thread>

#include "cli/topic_admin.h"
#include "perf/consume_run.h"
#include "perf/produce_run.h"

namespace sluice::perf {
namespace {

using namespace std::chrono_literals;

constexpr auto consume_idle_timeout = 10s;  // as kafka-consumer-perf-test's --timeout

double seconds_between(clock::time_point from, clock::time_point to) {
  return std::chrono::duration<double>(to - from).count();
}

std::int32_t ensure_topic_for(rd_kafka_t* rk, const perf_options& o) {
  auto configs = value_or_throw(cli::split_properties(o.topic_configs, "--topic-config"));
  return value_or_throw(cli::ensure_topic(rk, client_options_for(o), o.topic, o.partitions, configs));
}

// The partitions of the topic with their watermarks, in partition order.
std::vector<cli::partition_info> partitions_of(rd_kafka_t* rk, const perf_options& o) {
  return value_or_throw(cli::describe_partitions(rk, client_options_for(o), o.topic));
}

// Runs the consumer loop on its own thread; its exception, if any, is rethrown by join().
class consumer_thread {
 public:
  consumer_thread(rd_kafka_t* rk, consume_limits limits, run_counters& counters, latency_recorder& latencies)
      : thread_([this, rk, limits, &counters, &latencies] {
          try {
            last_record_ = consume_records(rk, limits, counters, &latencies, {});
          } catch (...) {
            error_ = std::current_exception();
          }
          done_.store(true);
        }) {}
  consumer_thread(const consumer_thread&) = delete;
  consumer_thread& operator=(const consumer_thread&) = delete;
  ~consumer_thread() {
    if (thread_.joinable()) thread_.join();
  }

  bool done() const { return done_.load(); }
  clock::time_point join() {
    thread_.join();
    if (error_) std::rethrow_exception(error_);
    return last_record_;
  }

 private:
  std::atomic<bool> done_{false};
  clock::time_point last_record_{};
  std::exception_ptr error_;
  std::thread thread_;  // last: starts after the members it uses exist
};

}  // namespace

run_result run_produce_mode(const perf_options& o) {
  run_counters counters;
  auto producer = make_producer(o, counters);
  run_result r;
  r.partitions = ensure_topic_for(producer.get(), o);
  progress_printer progress(counters, o.mode, o.progress_interval_s, clock::now());
  auto out = produce_records(producer.get(), o, counters, [&](clock::time_point now) { progress.tick(now); });
  r.records = counters.acked.load();
  r.bytes = counters.acked_bytes.load();
  r.failed = counters.failed.load();
  r.seconds = seconds_between(out.start, out.end);
  return r;
}

run_result run_consume_mode(const perf_options& o) {
  run_counters counters;
  auto consumer = make_consumer(o);
  run_result r;
  r.partitions = ensure_topic_for(consumer.get(), o);
  std::int64_t present = 0;
  std::vector<std::int64_t> starts;
  for (const auto& m : partitions_of(consumer.get(), o)) {
    present += m.high - m.low;
    starts.push_back(m.low);
  }
  // --records, else --duration, else everything in the topic when the run starts.
  std::atomic<std::int64_t> target = o.records > 0      ? o.records
                                     : o.duration_s > 0 ? std::numeric_limits<std::int64_t>::max()
                                                        : present;
  auto start = clock::now();
  consume_limits limits{.target = &target, .idle_timeout = consume_idle_timeout};
  if (o.duration_s > 0)
    limits.stop_at =
        start + std::chrono::duration_cast<clock::duration>(std::chrono::duration<double>(o.duration_s));
  assign_all(consumer.get(), o.topic, starts);
  progress_printer progress(counters, o.mode, o.progress_interval_s, start);
  auto last = consume_records(consumer.get(), limits, counters, nullptr,
                              [&](clock::time_point now) { progress.tick(now); });
  r.records = counters.consumed.load();
  r.bytes = counters.consumed_bytes.load();
  r.seconds = seconds_between(start, last);
  return r;
}

run_result run_end_to_end_mode(const perf_options& o) {
  run_counters counters;
  auto producer = make_producer(o, counters);
  run_result r;
  r.partitions = ensure_topic_for(producer.get(), o);
  auto consumer = make_consumer(o);
  std::vector<std::int64_t> starts;
  for (const auto& m : partitions_of(consumer.get(), o)) starts.push_back(m.high);
  assign_all(consumer.get(), o.topic, starts);
  std::atomic<std::int64_t> target = std::numeric_limits<std::int64_t>::max();
  std::atomic<bool> cancel = false;
  latency_recorder latencies;
  consumer_thread receiver(consumer.get(), {.target = &target, .cancel = &cancel}, counters, latencies);
  // Let the consumer connect and start its first fetch, so the first records do not time its setup.
  std::this_thread::sleep_for(1s);
  progress_printer progress(counters, o.mode, o.progress_interval_s, clock::now());
  auto tick = [&](clock::time_point now) { progress.tick(now); };
  produce_outcome out;
  try {
    out = produce_records(producer.get(), o, counters, tick);
  } catch (...) {
    cancel.store(true);
    throw;  // ~consumer_thread joins
  }
  target.store(counters.acked.load());
  for (auto give_up = clock::now() + 30s; !receiver.done(); std::this_thread::sleep_for(10ms)) {
    tick(clock::now());
    if (clock::now() > give_up) cancel.store(true);
  }
  auto last = receiver.join();
  r.records = counters.consumed.load();
  r.bytes = counters.consumed_bytes.load();
  r.failed = counters.failed.load();
  r.seconds = seconds_between(out.start, last);
  r.latency = latencies.summarize();
  r.missing = std::max<std::int64_t>(counters.acked.load() - r.records, 0);
  if (r.missing > 0)
    fmt::print(stderr, "only {} of {} acknowledged records arrived within 30 s\n", r.records,
               counters.acked.load());
  return r;
}

}  // namespace sluice::perf
