#include "app/serve_command.h"

#include <spdlog/spdlog.h>

#include <CLI/CLI.hpp>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <optional>
#include <sstream>

#include "app/serve_config.h"
#include "app/server_runtime.h"

namespace sluice::app {
namespace {

int serve(const serve_options& options) {
  block_stop_signals();
  auto runtime = server_runtime::start(options);
  if (!runtime) {
    spdlog::error("{}", runtime.error().describe());
    bool bad_setting =
        runtime.error().code == errc::invalid_argument || runtime.error().code == errc::invalid_config;
    return bad_setting ? 2 : 1;
  }
  spdlog::info("sluice is running; press Ctrl-C to stop");
  spdlog::info("received {}, shutting down", wait_for_stop_signal());
  if (auto closed = (*runtime)->stop(); !closed) {
    spdlog::error("shutdown: {}", closed.error().describe());
    return 1;
  }
  spdlog::info("stopped");
  return 0;
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
  CLI::Option* checkpoint_interval_ms = nullptr;
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
  serve_flags flags{
      .data_dir = if_given(state.data_dir, v.data_dir),
      .kafka_addr = if_given(state.kafka_addr, v.kafka_addr),
      .advertised_kafka_addr = if_given(state.advertised_kafka_addr, v.advertised_kafka_addr),
      .pg_addr = if_given(state.pg_addr, v.pg_addr),
      .http_addr = if_given(state.http_addr, v.http_addr),
      .max_request_bytes = if_given(state.max_request_bytes, v.max_request_bytes),
      .auto_create_topics = if_given(state.auto_create_topics, v.auto_create_topics),
      .default_partitions = if_given(state.default_partitions, v.default_partitions),
      .io_threads = if_given(state.io_threads, v.io_threads),
      .storage_threads = if_given(state.storage_threads, v.storage_threads),
      .checkpoint_interval_ms = if_given(state.checkpoint_interval_ms, v.checkpoint_interval_ms),
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
  state->checkpoint_interval_ms =
      cmd->add_option("--checkpoint-interval-ms", v.checkpoint_interval_ms,
                      "How often the SQL engine checkpoints its state; a sink's output waits for the next "
                      "checkpoint [env: SLUICE_CHECKPOINT_INTERVAL_MS]")
          ->capture_default_str();
  cmd->callback([state, &options, &exit_code] { exit_code = run_serve(*state, options); });
}

}  // namespace sluice::app
