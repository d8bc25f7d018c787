// DescribeConfigs: a topic's configs (overrides and defaults, Kafka's names), and the broker's own
// settings under Kafka's broker config names (log.* defaults, listeners, auto-creation), read-only.
#include <algorithm>
#include <map>

#include "broker/handlers/handlers.h"

namespace sluice::broker {
namespace {

constexpr std::int8_t topic_resource = 2;
constexpr std::int8_t broker_resource = 4;
constexpr std::int8_t source_topic = 1;          // TOPIC_CONFIG
constexpr std::int8_t source_default = 5;        // DEFAULT_CONFIG
constexpr std::int8_t source_static_broker = 4;  // STATIC_BROKER_CONFIG

using result_type = kafka::describe_configs_response::describe_configs_result;
using resource_type = kafka::describe_configs_request::describe_configs_resource;

bool wanted(const resource_type& resource, const std::string& name) {
  const auto& keys = resource.configuration_keys;
  return !keys || keys->empty() || std::find(keys->begin(), keys->end(), name) != keys->end();
}

void add_entry(result_type& out, const resource_type& resource, std::string name, std::string value,
               bool is_default, std::int8_t source) {
  if (!wanted(resource, name)) return;
  kafka::describe_configs_response::describe_configs_resource_result c;
  c.name = std::move(name);
  c.value = std::move(value);
  c.is_default = is_default;
  c.config_source = source;
  c.read_only = source == source_static_broker;
  out.configs.push_back(std::move(c));
}

// Topic config name → the broker config that sets its default, as Kafka names them.
const std::map<std::string, std::string>& broker_names() {
  static const std::map<std::string, std::string> names{
      {"cleanup.policy", "log.cleanup.policy"},
      {"delete.retention.ms", "log.cleaner.delete.retention.ms"},
      {"max.compaction.lag.ms", "log.cleaner.max.compaction.lag.ms"},
      {"min.cleanable.dirty.ratio", "log.cleaner.min.cleanable.ratio"},
      {"min.compaction.lag.ms", "log.cleaner.min.compaction.lag.ms"},
      {"flush.messages", "log.flush.interval.messages"},
      {"flush.ms", "log.flush.interval.ms"},
      {"index.interval.bytes", "log.index.interval.bytes"},
      {"max.message.bytes", "message.max.bytes"},
      {"retention.bytes", "log.retention.bytes"},
      {"retention.ms", "log.retention.ms"},
      {"segment.bytes", "log.segment.bytes"},
      {"segment.index.bytes", "log.index.size.max.bytes"},
      {"segment.ms", "log.roll.ms"},
  };
  return names;
}

// The result for `resource`, with no configs yet; `code` and `message` when it fails.
result_type result_for(const resource_type& resource, kafka::error_code c = kafka::error_code::none,
                       std::optional<std::string> message = std::nullopt) {
  result_type out;
  out.resource_type = resource.resource_type;
  out.resource_name = resource.resource_name;
  out.error_code = code(c);
  out.error_message = std::move(message);
  return out;
}

result_type describe_broker(context& ctx, const resource_type& resource) {
  auto node = std::to_string(ctx.config.node_id);
  if (!resource.resource_name.empty() && resource.resource_name != node)
    return result_for(resource, kafka::error_code::invalid_request, "this broker is node " + node);
  auto out = result_for(resource);
  auto add = [&](std::string name, std::string value) {
    add_entry(out, resource, std::move(name), std::move(value), false, source_static_broker);
  };
  add("broker.id", node);
  add("node.id", node);
  add("advertised.listeners",
      "PLAINTEXT://" + ctx.config.advertised_host + ":" + std::to_string(ctx.config.advertised_port));
  add("auto.create.topics.enable", ctx.config.auto_create_topics ? "true" : "false");
  add("num.partitions", std::to_string(ctx.config.default_partitions));
  add("default.replication.factor", "1");
  add("offsets.topic.replication.factor", "1");
  for (const auto& entry : storage::describe_config(ctx.logs.options().defaults, {})) {
    auto name = broker_names().find(entry.name);
    if (name != broker_names().end()) add(name->second, entry.value);
  }
  return out;
}

result_type describe_topic(context& ctx, const resource_type& resource) {
  auto topic = ctx.logs.describe_topic(resource.resource_name);
  if (!topic)
    return result_for(resource, kafka::error_code::unknown_topic_or_partition,
                      "no topic '" + resource.resource_name + "'");
  auto out = result_for(resource);
  for (const auto& entry : storage::describe_config(ctx.logs.options().defaults, topic->overrides))
    add_entry(out, resource, entry.name, entry.value, entry.is_default,
              entry.is_default ? source_default : source_topic);
  return out;
}

}  // namespace

kafka::describe_configs_response handle_describe_configs(context& ctx,
                                                         const kafka::describe_configs_request& request,
                                                         std::int16_t) {
  kafka::describe_configs_response response;
  for (const auto& resource : request.resources) {
    if (resource.resource_type == topic_resource) {
      response.results.push_back(describe_topic(ctx, resource));
    } else if (resource.resource_type == broker_resource) {
      response.results.push_back(describe_broker(ctx, resource));
    } else {
      response.results.push_back(
          result_for(resource, kafka::error_code::invalid_request, "unsupported resource type"));
    }
  }
  return response;
}

}  // namespace sluice::broker
