#include "broker/handlers/handlers.h"

namespace sluice::broker {
namespace {

kafka::metadata_response::metadata_response_topic describe(const storage::topic_description& topic,
                                                           std::int32_t node) {
  kafka::metadata_response::metadata_response_topic out;
  out.name = topic.name;
  for (std::int32_t p = 0; p < topic.partitions; ++p) {
    out.partitions.push_back({.error_code = 0,
                              .partition_index = p,
                              .leader_id = node,
                              .leader_epoch = 0,
                              .replica_nodes = {node},
                              .isr_nodes = {node},
                              .offline_replicas = {}});
  }
  return out;
}

}  // namespace

kafka::metadata_response handle_metadata(context& ctx, const kafka::metadata_request& request,
                                         std::int16_t version) {
  kafka::metadata_response response;
  auto node = ctx.config.node_id;
  response.brokers.push_back(
      {.node_id = node, .host = ctx.config.advertised_host, .port = ctx.config.advertised_port, .rack = {}});
  response.cluster_id = ctx.logs.cluster_id();
  response.controller_id = node;
  // v0 has no null: an empty list there means every topic.
  bool all = !request.topics || (version == 0 && request.topics->empty());
  if (all) {
    for (const auto& topic : ctx.logs.list_topics()) response.topics.push_back(describe(topic, node));
    return response;
  }
  // Before v4 there is no flag: clients relied on the broker's setting.
  bool may_create = version < 4 || request.allow_auto_topic_creation;
  for (const auto& requested : *request.topics) {
    auto name = requested.name.value_or("");
    auto topic = ctx.logs.describe_topic(name);
    if (!topic) {
      auto error = kafka::error_code::unknown_topic_or_partition;
      if (!storage::validate_topic_name(name)) {
        error = kafka::error_code::invalid_topic_exception;
      } else if (may_create) {
        error = ensure_topic(ctx, name);
        if (error == kafka::error_code::none) topic = ctx.logs.describe_topic(name);
      }
      if (!topic) {
        kafka::metadata_response::metadata_response_topic missing;
        missing.name = name;
        missing.error_code =
            code(error == kafka::error_code::none ? kafka::error_code::unknown_topic_or_partition : error);
        response.topics.push_back(std::move(missing));
        continue;
      }
    }
    response.topics.push_back(describe(*topic, node));
  }
  return response;
}

}  // namespace sluice::broker
