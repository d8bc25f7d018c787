#include "app/serve_command.h"

#include <signal.h>
#include <spdlog/spdlog.h>

#include <CLI/CLI.hpp>
#include <chrono>
#include <optional>

#include "broker/broker.h"
#include "net/server.h"
#include "storage/log_manager.h"

namespace sluice::app {
namespace {

result<storage::log_config> server_defaults(const std::vector<std::string>& assignments) {
  storage::config_overrides overrides;
  for (const auto& a : assignments) {
    auto eq = a.find('=');
    if (eq == std::string::npos || eq == 0)
      return fail(errc::invalid_config, "--topic-default expects name=value, got '" + a + "'");
    overrides[a.substr(0, eq)] = a.substr(eq + 1);
  }
  return storage::resolve_config(storage::log_config{}, overrides);
}

struct host_port {
  std::string host;
  std::uint16_t port;
};

result<host_port> parse_host_port(const std::string& text, const char* flag) {
  auto colon = text.rfind(':');
  auto bad = [&] {
    return fail(errc::invalid_argument, std::string(flag) + " expects host:port, got '" + text + "'");
  };
  if (colon == std::string::npos || colon == 0) return bad();
  auto port_text = text.substr(colon + 1);
  if (port_text.empty() || port_text.size() > 5 ||
      port_text.find_first_not_of("0123456789") != std::string::npos)
    return bad();
  auto port = std::stoi(port_text);
  if (port > 65535) return bad();
  auto host = text.substr(0, colon);
  // [::1]:9092
  if (host.size() > 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  return host_port{host, static_cast<std::uint16_t>(port)};
}

// Blocks SIGINT and SIGTERM in every thread started after this, so the main
// thread can wait for them synchronously.
sigset_t block_stop_signals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  return set;
}

int serve(const serve_options& options) {
  auto started = std::chrono::steady_clock::now();
  auto elapsed_ms = [&] {
    return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started)
        .count();
  };
  auto defaults = server_defaults(options.topic_defaults);
  if (!defaults) {
    spdlog::error("{}", defaults.error().describe());
    return 2;
  }
  auto listen_at = parse_host_port(options.kafka_addr, "--kafka-addr");
  if (!listen_at) {
    spdlog::error("{}", listen_at.error().describe());
    return 2;
  }
  std::optional<host_port> advertised;
  if (!options.advertised_kafka_addr.empty()) {
    auto parsed = parse_host_port(options.advertised_kafka_addr, "--advertised-kafka-addr");
    if (!parsed) {
      spdlog::error("{}", parsed.error().describe());
      return 2;
    }
    advertised = *parsed;
  }
  if (options.default_partitions < 1 || options.max_request_bytes < 1) {
    spdlog::error("--default-partitions and --max-request-bytes must be positive");
    return 2;
  }
  auto stop_signals = block_stop_signals();
  spdlog::info("starting sluice; data directory {}", options.data_dir);
  storage::storage_options storage{.data_dir = options.data_dir, .defaults = *defaults};
  auto logs = storage::log_manager::open(io::file_system::posix(), storage);
  if (!logs) {
    spdlog::error("cannot open the data directory: {}", logs.error().describe());
    return 1;
  }
  spdlog::info("storage ready: {} topics, {} start, cluster id {} ({} ms)", (*logs)->list_topics().size(),
               (*logs)->recovered_cleanly() ? "clean" : "recovered", (*logs)->cluster_id(), elapsed_ms());
  int exit_code = 0;
  {
    net::server kafka_server(net::server_options{.host = listen_at->host,
                                                 .port = listen_at->port,
                                                 .max_request_bytes = options.max_request_bytes,
                                                 .threads = 0,
                                                 .name = "kafka"});
    broker::broker_config config{.advertised_host = advertised ? advertised->host : listen_at->host,
                                 .advertised_port = advertised ? advertised->port : listen_at->port,
                                 .auto_create_topics = options.auto_create_topics,
                                 .default_partitions = options.default_partitions,
                                 .node_id = 0};
    broker::broker kafka_broker(**logs, config, &kafka_server.io());
    auto listening =
        kafka_server.listen([&kafka_broker](std::vector<std::byte> frame, net::reply_fn respond) {
          kafka_broker.handle(std::move(frame), std::move(respond));
        });
    if (!listening) {
      spdlog::error("{}", listening.error().describe());
      exit_code = 1;
    } else {
      // Port 0 picks a free port: advertise the one actually bound.
      if (!advertised) kafka_broker.ctx().config.advertised_port = kafka_server.local_port();
      kafka_server.run();
      spdlog::info("kafka listener on {} (advertised as {}:{})", kafka_server.local_address(),
                   kafka_broker.ctx().config.advertised_host, kafka_broker.ctx().config.advertised_port);
      spdlog::info("sluice is running; press Ctrl-C to stop");
      int signal = 0;
      sigwait(&stop_signals, &signal);
      spdlog::info("received {}, shutting down", signal == SIGINT ? "SIGINT" : "SIGTERM");
    }
    // Stop accepting and close the connections before the logs close under them.
    kafka_server.stop();
  }
  if (auto closed = (*logs)->close(); !closed) {
    spdlog::error("shutdown: {}", closed.error().describe());
    return 1;
  }
  spdlog::info("stopped");
  return exit_code;
}

}  // namespace

void add_serve_command(CLI::App& app, serve_options& options, int& exit_code) {
  auto* cmd = app.add_subcommand("serve", "Run the Sluice server on a local data directory");
  cmd->add_option("-d,--data-dir", options.data_dir, "Directory holding topics and their logs")
      ->capture_default_str();
  cmd->add_option("--topic-default", options.topic_defaults,
                  "Server-wide default for a topic config, e.g. flush.messages=1 (repeatable)");
  cmd->add_option("--kafka-addr", options.kafka_addr, "Kafka listener address, host:port")
      ->capture_default_str();
  cmd->add_option("--advertised-kafka-addr", options.advertised_kafka_addr,
                  "Address clients are told to connect to (default: the listener's)");
  cmd->add_option("--max-request-bytes", options.max_request_bytes,
                  "Largest Kafka request accepted; larger ones close the connection")
      ->capture_default_str();
  cmd->add_option("--auto-create-topics", options.auto_create_topics,
                  "Create unknown topics on Metadata and Produce requests")
      ->capture_default_str();
  cmd->add_option("--default-partitions", options.default_partitions, "Partitions of auto-created topics")
      ->capture_default_str();
  cmd->callback([&options, &exit_code] { exit_code = serve(options); });
}

}  // namespace sluice::app
