#include "app/serve_command.h"

#include <signal.h>
#include <spdlog/spdlog.h>

#include <CLI/CLI.hpp>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <fstream>
#include <memory>
#include <optional>
#include <sstream>
#include <thread>

#include "app/serve_config.h"
#include "app/sql_endpoints.h"
#include "broker/broker.h"
#include "engine/engine.h"
#include "group/coordinator.h"
#include "http/server.h"
#include "net/asio.h"
#include "net/server.h"
#include "pgwire/listener.h"
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
  auto pg_at = parse_host_port(options.pg_addr, "--pg-addr");
  if (!pg_at) {
    spdlog::error("{}", pg_at.error().describe());
    return 2;
  }
  auto http_at = parse_host_port(options.http_addr, "--http-addr");
  if (!http_at) {
    spdlog::error("{}", http_at.error().describe());
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
  if (options.default_partitions < 1 || options.max_request_bytes < 1 || options.storage_threads < 1) {
    spdlog::error("--default-partitions, --max-request-bytes and --storage-threads must be positive");
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
                                                 .threads = options.io_threads,
                                                 .blocking_threads = options.storage_threads,
                                                 .name = "kafka"});
    broker::broker_config config{.advertised_host = advertised ? advertised->host : listen_at->host,
                                 .advertised_port = advertised ? advertised->port : listen_at->port,
                                 .auto_create_topics = options.auto_create_topics,
                                 .default_partitions = options.default_partitions,
                                 .node_id = 0};
    broker::broker kafka_broker(**logs, config, kafka_server.blocking_pool());
    // Consumer groups: replays the offsets topic before the listener accepts anyone. Their timers
    // (session and rebalance timeouts) run on an event loop of their own.
    boost::asio::io_context group_timers;
    group::group_coordinator groups(group_timers, logs->get(), group::coordinator_config{});
    if (auto loaded = groups.load(); !loaded) {
      spdlog::error("cannot load consumer groups: {}", loaded.error().describe());
      (void)(*logs)->close();
      return 1;
    }
    kafka_broker.ctx().groups = &groups;
    auto timers_work = boost::asio::make_work_guard(group_timers);
    std::thread group_timer_thread([&group_timers] { group_timers.run(); });
    // The SQL engine: restores its catalog and starts every view's dataflow before clients connect.
    auto sql_engine = engine::engine::open(
        **logs, engine::engine_options{.state_dir = options.data_dir + "/sql-state",
                                       .default_partitions = options.default_partitions});
    if (!sql_engine) {
      spdlog::error("cannot start the SQL engine: {}", sql_engine.error().describe());
      group_timers.stop();
      group_timer_thread.join();
      (void)(*logs)->close();
      return 1;
    }
    spdlog::info("sql engine ready ({} ms)", elapsed_ms());
    // The Postgres listener has event loops and a query pool of its own, so a slow query never
    // holds up an append.
    pgwire::listener pg_listener(
        pgwire::listener_options{.host = pg_at->host, .port = pg_at->port, .threads = options.io_threads},
        engine_sessions(**sql_engine));
    http::server http_server(http::server_options{.host = http_at->host, .port = http_at->port});
    add_sql_routes(http_server, **sql_engine);
    auto listening = kafka_server.listen(
        [&kafka_broker](std::vector<std::byte> frame, boost::asio::io_context& loop, net::reply_fn respond) {
          kafka_broker.handle(std::move(frame), loop, std::move(respond));
        });
    if (listening) listening = pg_listener.listen();
    if (listening) listening = http_server.listen();
    if (!listening) {
      spdlog::error("{}", listening.error().describe());
      exit_code = 1;
    } else {
      // Port 0 picks a free port: advertise the one actually bound.
      if (!advertised) kafka_broker.ctx().config.advertised_port = kafka_server.local_port();
      kafka_server.run();
      spdlog::info("kafka listener on {} (advertised as {}:{}); {} event loops, {} storage threads",
                   kafka_server.local_address(), kafka_broker.ctx().config.advertised_host,
                   kafka_broker.ctx().config.advertised_port, kafka_server.loop_count(),
                   options.storage_threads);
      pg_listener.run();
      spdlog::info("postgres listener on {}", pg_listener.local_address());
      http_server.run();
      spdlog::info("http listener on {}:{}", http_at->host, http_server.local_port());
      spdlog::info("sluice is running; press Ctrl-C to stop");
      int signal = 0;
      sigwait(&stop_signals, &signal);
      spdlog::info("received {}, shutting down", signal == SIGINT ? "SIGINT" : "SIGTERM");
    }
    // Stop accepting, close the connections and let queued storage work finish before the logs
    // close under them; then the group timers, before the coordinator goes.
    http_server.stop();
    pg_listener.stop();
    (*sql_engine)->stop();
    kafka_server.stop();
    group_timers.stop();
    group_timer_thread.join();
  }
  if (auto closed = (*logs)->close(); !closed) {
    spdlog::error("shutdown: {}", closed.error().describe());
    return 1;
  }
  spdlog::info("stopped");
  return exit_code;
}

// The flags as CLI11 parses them; each setting's Option tells whether it was given, so an unset
// flag falls through to the environment, then the config file.
struct serve_command_state {
  std::string config_path;
  serve_options values;
  CLI::Option* config = nullptr;
  CLI::Option* data_dir = nullptr;
  CLI::Option* kafka_addr = nullptr;
  CLI::Option* advertised_kafka_addr = nullptr;
  CLI::Option* pg_addr = nullptr;
  CLI::Option* http_addr = nullptr;
  CLI::Option* max_request_bytes = nullptr;
  CLI::Option* auto_create_topics = nullptr;
  CLI::Option* default_partitions = nullptr;
  CLI::Option* io_threads = nullptr;
  CLI::Option* storage_threads = nullptr;
};

template <typename T>
std::optional<T> if_given(const CLI::Option* option, const T& value) {
  if (option->count() == 0) return std::nullopt;
  return value;
}

result<std::optional<config_file>> read_config_file(const serve_command_state& state) {
  if (state.config->count() == 0) return std::nullopt;
  std::ifstream in(state.config_path, std::ios::binary);
  if (!in)
    return fail(errc::invalid_config,
                "cannot read config file " + state.config_path + ": " + std::strerror(errno));
  std::ostringstream contents;
  contents << in.rdbuf();
  return config_file{state.config_path, contents.str()};
}

int run_serve(const serve_command_state& state, serve_options& options) {
  auto file = read_config_file(state);
  if (!file) {
    spdlog::error("{}", file.error().describe());
    return 2;
  }
  const auto& v = state.values;
  serve_flags flags{.data_dir = if_given(state.data_dir, v.data_dir),
                    .kafka_addr = if_given(state.kafka_addr, v.kafka_addr),
                    .advertised_kafka_addr = if_given(state.advertised_kafka_addr, v.advertised_kafka_addr),
                    .pg_addr = if_given(state.pg_addr, v.pg_addr),
                    .http_addr = if_given(state.http_addr, v.http_addr),
                    .max_request_bytes = if_given(state.max_request_bytes, v.max_request_bytes),
                    .auto_create_topics = if_given(state.auto_create_topics, v.auto_create_topics),
                    .default_partitions = if_given(state.default_partitions, v.default_partitions),
                    .io_threads = if_given(state.io_threads, v.io_threads),
                    .storage_threads = if_given(state.storage_threads, v.storage_threads),
                    .topic_defaults = v.topic_defaults};
  auto merged = merge_serve_config(flags, process_env, *file);
  if (!merged) {
    spdlog::error("{}", merged.error().describe());
    return 2;
  }
  options = std::move(*merged);
  return serve(options);
}

}  // namespace

void add_serve_command(CLI::App& app, serve_options& options, int& exit_code) {
  auto state = std::make_shared<serve_command_state>();
  auto& v = state->values;
  auto* cmd = app.add_subcommand("serve", "Run the Sluice server on a local data directory");
  state->config =
      cmd->add_option("-c,--config", state->config_path,
                      "TOML config file; flags override the environment, which overrides the file");
  state->data_dir = cmd->add_option("-d,--data-dir", v.data_dir,
                                    "Directory holding topics and their logs [env: SLUICE_DATA_DIR]")
                        ->capture_default_str();
  cmd->add_option("--topic-default", v.topic_defaults,
                  "Server-wide default for a topic config, e.g. flush.messages=1 (repeatable)");
  state->kafka_addr = cmd->add_option("--kafka-addr", v.kafka_addr,
                                      "Kafka listener address, host:port [env: SLUICE_KAFKA_ADDR]")
                          ->capture_default_str();
  state->advertised_kafka_addr = cmd->add_option(
      "--advertised-kafka-addr", v.advertised_kafka_addr,
      "Address clients are told to connect to (default: the listener's) [env: SLUICE_ADVERTISED_KAFKA_ADDR]");
  state->pg_addr = cmd->add_option("--pg-addr", v.pg_addr,
                                   "Postgres wire listener address, host:port [env: SLUICE_PG_ADDR]")
                       ->capture_default_str();
  state->http_addr =
      cmd->add_option("--http-addr", v.http_addr,
                      "HTTP API address (SQL, views, change streams), host:port [env: SLUICE_HTTP_ADDR]")
          ->capture_default_str();
  state->max_request_bytes = cmd->add_option("--max-request-bytes", v.max_request_bytes,
                                             "Largest Kafka request accepted; larger ones close the "
                                             "connection [env: SLUICE_MAX_REQUEST_BYTES]")
                                 ->capture_default_str();
  state->auto_create_topics =
      cmd->add_option(
             "--auto-create-topics", v.auto_create_topics,
             "Create unknown topics on Metadata and Produce requests [env: SLUICE_AUTO_CREATE_TOPICS]")
          ->capture_default_str();
  state->default_partitions =
      cmd->add_option("--default-partitions", v.default_partitions,
                      "Partitions of auto-created topics [env: SLUICE_DEFAULT_PARTITIONS]")
          ->capture_default_str();
  state->io_threads =
      cmd->add_option("--io-threads", v.io_threads,
                      "Event loops, one thread each; 0 means one per core [env: SLUICE_IO_THREADS]")
          ->capture_default_str();
  state->storage_threads = cmd->add_option("--storage-threads", v.storage_threads,
                                           "Threads that run appends, fdatasync and topic changes off "
                                           "the event loops [env: SLUICE_STORAGE_THREADS]")
                               ->capture_default_str();
  cmd->callback([state, &options, &exit_code] { exit_code = run_serve(*state, options); });
}

}  // namespace sluice::app
