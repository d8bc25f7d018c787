// IncrementalAlterConfigs: SET and DELETE on single topic configs. APPEND/SUBTRACT (list values) are
// rejected: cleanup.policy is Sluice's only list-valued config and it is set whole.
#include "broker/handlers/handlers.h"

namespace sluice::broker {

kafka::incremental_alter_configs_response handle_incremental_alter_configs(
    context& ctx, const kafka::incremental_alter_configs_request& request, std::int16_t) {
  constexpr std::int8_t topic_resource = 2;
  constexpr std::int8_t op_set = 0;
  constexpr std::int8_t op_delete = 1;
  kafka::incremental_alter_configs_response response;
  for (const auto& resource : request.resources) {
    kafka::incremental_alter_configs_response::alter_configs_resource_response out;
    out.resource_type = resource.resource_type;
    out.resource_name = resource.resource_name;
    out.error_message = std::nullopt;
    auto failed = [&](kafka::error_code c, std::string message) {
      out.error_code = code(c);
      out.error_message = std::move(message);
      response.responses.push_back(out);
    };
    if (resource.resource_type != topic_resource) {
      failed(kafka::error_code::invalid_request, "only topic configs can be altered");
      continue;
    }
    auto topic = ctx.logs.describe_topic(resource.resource_name);
    if (!topic) {
      failed(kafka::error_code::unknown_topic_or_partition, "no topic '" + resource.resource_name + "'");
      continue;
    }
    auto overrides = topic->overrides;
    bool bad_op = false;
    for (const auto& c : resource.configs) {
      if (c.config_operation == op_set && c.value) {
        overrides[c.name] = *c.value;
      } else if (c.config_operation == op_delete) {
        overrides.erase(c.name);
      } else {
        bad_op = true;
      }
    }
    if (bad_op) {
      failed(kafka::error_code::invalid_request, "only SET and DELETE are supported");
      continue;
    }
    if (auto resolved = storage::resolve_config(ctx.logs.options().defaults, overrides); !resolved) {
      failed(kafka::error_code::invalid_config, resolved.error().message);
      continue;
    }
    if (!request.validate_only) {
      if (auto altered = ctx.logs.alter_topic_config(resource.resource_name, overrides); !altered) {
        failed(to_kafka_error(altered.error().code), altered.error().message);
        continue;
      }
    }
    response.responses.push_back(std::move(out));
  }
  return response;
}

}  // namespace sluice::broker
