// app/serve_config.cc — the only file that includes toml++ (it is heavy to compile).
#include "app/serve_config.h"

#include <toml++/toml.h>

#include <charconv>
#include <cstdlib>
#include <limits>
#include <utility>

#include "storage/log_config.h"

namespace sluice::app {
namespace {

const char* type_name(toml::node_type type) {
  switch (type) {
    case toml::node_type::string:
      return "a string";
    case toml::node_type::integer:
      return "an integer";
    case toml::node_type::floating_point:
      return "a float";
    case toml::node_type::boolean:
      return "a boolean";
    case toml::node_type::table:
      return "a table";
    case toml::node_type::array:
      return "an array";
    case toml::node_type::date:
      return "a date";
    case toml::node_type::time:
      return "a time";
    case toml::node_type::date_time:
      return "a date-time";
    default:
      return "nothing";
  }
}

// Settings as read from one source (file or environment): nullopt = not set there.
struct layer {
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
  std::vector<std::string> topic_defaults;  // name=value
};

// ---- the file ----

class file_reader {
 public:
  explicit file_reader(const std::string& name) : name_(name) {}

  tl::unexpected<error> bad(const toml::node& node, const std::string& what) const {
    return fail(errc::invalid_config,
                "config file " + name_ + ":" + std::to_string(node.source().begin.line) + ": " + what);
  }

  tl::unexpected<error> wrong_type(const std::string& key, const toml::node& node,
                                   const char* expected) const {
    return bad(node, "'" + key + "' must be " + expected + ", got " + type_name(node.type()));
  }

  result<std::string> string_of(const std::string& key, const toml::node& node) const {
    if (const auto* s = node.as_string()) return s->get();
    return wrong_type(key, node, "a string");
  }

  result<std::int64_t> integer_of(const std::string& key, const toml::node& node, std::int64_t max) const {
    const auto* i = node.as_integer();
    if (i == nullptr) return wrong_type(key, node, "an integer");
    if (i->get() > max) return bad(node, "'" + key + "' is out of range: " + std::to_string(i->get()));
    return i->get();
  }

  result<bool> boolean_of(const std::string& key, const toml::node& node) const {
    if (const auto* b = node.as_boolean()) return b->get();
    return wrong_type(key, node, "a boolean (true or false)");
  }

  // Flattens [topic_defaults] into name=value; nested tables join with '.', so both
  // `"flush.messages" = 1` and the dotted key `flush.messages = 1` name flush.messages.
  result<void> topic_defaults(const std::string& prefix, const toml::table& table,
                              std::vector<std::string>& out) const {
    for (auto&& [key, node] : table) {
      std::string name = prefix.empty() ? std::string(key.str()) : prefix + "." + std::string(key.str());
      std::string value;
      if (const auto* t = node.as_table()) {
        SLUICE_RETURN_IF_ERROR(topic_defaults(name, *t, out));
        continue;
      } else if (const auto* s = node.as_string()) {
        value = s->get();
      } else if (const auto* i = node.as_integer()) {
        value = std::to_string(i->get());
      } else if (const auto* b = node.as_boolean()) {
        value = b->get() ? "true" : "false";
      } else {
        return wrong_type("topic_defaults." + name, node, "a string, integer or boolean");
      }
      // Check each entry here so the error points at the file's line.
      if (auto resolved = storage::resolve_config(storage::log_config{}, {{name, value}}); !resolved)
        return bad(node, "topic_defaults: " + resolved.error().message);
      out.push_back(name + "=" + value);
    }
    return {};
  }

  result<layer> read(const std::string& contents) const {
    toml::table root;
    try {
      root = toml::parse(contents, name_);
    } catch (const toml::parse_error& e) {
      return fail(errc::invalid_config, "config file " + name_ + ":" + std::to_string(e.source().begin.line) +
                                            ":" + std::to_string(e.source().begin.column) + ": " +
                                            std::string(e.description()));
    }
    layer out;
    for (auto&& [k, node] : root) {
      std::string key(k.str());
      if (key == "data_dir") {
        SLUICE_ASSIGN_OR_RETURN(out.data_dir, string_of(key, node));
      } else if (key == "kafka_addr") {
        SLUICE_ASSIGN_OR_RETURN(out.kafka_addr, string_of(key, node));
      } else if (key == "advertised_kafka_addr") {
        SLUICE_ASSIGN_OR_RETURN(out.advertised_kafka_addr, string_of(key, node));
      } else if (key == "pg_addr") {
        SLUICE_ASSIGN_OR_RETURN(out.pg_addr, string_of(key, node));
      } else if (key == "http_addr") {
        SLUICE_ASSIGN_OR_RETURN(out.http_addr, string_of(key, node));
      } else if (key == "max_request_bytes") {
        SLUICE_ASSIGN_OR_RETURN(out.max_request_bytes,
                                integer_of(key, node, std::numeric_limits<std::int64_t>::max()));
      } else if (key == "auto_create_topics") {
        SLUICE_ASSIGN_OR_RETURN(out.auto_create_topics, boolean_of(key, node));
      } else if (key == "default_partitions") {
        SLUICE_ASSIGN_OR_RETURN(auto n, integer_of(key, node, std::numeric_limits<std::int32_t>::max()));
        out.default_partitions = static_cast<std::int32_t>(n);
      } else if (key == "io_threads" || key == "storage_threads") {
        SLUICE_ASSIGN_OR_RETURN(auto n, integer_of(key, node, 1024));
        if (n < 0) return bad(node, "'" + key + "' must not be negative");
        auto& target = key == "io_threads" ? out.io_threads : out.storage_threads;
        target = static_cast<unsigned>(n);
      } else if (key == "checkpoint_interval_ms") {
        SLUICE_ASSIGN_OR_RETURN(out.checkpoint_interval_ms,
                                integer_of(key, node, std::numeric_limits<std::int64_t>::max()));
      } else if (key == "topic_defaults") {
        const auto* table = node.as_table();
        if (table == nullptr) return wrong_type(key, node, "a table");
        SLUICE_RETURN_IF_ERROR(topic_defaults("", *table, out.topic_defaults));
      } else {
        return bad(node, "unknown key '" + key +
                             "' (expected data_dir, kafka_addr, advertised_kafka_addr, pg_addr, http_addr, "
                             "max_request_bytes, "
                             "auto_create_topics, default_partitions, io_threads, storage_threads, "
                             "checkpoint_interval_ms or "
                             "[topic_defaults])");
      }
    }
    return out;
  }

 private:
  std::string name_;
};

// ---- the environment ----

tl::unexpected<error> bad_env(const std::string& var, const std::string& value, const char* expected) {
  return fail(errc::invalid_config,
              "environment variable " + var + ": expected " + expected + ", got '" + value + "'");
}

template <typename Int>
result<Int> parse_int(const std::string& var, const std::string& value) {
  Int n{};
  const auto* end = value.data() + value.size();
  auto [ptr, ec] = std::from_chars(value.data(), end, n);
  if (ec == std::errc::result_out_of_range) return bad_env(var, value, "an integer in range");
  if (ec != std::errc() || ptr != end) return bad_env(var, value, "an integer");
  return n;
}

result<bool> parse_bool(const std::string& var, const std::string& value) {
  if (value == "true" || value == "1" || value == "yes" || value == "on") return true;
  if (value == "false" || value == "0" || value == "no" || value == "off") return false;
  return bad_env(var, value, "true or false");
}

result<layer> read_env(const env_lookup& env) {
  layer out;
  // Set-but-empty counts as unset.
  auto get = [&env](const char* var) -> std::optional<std::string> {
    auto value = env(var);
    if (value && value->empty()) return std::nullopt;
    return value;
  };
  if (auto v = get("SLUICE_DATA_DIR")) out.data_dir = *v;
  if (auto v = get("SLUICE_KAFKA_ADDR")) out.kafka_addr = *v;
  if (auto v = get("SLUICE_ADVERTISED_KAFKA_ADDR")) out.advertised_kafka_addr = *v;
  if (auto v = get("SLUICE_PG_ADDR")) out.pg_addr = *v;
  if (auto v = get("SLUICE_HTTP_ADDR")) out.http_addr = *v;
  if (auto v = get("SLUICE_MAX_REQUEST_BYTES")) {
    SLUICE_ASSIGN_OR_RETURN(out.max_request_bytes, parse_int<std::int64_t>("SLUICE_MAX_REQUEST_BYTES", *v));
  }
  if (auto v = get("SLUICE_AUTO_CREATE_TOPICS")) {
    SLUICE_ASSIGN_OR_RETURN(out.auto_create_topics, parse_bool("SLUICE_AUTO_CREATE_TOPICS", *v));
  }
  if (auto v = get("SLUICE_DEFAULT_PARTITIONS")) {
    SLUICE_ASSIGN_OR_RETURN(out.default_partitions, parse_int<std::int32_t>("SLUICE_DEFAULT_PARTITIONS", *v));
  }
  if (auto v = get("SLUICE_IO_THREADS")) {
    SLUICE_ASSIGN_OR_RETURN(out.io_threads, parse_int<unsigned>("SLUICE_IO_THREADS", *v));
  }
  if (auto v = get("SLUICE_STORAGE_THREADS")) {
    SLUICE_ASSIGN_OR_RETURN(out.storage_threads, parse_int<unsigned>("SLUICE_STORAGE_THREADS", *v));
  }
  if (auto v = get("SLUICE_CHECKPOINT_INTERVAL_MS")) {
    SLUICE_ASSIGN_OR_RETURN(out.checkpoint_interval_ms,
                            parse_int<std::int64_t>("SLUICE_CHECKPOINT_INTERVAL_MS", *v));
  }
  return out;
}

template <typename T>
void pick(T& target, const std::optional<T>& flag, const std::optional<T>& env,
          const std::optional<T>& file) {
  if (flag) {
    target = *flag;
  } else if (env) {
    target = *env;
  } else if (file) {
    target = *file;
  }
}

}  // namespace

std::optional<std::string> process_env(const std::string& name) {
  if (const char* value = std::getenv(name.c_str())) return std::string(value);
  return std::nullopt;
}

result<serve_options> merge_serve_config(const serve_flags& flags, const env_lookup& env,
                                         const std::optional<config_file>& file) {
  layer from_file;
  if (file) {
    SLUICE_ASSIGN_OR_RETURN(from_file, file_reader(file->name).read(file->contents));
  }
  SLUICE_ASSIGN_OR_RETURN(layer from_env, read_env(env));

  serve_options out;
  pick(out.data_dir, flags.data_dir, from_env.data_dir, from_file.data_dir);
  pick(out.kafka_addr, flags.kafka_addr, from_env.kafka_addr, from_file.kafka_addr);
  pick(out.advertised_kafka_addr, flags.advertised_kafka_addr, from_env.advertised_kafka_addr,
       from_file.advertised_kafka_addr);
  pick(out.pg_addr, flags.pg_addr, from_env.pg_addr, from_file.pg_addr);
  pick(out.http_addr, flags.http_addr, from_env.http_addr, from_file.http_addr);
  pick(out.max_request_bytes, flags.max_request_bytes, from_env.max_request_bytes,
       from_file.max_request_bytes);
  pick(out.auto_create_topics, flags.auto_create_topics, from_env.auto_create_topics,
       from_file.auto_create_topics);
  pick(out.default_partitions, flags.default_partitions, from_env.default_partitions,
       from_file.default_partitions);
  pick(out.io_threads, flags.io_threads, from_env.io_threads, from_file.io_threads);
  pick(out.storage_threads, flags.storage_threads, from_env.storage_threads, from_file.storage_threads);
  pick(out.checkpoint_interval_ms, flags.checkpoint_interval_ms, from_env.checkpoint_interval_ms,
       from_file.checkpoint_interval_ms);
  // Later assignments win in serve's name=value parsing: file first, flags last.
  out.topic_defaults = std::move(from_file.topic_defaults);
  out.topic_defaults.insert(out.topic_defaults.end(), flags.topic_defaults.begin(),
                            flags.topic_defaults.end());
  return out;
}

}  // namespace sluice::app
