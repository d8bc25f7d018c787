#include "storage/log_config.h"

#include <algorithm>
#include <charconv>
#include <functional>
#include <sstream>

namespace sluice::storage {
namespace {

// One row per config: its name, where it lives in log_config, and the least
// value Kafka accepts for it.
struct int_config {
  const char* name;
  std::int64_t log_config::*field;
  std::int64_t minimum;
};

constexpr int_config int_configs[] = {
    {"segment.bytes", &log_config::segment_bytes, 14},
    {"segment.ms", &log_config::segment_ms, 1},
    {"retention.bytes", &log_config::retention_bytes, -1},
    {"retention.ms", &log_config::retention_ms, -1},
    {"flush.messages", &log_config::flush_messages, 1},
    {"flush.ms", &log_config::flush_ms, 0},
    {"max.message.bytes", &log_config::max_message_bytes, 0},
    {"index.interval.bytes", &log_config::index_interval_bytes, 0},
    {"segment.index.bytes", &log_config::segment_index_bytes, 4},
    {"delete.retention.ms", &log_config::delete_retention_ms, 0},
    {"min.compaction.lag.ms", &log_config::min_compaction_lag_ms, 0},
    {"max.compaction.lag.ms", &log_config::max_compaction_lag_ms, 1},
};

constexpr const char* dirty_ratio_name = "min.cleanable.dirty.ratio";

// The comma-separated policies, trimmed; empty entries kept so they can be refused.
std::vector<std::string> split_policies(const std::string& value) {
  std::vector<std::string> out;
  std::size_t from = 0;
  while (true) {
    auto comma = value.find(',', from);
    auto item = value.substr(from, comma == std::string::npos ? std::string::npos : comma - from);
    auto first = item.find_first_not_of(' ');
    auto last = item.find_last_not_of(' ');
    out.push_back(first == std::string::npos ? "" : item.substr(first, last - first + 1));
    if (comma == std::string::npos) return out;
    from = comma + 1;
  }
}

bool names_policy(const std::string& value, const char* policy) {
  auto all = split_policies(value);
  return std::find(all.begin(), all.end(), policy) != all.end();
}

result<void> apply_cleanup_policy(log_config& config, const std::string& value) {
  for (const auto& policy : split_policies(value))
    if (policy != "delete" && policy != "compact")
      return fail(errc::invalid_config,
                  "invalid value '" + value + "' for cleanup.policy: a list of 'delete' and 'compact'");
  config.cleanup_policy = value;
  return {};
}

result<void> apply_dirty_ratio(log_config& config, const std::string& text) {
  double v = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc{} || end != text.data() + text.size() || text.empty() || !(v >= 0 && v <= 1))
    return fail(errc::invalid_config,
                "invalid value '" + text + "' for " + dirty_ratio_name + ": a number from 0 to 1");
  config.min_cleanable_dirty_ratio = v;
  return {};
}

std::string format_ratio(double v) {
  std::ostringstream out;
  out << v;
  return out.str();
}

constexpr std::int64_t int32_max = 2147483647;

result<std::int64_t> parse_int(const std::string& name, const std::string& text) {
  std::int64_t v = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc{} || end != text.data() + text.size() || text.empty())
    return fail(errc::invalid_config, "invalid value '" + text + "' for " + name + ": not an integer");
  return v;
}

result<void> apply_int(log_config& config, const int_config& spec, const std::string& text) {
  SLUICE_ASSIGN_OR_RETURN(auto v, parse_int(spec.name, text));
  if (v < spec.minimum)
    return fail(errc::invalid_config, "invalid value " + text + " for " + spec.name + ": must be at least " +
                                          std::to_string(spec.minimum));
  // Segment positions and index sizes are 32-bit in the on-disk formats.
  bool int32_only =
      spec.field == &log_config::segment_bytes || spec.field == &log_config::segment_index_bytes ||
      spec.field == &log_config::max_message_bytes || spec.field == &log_config::index_interval_bytes;
  if (int32_only && v > int32_max)
    return fail(errc::invalid_config, "invalid value " + text + " for " + spec.name + ": at most 2147483647");
  config.*spec.field = v;
  return {};
}

result<void> apply_one(log_config& config, const std::string& name, const std::string& value) {
  for (const auto& spec : int_configs)
    if (name == spec.name) return apply_int(config, spec, value);
  if (name == "cleanup.policy") return apply_cleanup_policy(config, value);
  if (name == dirty_ratio_name) return apply_dirty_ratio(config, value);
  return fail(errc::invalid_config, "unknown topic config '" + name + "'");
}

std::string value_of(const log_config& config, const std::string& name) {
  for (const auto& spec : int_configs)
    if (name == spec.name) return std::to_string(config.*spec.field);
  if (name == dirty_ratio_name) return format_ratio(config.min_cleanable_dirty_ratio);
  return config.cleanup_policy;
}

}  // namespace

bool log_config::compacts() const { return names_policy(cleanup_policy, "compact"); }
bool log_config::deletes() const { return names_policy(cleanup_policy, "delete"); }

const std::vector<std::string>& topic_config_names() {
  static const std::vector<std::string> names = [] {
    std::vector<std::string> all{"cleanup.policy", dirty_ratio_name};
    for (const auto& spec : int_configs) all.emplace_back(spec.name);
    return all;
  }();
  return names;
}

result<log_config> resolve_config(const log_config& defaults, const config_overrides& overrides) {
  log_config config = defaults;
  for (const auto& [name, value] : overrides) SLUICE_RETURN_IF_ERROR(apply_one(config, name, value));
  return config;
}

std::vector<config_entry_info> describe_config(const log_config& defaults,
                                               const config_overrides& overrides) {
  auto effective = resolve_config(defaults, overrides).value_or(defaults);
  std::vector<config_entry_info> out;
  for (const auto& name : topic_config_names())
    out.push_back({name, value_of(effective, name), !overrides.contains(name)});
  return out;
}

}  // namespace sluice::storage
