#include "broker/handlers/handlers.h"

namespace sluice::broker {

kafka::describe_cluster_response handle_describe_cluster(context& ctx, const kafka::describe_cluster_request&,
                                                         std::int16_t) {
  kafka::describe_cluster_response response;
  response.cluster_id = ctx.logs.cluster_id();
  response.controller_id = ctx.config.node_id;
  response.brokers.push_back({.broker_id = ctx.config.node_id,
                              .host = ctx.config.advertised_host,
                              .port = ctx.config.advertised_port,
                              .rack = std::nullopt});
  return response;
}

}  // namespace sluice::broker
