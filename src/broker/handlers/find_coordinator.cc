// FindCoordinator: this broker coordinates every group. v0-3 ask for one key, v4+ for a batch.
// Transactions have no coordinator here (COORDINATOR_NOT_AVAILABLE).
#include "broker/handlers/handlers.h"

namespace sluice::broker {

kafka::find_coordinator_response handle_find_coordinator(context& ctx,
                                                         const kafka::find_coordinator_request& request,
                                                         std::int16_t version) {
  kafka::find_coordinator_response response;
  auto error = request.key_type == 0 ? kafka::error_code::none : kafka::error_code::coordinator_not_available;
  auto node = error == kafka::error_code::none ? ctx.config.node_id : -1;
  auto host = error == kafka::error_code::none ? ctx.config.advertised_host : std::string();
  auto port = error == kafka::error_code::none ? ctx.config.advertised_port : -1;
  if (version < 4) {
    response.error_code = code(error);
    response.error_message = std::nullopt;
    response.node_id = node;
    response.host = host;
    response.port = port;
    return response;
  }
  for (const auto& key : request.coordinator_keys) {
    response.coordinators.push_back({.key = key,
                                     .node_id = node,
                                     .host = host,
                                     .port = port,
                                     .error_code = code(error),
                                     .error_message = std::nullopt});
  }
  return response;
}

}  // namespace sluice::broker
