// perf/produce_run.cc — the producer loop: a schedule-paced or unpaced send loop over
// rd_kafka_produce, then a flush that waits for the acknowledgements.
#include "perf/produce_run.h"

#include <fmt/format.h>

#include <thread>

#include "perf/payload.h"
#include "perf/rate_schedule.h"

namespace sluice::perf {
namespace {

using namespace std::chrono_literals;

void on_delivery(rd_kafka_t* /*rk*/, const rd_kafka_message_t* message, void* opaque) {
  auto* counters = static_cast<run_counters*>(opaque);
  if (message->err) {
    if (counters->failed.fetch_add(1, std::memory_order_relaxed) == 0)
      fmt::print(stderr, "delivery failed (first of possibly many): {}\n", rd_kafka_err2str(message->err));
    return;
  }
  counters->acked.fetch_add(1, std::memory_order_relaxed);
  counters->acked_bytes.fetch_add(static_cast<std::int64_t>(message->len), std::memory_order_relaxed);
}

// Queues one record, waiting (and serving delivery reports) while librdkafka's queue is full.
void send_one(rd_kafka_t* rk, rd_kafka_topic_t* rkt, std::vector<char>& value, const tick_fn& tick) {
  while (rd_kafka_produce(rkt, RD_KAFKA_PARTITION_UA, RD_KAFKA_MSG_F_COPY, value.data(), value.size(),
                          nullptr, 0, nullptr) == -1) {
    auto err = rd_kafka_last_error();
    if (err != RD_KAFKA_RESP_ERR__QUEUE_FULL)
      throw client_error(fmt::format("produce: {}", rd_kafka_err2str(err)));
    rd_kafka_poll(rk, 1);
    tick(clock::now());
  }
}

void await_acknowledgements(rd_kafka_t* rk, const tick_fn& tick) {
  auto give_up = clock::now() + 60s;
  while (rd_kafka_flush(rk, 100) == RD_KAFKA_RESP_ERR__TIMED_OUT) {
    auto now = clock::now();
    tick(now);
    if (now > give_up)
      throw client_error(
          fmt::format("{} records still unacknowledged a minute after the last send", rd_kafka_outq_len(rk)));
  }
}

}  // namespace

cli::kafka_handle make_producer(const perf_options& o, run_counters& counters) {
  auto conf = value_or_throw(cli::make_conf(
      client_options_for(o),
      {default_logging, {"acks", o.acks}, {"compression.type", o.compression}, {"linger.ms", "5"}}));
  rd_kafka_conf_set_dr_msg_cb(conf.get(), on_delivery);
  rd_kafka_conf_set_opaque(conf.get(), &counters);
  return value_or_throw(cli::make_client(RD_KAFKA_PRODUCER, std::move(conf)));
}

produce_outcome produce_records(rd_kafka_t* rk, const perf_options& o, run_counters& counters,
                                const tick_fn& tick) {
  cli::topic_handle rkt(rd_kafka_topic_new(rk, o.topic.c_str(), nullptr));
  if (!rkt) throw client_error(fmt::format("topic handle: {}", rd_kafka_err2str(rd_kafka_last_error())));
  auto value = make_payload(static_cast<std::size_t>(o.record_size));
  bool stamped = value.size() >= payload_header_bytes;
  auto start = clock::now();
  rate_schedule schedule(o.rate, start);
  auto stop_at =
      o.duration_s > 0
          ? start + std::chrono::duration_cast<clock::duration>(std::chrono::duration<double>(o.duration_s))
          : clock::time_point::max();
  auto limit = o.records > 0 ? o.records : std::numeric_limits<std::int64_t>::max();
  for (std::int64_t n = 0; n < limit;) {
    auto now = clock::now();
    if (now >= stop_at) break;
    if (n >= schedule.due_by(now)) {
      rd_kafka_poll(rk, 0);
      tick(now);
      std::this_thread::sleep_until(std::min(schedule.due_at(n), stop_at));
      continue;
    }
    if (stamped) stamp_payload(value, wall_clock_ns(), n);
    send_one(rk, rkt.get(), value, tick);
    counters.sent.store(++n, std::memory_order_relaxed);
    if (n % 1024 == 0) {
      rd_kafka_poll(rk, 0);
      tick(now);
    }
  }
  await_acknowledgements(rk, tick);
  return {start, clock::now()};
}

}  // namespace sluice::perf
