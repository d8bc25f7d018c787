#include "broker/handlers/handlers.h"

namespace sluice::broker {
namespace {

kafka::create_topics_response::creatable_topic_result create_one(
    context& ctx, const kafka::create_topics_request::creatable_topic& topic, bool validate_only) {
  using kafka::error_code;
  kafka::create_topics_response::creatable_topic_result out;
  out.name = topic.name;
  out.error_message = std::nullopt;
  auto failed = [&](error_code c, std::string message) {
    out.error_code = code(c);
    out.error_message = std::move(message);
    return out;
  };
  if (auto valid = storage::validate_topic_name(topic.name); !valid)
    return failed(error_code::invalid_topic_exception, valid.error().message);
  std::int32_t partitions = topic.num_partitions;
  if (!topic.assignments.empty()) {
    partitions = static_cast<std::int32_t>(topic.assignments.size());
  } else if (partitions == -1) {
    partitions = ctx.config.default_partitions;
  }
  if (partitions <= 0) return failed(error_code::invalid_partitions, "number of partitions must be positive");
  // One broker holds every partition: a replication factor above one cannot be met.
  if (topic.replication_factor != -1 && topic.replication_factor != 1 && topic.assignments.empty())
    return failed(error_code::invalid_replication_factor, "replication factor must be 1 on a single broker");
  storage::config_overrides overrides;
  for (const auto& c : topic.configs) {
    if (c.value) overrides[c.name] = *c.value;
  }
  auto resolved = storage::resolve_config(ctx.logs.options().defaults, overrides);
  if (!resolved) return failed(error_code::invalid_config, resolved.error().message);
  if (ctx.logs.describe_topic(topic.name))
    return failed(error_code::topic_already_exists, "topic '" + topic.name + "' already exists");
  if (!validate_only) {
    auto created = ctx.logs.create_topic(topic.name, partitions, overrides);
    if (!created) return failed(to_kafka_error(created.error().code), created.error().message);
  }
  out.num_partitions = partitions;
  out.replication_factor = 1;
  out.configs.emplace();
  for (const auto& entry : storage::describe_config(ctx.logs.options().defaults, overrides)) {
    out.configs->push_back({.name = entry.name,
                            .value = entry.value,
                            .read_only = false,
                            .config_source = static_cast<std::int8_t>(entry.is_default ? 5 : 1),
                            .is_sensitive = false});
  }
  return out;
}

}  // namespace

kafka::create_topics_response handle_create_topics(context& ctx, const kafka::create_topics_request& request,
                                                   std::int16_t) {
  kafka::create_topics_response response;
  for (const auto& topic : request.topics)
    response.topics.push_back(create_one(ctx, topic, request.validate_only));
  return response;
}

}  // namespace sluice::broker
