#include <algorithm>

#include "broker/handlers/handlers.h"

namespace sluice::broker {
namespace {

constexpr std::int8_t topic_resource = 2;
constexpr std::int8_t broker_resource = 4;
constexpr std::int8_t source_topic = 1;    // TOPIC_CONFIG
constexpr std::int8_t source_default = 5;  // DEFAULT_CONFIG

kafka::describe_configs_response::describe_configs_result describe_topic(
    context& ctx, const kafka::describe_configs_request::describe_configs_resource& resource) {
  kafka::describe_configs_response::describe_configs_result out;
  out.resource_type = resource.resource_type;
  out.resource_name = resource.resource_name;
  out.error_message = std::nullopt;
  auto topic = ctx.logs.describe_topic(resource.resource_name);
  if (!topic) {
    out.error_code = code(kafka::error_code::unknown_topic_or_partition);
    out.error_message = "no topic '" + resource.resource_name + "'";
    return out;
  }
  const auto& keys = resource.configuration_keys;
  for (const auto& entry : storage::describe_config(ctx.logs.options().defaults, topic->overrides)) {
    if (keys && !keys->empty() && std::find(keys->begin(), keys->end(), entry.name) == keys->end()) continue;
    kafka::describe_configs_response::describe_configs_resource_result c;
    c.name = entry.name;
    c.value = entry.value;
    c.is_default = entry.is_default;
    c.config_source = entry.is_default ? source_default : source_topic;
    out.configs.push_back(std::move(c));
  }
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
      continue;
    }
    kafka::describe_configs_response::describe_configs_result out;
    out.resource_type = resource.resource_type;
    out.resource_name = resource.resource_name;
    out.error_message = std::nullopt;
    // Broker configs are not exposed yet: an empty list, so tools that ask still work.
    if (resource.resource_type != broker_resource) {
      out.error_code = code(kafka::error_code::invalid_request);
      out.error_message = "unsupported resource type";
    }
    response.results.push_back(std::move(out));
  }
  return response;
}

}  // namespace sluice::broker
