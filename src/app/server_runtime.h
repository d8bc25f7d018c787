// app/server_runtime.h — one running Sluice server: the partition logs, the Kafka broker and its
// consumer groups, the SQL engine, and the Kafka, Postgres and HTTP listeners, started and stopped
// in dependency order. `sluice serve` runs one until a signal; `sluice demo` runs one embedded.
//
// Invariant: while a runtime exists every component in its `services` is open; stop() closes the
// listeners first, then the engine and the groups, and the logs last (clean-shutdown marker).
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>

#include "app/serve_command.h"
#include "base/result.h"

namespace sluice::storage {
class log_manager;
}
namespace sluice::broker {
class broker;
}
namespace sluice::group {
class group_coordinator;
}
namespace sluice::engine {
class engine;
}
namespace sluice::http {
class server;
}

namespace sluice::app {

// What HTTP routes (API, console, metrics) may read. Every reference outlives the routes.
struct services {
  storage::log_manager& logs;
  broker::broker& broker;
  group::group_coordinator& groups;
  engine::engine& engine;
  std::chrono::steady_clock::time_point started;
};

// Every HTTP route the server answers: the SQL API, and what later components add.
void add_http_routes(http::server& server, const services& s);
// GET /api/pipelines and /api/pipelines/stream (app/pipelines_api.cc).
void add_pipelines_routes(http::server& server, const services& s);

// For commands that run until Ctrl-C: blocks SIGINT and SIGTERM in the calling thread and every
// thread started after it (call before starting a runtime), so that wait_for_stop_signal() takes
// them synchronously; it returns the signal's name.
void block_stop_signals();
const char* wait_for_stop_signal();

class server_runtime {
 public:
  // Opens the data directory and starts every component and listener. Errors name the setting or
  // the component that failed; nothing is left running then.
  static result<std::unique_ptr<server_runtime>> start(const serve_options& options);
  ~server_runtime();  // stop()s
  server_runtime(const server_runtime&) = delete;
  server_runtime& operator=(const server_runtime&) = delete;

  // The ports actually bound (a configured port 0 picks a free one).
  std::uint16_t kafka_port() const;
  std::uint16_t pg_port() const;
  std::uint16_t http_port() const;
  const services& components() const;

  // Stops and closes everything; idempotent. Fails only if the logs could not be closed cleanly.
  result<void> stop();

 private:
  struct parts;
  explicit server_runtime(std::unique_ptr<parts> p);
  std::unique_ptr<parts> parts_;
};

}  // namespace sluice::app
