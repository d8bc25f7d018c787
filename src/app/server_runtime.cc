#include "app/server_runtime.h"

#include <signal.h>
#include <spdlog/spdlog.h>

#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "app/console_api.h"
#include "app/console_routes.h"
#include "app/metrics_routes.h"
#include "app/server_metrics.h"
#include "app/sql_endpoints.h"
#include "base/thread_name.h"
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

struct addresses {
  host_port kafka, pg, http;
  std::optional<host_port> advertised;
};

result<addresses> parse_addresses(const serve_options& options) {
  auto kafka = parse_host_port(options.kafka_addr, "--kafka-addr");
  if (!kafka) return tl::unexpected(kafka.error());
  auto pg = parse_host_port(options.pg_addr, "--pg-addr");
  if (!pg) return tl::unexpected(pg.error());
  auto http = parse_host_port(options.http_addr, "--http-addr");
  if (!http) return tl::unexpected(http.error());
  addresses out{*kafka, *pg, *http, std::nullopt};
  if (!options.advertised_kafka_addr.empty()) {
    auto advertised = parse_host_port(options.advertised_kafka_addr, "--advertised-kafka-addr");
    if (!advertised) return tl::unexpected(advertised.error());
    out.advertised = *advertised;
  }
  if (options.default_partitions < 1 || options.max_request_bytes < 1 || options.storage_threads < 1 ||
      options.checkpoint_interval_ms < 1)
    return fail(errc::invalid_argument,
                "--default-partitions, --max-request-bytes, --storage-threads and --checkpoint-interval-ms "
                "must be positive");
  return out;
}

}  // namespace

namespace {
sigset_t stop_signal_set() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  return set;
}
}  // namespace

void block_stop_signals() {
  sigset_t set = stop_signal_set();
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
}

const char* wait_for_stop_signal() {
  sigset_t set = stop_signal_set();
  int signal = 0;
  sigwait(&set, &signal);
  return signal == SIGINT ? "SIGINT" : "SIGTERM";
}

void add_http_routes(http::server& server, const services& s) {
  add_sql_routes(server, s.engine);
  add_console_routes(server);
  add_metrics_routes(server, s);
  add_console_api_routes(server, s);
  add_pipelines_routes(server, s);
}

// Members are declared in start order, so they are destroyed in stop order.
struct server_runtime::parts {
  std::chrono::steady_clock::time_point started = std::chrono::steady_clock::now();
  std::unique_ptr<storage::log_manager> logs;
  std::unique_ptr<net::server> kafka_server;
  std::unique_ptr<broker::broker> kafka_broker;
  boost::asio::io_context group_timers;
  std::optional<boost::asio::executor_work_guard<boost::asio::io_context::executor_type>> timers_work;
  std::unique_ptr<group::group_coordinator> groups;
  std::thread group_timer_thread;
  std::unique_ptr<engine::engine> sql_engine;
  std::unique_ptr<pgwire::listener> pg_listener;
  std::unique_ptr<http::server> http_server;
  std::optional<services> shared;
  metrics::collector_handle connection_metrics;  // reads the listeners: removed before they stop
  bool stopped = false;

  long long elapsed_ms() const {
    return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started)
        .count();
  }

  // Stops accepting, closes the connections and lets queued storage work finish before the logs close
  // under them; then the group timers, before the coordinator goes.
  result<void> stop() {
    if (stopped) return {};
    stopped = true;
    connection_metrics.reset();
    if (http_server) http_server->stop();
    if (pg_listener) pg_listener->stop();
    if (sql_engine) sql_engine->stop();
    if (kafka_server) kafka_server->stop();
    group_timers.stop();
    if (group_timer_thread.joinable()) group_timer_thread.join();
    http_server.reset();
    pg_listener.reset();
    sql_engine.reset();
    groups.reset();
    kafka_broker.reset();
    kafka_server.reset();
    if (!logs) return {};
    return logs->close();
  }
};

result<std::unique_ptr<server_runtime>> server_runtime::start(const serve_options& options) {
  auto defaults = server_defaults(options.topic_defaults);
  if (!defaults) return tl::unexpected(defaults.error());
  auto at = parse_addresses(options);
  if (!at) return tl::unexpected(at.error());

  auto p = std::make_unique<parts>();
  spdlog::info("starting sluice; data directory {}", options.data_dir);
  storage::storage_options storage{.data_dir = options.data_dir, .defaults = *defaults};
  auto logs = storage::log_manager::open(io::file_system::posix(), storage);
  if (!logs) return fail(logs.error().code, "cannot open the data directory: " + logs.error().message);
  p->logs = std::move(*logs);
  spdlog::info("storage ready: {} topics, {} start, cluster id {} ({} ms)", p->logs->list_topics().size(),
               p->logs->recovered_cleanly() ? "clean" : "recovered", p->logs->cluster_id(), p->elapsed_ms());

  p->kafka_server =
      std::make_unique<net::server>(net::server_options{.host = at->kafka.host,
                                                        .port = at->kafka.port,
                                                        .max_request_bytes = options.max_request_bytes,
                                                        .threads = options.io_threads,
                                                        .blocking_threads = options.storage_threads,
                                                        .name = "kafka"});
  broker::broker_config config{.advertised_host = at->advertised ? at->advertised->host : at->kafka.host,
                               .advertised_port = at->advertised ? at->advertised->port : at->kafka.port,
                               .auto_create_topics = options.auto_create_topics,
                               .default_partitions = options.default_partitions,
                               .node_id = 0};
  p->kafka_broker = std::make_unique<broker::broker>(*p->logs, config, p->kafka_server->blocking_pool());
  // Consumer groups: replays the offsets topic before the listener accepts anyone. Their timers
  // (session and rebalance timeouts) run on an event loop of their own.
  p->groups =
      std::make_unique<group::group_coordinator>(p->group_timers, p->logs.get(), group::coordinator_config{});
  if (auto loaded = p->groups->load(); !loaded) {
    (void)p->stop();
    return fail(loaded.error().code, "cannot load consumer groups: " + loaded.error().message);
  }
  p->kafka_broker->ctx().groups = p->groups.get();
  p->timers_work.emplace(boost::asio::make_work_guard(p->group_timers));
  p->group_timer_thread = std::thread([&timers = p->group_timers] {
    name_this_thread("group-timers");
    timers.run();
  });

  // The SQL engine: restores its catalog and starts every view's dataflow before clients connect.
  auto sql_engine = engine::engine::open(
      *p->logs, engine::engine_options{
                    .state_dir = options.data_dir + "/sql-state",
                    .default_partitions = options.default_partitions,
                    .checkpoint_interval = std::chrono::milliseconds(options.checkpoint_interval_ms)});
  if (!sql_engine) {
    (void)p->stop();
    return fail(sql_engine.error().code, "cannot start the SQL engine: " + sql_engine.error().message);
  }
  p->sql_engine = std::move(*sql_engine);
  spdlog::info("sql engine ready ({} ms)", p->elapsed_ms());

  // The Postgres listener has event loops and a query pool of its own, so a slow query never holds up
  // an append.
  p->pg_listener = std::make_unique<pgwire::listener>(
      pgwire::listener_options{.host = at->pg.host, .port = at->pg.port, .threads = options.io_threads},
      engine_sessions(*p->sql_engine));
  p->http_server =
      std::make_unique<http::server>(http::server_options{.host = at->http.host, .port = at->http.port});
  p->shared.emplace(services{*p->logs, *p->kafka_broker, *p->groups, *p->sql_engine, p->started});
  add_http_routes(*p->http_server, *p->shared);
  p->connection_metrics = collect_connections(*p->kafka_server, *p->pg_listener);

  auto& kafka_broker = *p->kafka_broker;
  auto listening = p->kafka_server->listen(
      [&kafka_broker](shared_bytes frame, boost::asio::io_context& loop, net::reply_fn respond) {
        kafka_broker.handle(std::move(frame), loop, std::move(respond));
      });
  if (listening) listening = p->pg_listener->listen();
  if (listening) listening = p->http_server->listen();
  if (!listening) {
    (void)p->stop();
    return tl::unexpected(listening.error());
  }
  // Port 0 picks a free port: advertise the one actually bound.
  if (!at->advertised) kafka_broker.ctx().config.advertised_port = p->kafka_server->local_port();
  p->kafka_server->run();
  spdlog::info("kafka listener on {} (advertised as {}:{}); {} event loops, {} storage threads",
               p->kafka_server->local_address(), kafka_broker.ctx().config.advertised_host,
               kafka_broker.ctx().config.advertised_port, p->kafka_server->loop_count(),
               options.storage_threads);
  p->pg_listener->run();
  spdlog::info("postgres listener on {}", p->pg_listener->local_address());
  p->http_server->run();
  spdlog::info("http listener on {}:{}", at->http.host, p->http_server->local_port());
  return std::unique_ptr<server_runtime>(new server_runtime(std::move(p)));
}

server_runtime::server_runtime(std::unique_ptr<parts> p) : parts_(std::move(p)) {}

server_runtime::~server_runtime() {
  if (auto closed = stop(); !closed) spdlog::error("shutdown: {}", closed.error().message);
}

std::uint16_t server_runtime::kafka_port() const { return parts_->kafka_server->local_port(); }
std::uint16_t server_runtime::pg_port() const { return parts_->pg_listener->local_port(); }
std::uint16_t server_runtime::http_port() const { return parts_->http_server->local_port(); }
const services& server_runtime::components() const { return *parts_->shared; }

result<void> server_runtime::stop() { return parts_->stop(); }

}  // namespace sluice::app
