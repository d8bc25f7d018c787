// app/serve_command.h — `sluice serve`: runs the server until SIGINT/SIGTERM.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace CLI {
class App;
}
namespace sluice::pgwire {
class session_factory;
}
namespace sluice::storage {
class log_manager;
}

namespace sluice::app {

struct serve_options {
  std::string data_dir = "sluice-data";
  std::vector<std::string> topic_defaults;  // name=value, Kafka topic-config names
  std::string kafka_addr = "127.0.0.1:9092";
  std::string advertised_kafka_addr;       // empty: the listener's address
  std::string pg_addr = "127.0.0.1:4566";  // the Postgres wire listener
  std::int64_t max_request_bytes = 104857600;
  bool auto_create_topics = true;
  std::int32_t default_partitions = 1;
  unsigned io_threads = 0;       // event loops; 0: one per core
  unsigned storage_threads = 4;  // the blocking pool for appends, fdatasync and topic changes
};

// Makes the SQL sessions the Postgres listener serves, once the data directory is open. Empty: every
// statement fails with SQLSTATE 0A000 (pgwire::engine_unavailable_sessions) until the engine is wired
// in, so clients connect normally but never get a made-up answer.
using sql_sessions_fn = std::function<std::shared_ptr<pgwire::session_factory>(storage::log_manager& logs)>;

// Adds `serve`. Its settings come from flags, SLUICE_* environment variables and an optional
// --config TOML file (see app/serve_config.h); `options` receives the merged settings, and
// `exit_code` is 2 for a bad setting, before anything starts.
void add_serve_command(CLI::App& app, serve_options& options, int& exit_code,
                       sql_sessions_fn sql_sessions = {});

}  // namespace sluice::app
