// app/demo_command.cc — wires `sluice demo`: a server runtime on a fresh (or given) data directory,
// the shop's pipelines, its fraud service and its event generator; stops them in reverse order on
// a signal. A data directory it created itself is removed after a clean stop.
#include "app/demo_command.h"

#include <signal.h>
#include <spdlog/spdlog.h>

#include <CLI/CLI.hpp>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <string>
#include <system_error>

#include "app/server_runtime.h"
#include "demo/fraud_service.h"
#include "demo/generator.h"
#include "demo/pipelines.h"

namespace sluice::app {
namespace {

struct demo_options {
  serve_options serve;
  double rate = 200;
  std::uint64_t seed = 42;
};

sigset_t block_stop_signals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  return set;
}

// A new directory under the system temp dir, or the empty string with a message.
std::string make_temp_data_dir() {
  std::error_code ec;
  auto base = std::filesystem::temp_directory_path(ec);
  if (ec) base = "/tmp";
  std::string pattern = (base / "sluice-demo-XXXXXX").string();
  if (mkdtemp(pattern.data()) == nullptr) {
    spdlog::error("cannot create a data directory under {}", base.string());
    return {};
  }
  return pattern;
}

// A listener's host as a client should dial it: a wildcard address means this machine.
std::string dial_host(const std::string& addr) {
  auto host = addr.substr(0, addr.rfind(':'));
  if (host.size() > 2 && host.front() == '[') host = host.substr(1, host.size() - 2);
  if (host.empty() || host == "0.0.0.0") return "127.0.0.1";
  if (host == "::") return "::1";
  return host;
}

std::string url_host(const std::string& host) {
  return host.find(':') == std::string::npos ? host : "[" + host + "]";
}

void print_banner(const demo_options& o, const server_runtime& rt, const std::string& data_dir,
                  bool temporary) {
  auto http = url_host(dial_host(o.serve.http_addr));
  auto pg = dial_host(o.serve.pg_addr);
  auto kafka = url_host(dial_host(o.serve.kafka_addr));
  std::printf(
      "\nSluice demo: an online shop is trading on this server (about %.0f events/s, seed %llu).\n\n"
      "  console: http://%s:%u/\n"
      "  psql:    psql -h %s -p %u -c 'SELECT * FROM revenue_per_minute ORDER BY window_start DESC LIMIT 5'\n"
      "           psql -h %s -p %u -c 'SELECT * FROM card_velocity'\n"
      "  kcat:    kcat -b %s:%u -C -t fraud_decisions -o beginning\n"
      "  http:    curl -N http://%s:%u/api/views/inventory_levels/changes\n"
      "  data:    %s%s\n\n"
      "Views: revenue_per_minute, inventory_levels, card_velocity, unusual_payments, delayed_shipments,\n"
      "awaiting_shipment, product_views_per_minute, card_decisions, revenue_per_hour, flagged_cards,\n"
      "low_stock. Press Ctrl-C to stop.\n\n",
      o.rate, static_cast<unsigned long long>(o.seed), http.c_str(), rt.http_port(), pg.c_str(), rt.pg_port(),
      pg.c_str(), rt.pg_port(), kafka.c_str(), rt.kafka_port(), http.c_str(), rt.http_port(),
      data_dir.c_str(), temporary ? " (removed on exit; --data-dir keeps one)" : "");
  std::fflush(stdout);
}

// Runs the demo on o.serve.data_dir until a signal; the exit code.
int run_on(const demo_options& o, const sigset_t& stop_signals, bool temporary) {
  auto runtime = server_runtime::start(o.serve);
  if (!runtime) {
    spdlog::error("{}", runtime.error().describe());
    return runtime.error().code == errc::invalid_argument ? 2 : 1;
  }
  auto applied = demo::apply_pipelines((*runtime)->components().engine);
  if (!applied) {
    spdlog::error("{}", applied.error().describe());
    return 1;
  }
  if (applied->layered_skipped > 0)
    spdlog::info("demo: {} views over views skipped until the engine supports them",
                 applied->layered_skipped);
  auto bootstrap = url_host(dial_host(o.serve.kafka_addr)) + ":" + std::to_string((*runtime)->kafka_port());
  auto service = demo::fraud_service::start(demo::fraud_service_options{.bootstrap = bootstrap});
  if (!service) {
    spdlog::error("fraud service: {}", service.error().describe());
    return 1;
  }
  // On a data directory that already holds the demo, the catalogue is there and replaying history
  // would only produce late events: go live at once, with ids past the old ones.
  auto now_s =
      std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch())
          .count();
  auto generator =
      demo::generator::start(demo::generator_options{.bootstrap = bootstrap,
                                                     .rate = o.rate,
                                                     .seed = o.seed,
                                                     .opening = applied->fresh,
                                                     .history_ms = applied->fresh ? 120'000 : 0,
                                                     .first_id = applied->fresh ? 1 : now_s * 1000});
  if (!generator) {
    spdlog::error("generator: {}", generator.error().describe());
    return 1;
  }
  print_banner(o, **runtime, o.serve.data_dir, temporary);
  int signal = 0;
  sigwait(&stop_signals, &signal);
  spdlog::info("received {}, stopping the demo", signal == SIGINT ? "SIGINT" : "SIGTERM");
  (*generator)->stop();
  (*service)->stop();
  spdlog::info("demo: {} events produced, {} fraud decisions", (*generator)->produced(),
               (*service)->decisions());
  if (auto closed = (*runtime)->stop(); !closed) {
    spdlog::error("shutdown: {}", closed.error().describe());
    return 1;
  }
  return 0;
}

int run_demo(demo_options o) {
  if (o.rate <= 0) {
    spdlog::error("--rate must be positive");
    return 2;
  }
  bool temporary = o.serve.data_dir.empty();
  if (temporary) o.serve.data_dir = make_temp_data_dir();
  if (o.serve.data_dir.empty()) return 1;
  auto stop_signals = block_stop_signals();
  int code = run_on(o, stop_signals, temporary);
  if (temporary) {
    std::error_code ec;
    std::filesystem::remove_all(o.serve.data_dir, ec);
  }
  spdlog::info("stopped");
  return code;
}

}  // namespace

void add_demo_command(CLI::App& app, int& exit_code) {
  auto o = std::make_shared<demo_options>();
  o->serve.data_dir.clear();
  auto* cmd = app.add_subcommand(
      "demo",
      "Run a server with a small online shop trading on it: events through Kafka, streaming SQL views, "
      "fraud alerts and a fraud service");
  cmd->footer(
      "The shop produces customers, products, page views, orders, payments, inventory movements and\n"
      "shipments through the Kafka protocol, with skewed popularity, bursts, injected fraud, some late\n"
      "and some malformed events. Views over them (revenue per minute, live inventory, card velocity,\n"
      "unusual payments, delayed shipments, trending products) are queryable over psql and HTTP; a\n"
      "fraud service in the consumer group `fraud-service` turns the fraud alerts into decisions on\n"
      "`fraud_decisions`. Ctrl-C stops everything. See docs/demo.md.");
  cmd->add_option("-d,--data-dir", o->serve.data_dir,
                  "Data directory (default: a new one under the system temp directory, removed on exit; "
                  "an existing demo directory is reused)");
  cmd->add_option("--kafka-addr", o->serve.kafka_addr, "Kafka listener address, host:port")
      ->capture_default_str();
  cmd->add_option("--pg-addr", o->serve.pg_addr, "Postgres wire listener address, host:port")
      ->capture_default_str();
  cmd->add_option("--http-addr", o->serve.http_addr, "HTTP API and console address, host:port")
      ->capture_default_str();
  cmd->add_option("--rate", o->rate, "Events per second on average (bursts go above it)")
      ->capture_default_str();
  cmd->add_option("--seed", o->seed, "Seed of the shop's randomness: the same seed plays the same events")
      ->capture_default_str();
  cmd->callback([o, &exit_code] { exit_code = run_demo(*o); });
}

}  // namespace sluice::app
