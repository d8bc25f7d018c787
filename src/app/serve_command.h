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

namespace sluice::app {

struct serve_options {
  std::string data_dir = "sluice-data";
  std::vector<std::string> topic_defaults;  // name=value, Kafka topic-config names
  std::string kafka_addr = "127.0.0.1:9092";
  std::string advertised_kafka_addr;         // empty: the listener's address
  std::string pg_addr = "127.0.0.1:4566";    // the Postgres wire listener
  std::string http_addr = "127.0.0.1:8080";  // the HTTP API (and later the console)
  std::int64_t max_request_bytes = 104857600;
  bool auto_create_topics = true;
  std::int32_t default_partitions = 1;
  unsigned io_threads = 0;                     // event loops; 0: one per core
  unsigned storage_threads = 4;                // the blocking pool for appends, fdatasync and topic changes
  std::int64_t checkpoint_interval_ms = 1000;  // the SQL engine's checkpoints (and sinks' output)
};

// Adds `serve`. Its settings come from flags, SLUICE_* environment variables and an optional
// --config TOML file (see app/serve_config.h); `options` receives the merged settings, and
// `exit_code` is 2 for a bad setting, before anything starts.
void add_serve_command(CLI::App& app, serve_options& options, int& exit_code);

}  // namespace sluice::app
