// perf/consume_run.cc — the consumer loop: batches from the consumer queue, counted, with the
// latency of each stamped record.
#include "perf/consume_run.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <span>

#include "perf/payload.h"

namespace sluice::perf {
namespace {

constexpr std::size_t batch_size = 1024;

bool reached(const consume_limits& limits, std::int64_t consumed, clock::time_point now,
             clock::time_point last_record) {
  if (limits.cancel && limits.cancel->load()) return true;
  if (limits.target && consumed >= limits.target->load()) return true;
  if (now - last_record >= limits.idle_timeout) {
    fmt::print(stderr, "no record for {:.0f} s; stopping after {} records\n",
               std::chrono::duration<double>(limits.idle_timeout).count(), consumed);
    return true;
  }
  return now >= limits.stop_at;
}

// Errors not about a partition (the group coordinator librdkafka looks for) do not affect assign().
void report_error(const rd_kafka_message_t* m, bool& reported) {
  if (m->err == RD_KAFKA_RESP_ERR__PARTITION_EOF || reported) return;
  reported = true;
  fmt::print(stderr, "consumer: {} (first error; later ones are not printed)\n", rd_kafka_message_errstr(m));
}

void raise_to(std::atomic<std::int64_t>& maximum, std::int64_t value) {
  auto seen = maximum.load(std::memory_order_relaxed);
  while (value > seen && !maximum.compare_exchange_weak(seen, value, std::memory_order_relaxed)) {
  }
}

}  // namespace

cli::kafka_handle make_consumer(const perf_options& o) {
  auto conf = value_or_throw(cli::make_conf(client_options_for(o), {default_logging,
                                                                    {"group.id", "sluice-bench-unused"},
                                                                    {"enable.auto.commit", "false"},
                                                                    {"enable.auto.offset.store", "false"}}));
  // Destroying a consumer closes it first (librdkafka's rd_kafka_destroy does).
  return value_or_throw(cli::make_client(RD_KAFKA_CONSUMER, std::move(conf)));
}

void assign_all(rd_kafka_t* rk, const std::string& topic, const std::vector<std::int64_t>& start_offsets) {
  cli::partition_list_handle list(rd_kafka_topic_partition_list_new(static_cast<int>(start_offsets.size())));
  for (std::size_t p = 0; p < start_offsets.size(); ++p)
    rd_kafka_topic_partition_list_add(list.get(), topic.c_str(), static_cast<std::int32_t>(p))->offset =
        start_offsets[p];
  if (auto err = rd_kafka_assign(rk, list.get()))
    throw client_error(fmt::format("assign: {}", rd_kafka_err2str(err)));
}

clock::time_point consume_records(rd_kafka_t* rk, const consume_limits& limits, run_counters& counters,
                                  latency_recorder* latencies, const tick_fn& tick) {
  cli::queue_handle queue(rd_kafka_queue_get_consumer(rk));
  std::array<rd_kafka_message_t*, batch_size> batch{};
  std::int64_t consumed = 0;
  auto last = clock::now();
  bool error_reported = false;
  while (!reached(limits, consumed, clock::now(), last)) {
    // A batch call waits until the batch is full or the timeout passes, which would hold back
    // records at low rates: wait for the first record alone, then take what else is queued.
    std::size_t n = 0;
    if ((batch[0] = rd_kafka_consume_queue(queue.get(), 100)) != nullptr) {
      auto more = rd_kafka_consume_batch_queue(queue.get(), 0, &batch[1], batch_size - 1);
      n = 1 + static_cast<std::size_t>(std::max<ssize_t>(more, 0));
    }
    auto received_ns = wall_clock_ns();
    std::int64_t bytes = 0;
    std::int64_t max_latency = 0;
    for (auto* m : std::span(batch.data(), n)) {
      if (m->err) {
        report_error(m, error_reported);
      } else {
        ++consumed;
        bytes += static_cast<std::int64_t>(m->len);
        auto sent_ns = read_send_ns({static_cast<const char*>(m->payload), m->len});
        if (latencies && sent_ns > 0) {
          latencies->record(received_ns - sent_ns);
          max_latency = std::max(max_latency, received_ns - sent_ns);
        }
      }
      rd_kafka_message_destroy(m);
    }
    if (n > 0) last = clock::now();
    counters.consumed.store(consumed, std::memory_order_relaxed);
    counters.consumed_bytes.fetch_add(bytes, std::memory_order_relaxed);
    raise_to(counters.interval_max_latency_ns, max_latency);
    if (tick) tick(clock::now());
  }
  return last;
}

}  // namespace sluice::perf
