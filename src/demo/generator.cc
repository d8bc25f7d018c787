#include "demo/generator.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <vector>

#include "base/thread_name.h"
#include "cli/kafka_client.h"
#include "demo/business.h"
#include "demo/kafka_send.h"

namespace sluice::demo {
namespace {

std::int64_t wall_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// Simulated time advances in steps this long; live, that is also the pacing granularity.
constexpr std::int64_t step_ms = 100;

void on_delivery(rd_kafka_t* /*rk*/, const rd_kafka_message_t* message, void* opaque) {
  auto* g = static_cast<std::atomic<std::int64_t>*>(opaque);
  if (!message->err) return;
  if (g->fetch_add(1) == 0)
    spdlog::warn("demo: delivery failed (first of possibly many): {}", rd_kafka_err2str(message->err));
}

}  // namespace

struct generator::impl {
  generator_options options;
  cli::kafka_handle producer;
  business shop;

  impl(const generator_options& o, cli::kafka_handle p)
      : options(o), producer(std::move(p)), shop(o.seed, o.first_id) {}
};

result<std::unique_ptr<generator>> generator::start(const generator_options& options) {
  auto conf = cli::make_conf(cli::client_options{.bootstrap = options.bootstrap, .properties = {}},
                             {{"linger.ms", "20"}, {"acks", "1"}, {"compression.type", "lz4"}});
  if (!conf) return tl::unexpected(conf.error());
  rd_kafka_conf_set_dr_msg_cb(conf->get(), on_delivery);
  auto g = std::unique_ptr<generator>(new generator(nullptr));
  rd_kafka_conf_set_opaque(conf->get(), &g->failed_);
  auto producer = cli::make_client(RD_KAFKA_PRODUCER, std::move(*conf));
  if (!producer) return tl::unexpected(producer.error());
  g->impl_ = std::make_unique<impl>(options, std::move(*producer));
  g->thread_ = std::thread([raw = g.get()] {
    name_this_thread("demo-generator");
    raw->run();
  });
  return g;
}

generator::generator(std::unique_ptr<impl> p) : impl_(std::move(p)) {}

generator::~generator() { stop(); }

void generator::stop() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void generator::run() {
  auto* rk = impl_->producer.get();
  auto& shop = impl_->shop;
  const auto& o = impl_->options;
  auto stopping = [this] {
    std::lock_guard lock(mu_);
    return stopping_;
  };
  // Queues one record; while librdkafka's queue is full, serves delivery reports and retries.
  auto send = [&](const event& e) {
    for (;;) {
      auto err = send_record(rk, e.topic.c_str(), e.key, e.value);
      if (err == RD_KAFKA_RESP_ERR_NO_ERROR) break;
      if (err != RD_KAFKA_RESP_ERR__QUEUE_FULL) {
        failed_.fetch_add(1);
        return;
      }
      if (stopping()) return;
      rd_kafka_poll(rk, 10);
    }
    produced_.fetch_add(1);
  };

  std::vector<event> out;
  std::int64_t start = wall_ms() - o.history_ms;
  if (o.opening) shop.opening(start, out);
  for (const auto& e : out) send(e);
  out.clear();
  std::int64_t simulated = start;
  double budget = 0;
  while (!stopping()) {
    std::int64_t now = wall_ms();
    if (simulated >= now) {
      // Live and ahead of the clock: wait for the next step (or stop()).
      std::unique_lock lock(mu_);
      wake_.wait_for(lock, std::chrono::milliseconds(step_ms / 2), [this] { return stopping_; });
      rd_kafka_poll(rk, 0);
      continue;
    }
    std::int64_t step_end = std::min(now, simulated + step_ms);
    budget +=
        o.rate * shop.rate_factor(simulated - start) * static_cast<double>(step_end - simulated) / 1000.0;
    while (budget >= 1) {
      auto before = out.size();
      shop.next(step_end, out);
      budget -= static_cast<double>(std::max<std::size_t>(1, out.size() - before));
    }
    simulated = step_end;
    for (const auto& e : out) send(e);
    out.clear();
    for (const auto& note : shop.take_notes())
      spdlog::info("demo: injected {} fraud: {}", note.kind, note.text);
    rd_kafka_poll(rk, 0);
  }
  if (rd_kafka_flush(rk, 5'000) != RD_KAFKA_RESP_ERR_NO_ERROR)
    spdlog::warn("demo: {} events still unsent at shutdown", rd_kafka_outq_len(rk));
}

}  // namespace sluice::demo
