// app/serve_config.h — merges `sluice serve` settings from the command line, the environment and a
// TOML config file. Precedence per setting: flag > environment > file > built-in default.
// Pure (no process state), so it is unit-tested without starting anything.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "app/serve_command.h"
#include "base/result.h"

namespace sluice::app {

// What the command line set; nullopt = the flag was not given.
struct serve_flags {
  std::optional<std::string> data_dir;
  std::optional<std::string> kafka_addr;
  std::optional<std::string> advertised_kafka_addr;
  std::optional<std::string> pg_addr;
  std::optional<std::string> http_addr;
  std::optional<std::int64_t> max_request_bytes;
  std::optional<bool> auto_create_topics;
  std::optional<std::int32_t> default_partitions;
  std::optional<unsigned> io_threads;
  std::optional<unsigned> storage_threads;
  std::optional<std::int64_t> checkpoint_interval_ms;
  std::vector<std::string> topic_defaults;  // name=value, in order
};

// Returns the value of an environment variable, or nullopt when it is unset.
using env_lookup = std::function<std::optional<std::string>(const std::string& name)>;

// The process environment (getenv).
std::optional<std::string> process_env(const std::string& name);

// The config file's name (for messages) and its contents.
struct config_file {
  std::string name;
  std::string contents;
};

// Merges the three sources over serve_options{}'s defaults. [topic_defaults] entries from the file
// come first and --topic-default flags after them, so a flag wins for the same name. Errors
// (invalid_config) name the file key or environment variable at fault.
result<serve_options> merge_serve_config(const serve_flags& flags, const env_lookup& env,
                                         const std::optional<config_file>& file);

}  // namespace sluice::app
