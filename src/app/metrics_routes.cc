#include "app/metrics_routes.h"

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "app/server_metrics.h"
#include "app/server_runtime.h"
#include "base/json_string.h"
#include "engine/engine.h"
#include "group/coordinator.h"
#include "http/server.h"
#include "metrics/text_format.h"
#include "storage/log_manager.h"

#ifndef SLUICE_VERSION
#define SLUICE_VERSION "unknown"
#endif

namespace sluice::app {
namespace {

using clock = std::chrono::steady_clock;

struct totals {
  double records_in = 0, bytes_in = 0, records_out = 0, bytes_out = 0;
};

totals totals_of(const std::vector<metrics::family_snapshot>& families) {
  return totals{metrics::total(families, "sluice_topic_records_in_total"),
                metrics::total(families, "sluice_topic_bytes_in_total"),
                metrics::total(families, "sluice_topic_records_out_total"),
                metrics::total(families, "sluice_topic_bytes_out_total")};
}

void add_field(std::string& out, const char* name, double value) {
  if (out.size() > 1) out += ',';
  out += '"';
  out += name;
  out += "\":";
  out += metrics::format_value(value);
}

// The views the engine runs, counted through its own SHOW statement (nothing added to the engine).
double view_count(engine::engine& e) {
  auto shown = e.open_session()->execute("SHOW MATERIALIZED VIEWS");
  return shown ? static_cast<double>(shown->rows.size()) : 0;
}

// Samples the totals once a second for the rates, and feeds the overview streams.
class overview_feed {
 public:
  explicit overview_feed(const services& s) : s_(s), server_metrics_(collect_server_metrics(s)) {
    thread_ = std::thread([this] { run(); });
  }
  ~overview_feed() {
    {
      std::lock_guard lock(mu_);
      stopping_ = true;
    }
    wake_.notify_all();
    thread_.join();
  }
  overview_feed(const overview_feed&) = delete;
  overview_feed& operator=(const overview_feed&) = delete;

  std::string overview_json() { return json_of(metrics::default_registry().collect()); }

  // Called on the HTTP event loop, which must not wait for the engine: the feed's thread sends the first
  // event at once.
  void subscribe(const std::shared_ptr<http::event_stream>& events) {
    {
      std::lock_guard lock(mu_);
      newcomers_.push_back(events);
    }
    wake_.notify_all();
  }

 private:
  std::string json_of(const std::vector<metrics::family_snapshot>& families) {
    auto all = totals_of(families);
    totals per_second;
    {
      std::lock_guard lock(mu_);
      per_second = rates_;
    }
    auto topics = s_.logs.list_topics();
    double partitions = 0;
    for (const auto& t : topics) partitions += t.partitions;
    std::string out = "{\"version\":";
    append_json_string(out, SLUICE_VERSION);
    add_field(out, "uptime_seconds", std::chrono::duration<double>(clock::now() - s_.started).count());
    add_field(out, "topics", static_cast<double>(topics.size()));
    add_field(out, "partitions", partitions);
    add_field(out, "disk_bytes", metrics::total(families, "sluice_disk_bytes"));
    add_field(out, "groups", static_cast<double>(s_.groups.list().size()));
    add_field(out, "views", view_count(s_.engine));
    add_field(out, "connections", metrics::total(families, "sluice_connections"));
    add_field(out, "records_in_total", all.records_in);
    add_field(out, "bytes_in_total", all.bytes_in);
    add_field(out, "records_out_total", all.records_out);
    add_field(out, "bytes_out_total", all.bytes_out);
    add_field(out, "records_in_per_second", per_second.records_in);
    add_field(out, "bytes_in_per_second", per_second.bytes_in);
    add_field(out, "records_out_per_second", per_second.records_out);
    add_field(out, "bytes_out_per_second", per_second.bytes_out);
    return out + "}";
  }

  void run() {
    auto next = clock::now();
    std::unique_lock lock(mu_);
    while (!stopping_) {
      if (clock::now() >= next) {
        tick(lock);
        next = std::max(next + std::chrono::seconds(1), clock::now());
      }
      if (!newcomers_.empty()) greet(lock);
      wake_.wait_until(lock, next, [this] { return stopping_ || !newcomers_.empty(); });
    }
  }

  // A new sample gives the rates over the interval since the previous one; every stream gets an event.
  // REQUIRES: lock holds mu_ (released while collecting and pushing).
  void tick(std::unique_lock<std::mutex>& lock) {
    lock.unlock();
    auto families = metrics::default_registry().collect();
    auto now = clock::now();
    auto sampled = totals_of(families);
    lock.lock();
    if (last_) {
      double dt = std::chrono::duration<double>(now - last_->first).count();
      auto rate = [dt](double a, double b) { return dt > 0 ? std::max(0.0, a - b) / dt : 0; };
      const auto& before = last_->second;
      rates_ =
          totals{rate(sampled.records_in, before.records_in), rate(sampled.bytes_in, before.bytes_in),
                 rate(sampled.records_out, before.records_out), rate(sampled.bytes_out, before.bytes_out)};
    }
    last_.emplace(now, sampled);
    std::erase_if(subscribers_, [](const auto& w) {
      auto s = w.lock();
      return !s || s->closed();
    });
    if (subscribers_.empty()) return;
    auto streams = subscribers_;
    lock.unlock();
    push(streams, json_of(families));
    lock.lock();
  }

  // REQUIRES: lock holds mu_ (released while collecting and pushing).
  void greet(std::unique_lock<std::mutex>& lock) {
    auto fresh = std::move(newcomers_);
    newcomers_.clear();
    lock.unlock();
    push(fresh, overview_json());
    lock.lock();
    subscribers_.insert(subscribers_.end(), fresh.begin(), fresh.end());
  }

  static void push(const std::vector<std::weak_ptr<http::event_stream>>& streams, const std::string& json) {
    for (const auto& w : streams)
      if (auto s = w.lock()) s->push("overview", json);
  }

  const services& s_;
  metrics::collector_handle server_metrics_;
  std::mutex mu_;  // guards what follows
  std::condition_variable wake_;
  bool stopping_ = false;
  std::optional<std::pair<clock::time_point, totals>> last_;
  totals rates_;
  // Streams belong to their connections: held weakly.
  std::vector<std::weak_ptr<http::event_stream>> subscribers_;
  std::vector<std::weak_ptr<http::event_stream>> newcomers_;  // not sent an event yet
  std::thread thread_;
};

}  // namespace

void add_metrics_routes(http::server& server, const services& s) {
  auto feed = std::make_shared<overview_feed>(s);
  server.route("GET", "/metrics", [](const http::request&) -> http::handler_result {
    return http::response{.status = 200,
                          .content_type = std::string(metrics::text_content_type),
                          .body = metrics::render_text(metrics::default_registry().collect()),
                          .headers = {}};
  });
  server.route("GET", "/api/overview", [feed](const http::request&) -> http::handler_result {
    return http::json_response(200, feed->overview_json());
  });
  server.route("GET", "/api/overview/stream", [feed](const http::request&) -> http::handler_result {
    return http::stream_starter(
        [feed](const std::shared_ptr<http::event_stream>& events) { feed->subscribe(events); });
  });
}

}  // namespace sluice::app
