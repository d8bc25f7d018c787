// AlterConfigs: replaces a topic's overrides with the given set (Kafka's non-incremental semantics).
#include "broker/handlers/handlers.h"

namespace sluice::broker {

kafka::alter_configs_response handle_alter_configs(context& ctx, const kafka::alter_configs_request& request,
                                                   std::int16_t) {
  constexpr std::int8_t topic_resource = 2;
  kafka::alter_configs_response response;
  for (const auto& resource : request.resources) {
    kafka::alter_configs_response::alter_configs_resource_response out;
    out.resource_type = resource.resource_type;
    out.resource_name = resource.resource_name;
    out.error_message = std::nullopt;
    auto failed = [&](kafka::error_code c, std::string message) {
      out.error_code = code(c);
      out.error_message = std::move(message);
    };
    storage::config_overrides overrides;
    for (const auto& c : resource.configs)
      if (c.value) overrides[c.name] = *c.value;
    if (resource.resource_type != topic_resource) {
      failed(kafka::error_code::invalid_request, "only topic configs can be altered");
    } else if (!ctx.logs.describe_topic(resource.resource_name)) {
      failed(kafka::error_code::unknown_topic_or_partition, "no topic '" + resource.resource_name + "'");
    } else if (auto resolved = storage::resolve_config(ctx.logs.options().defaults, overrides); !resolved) {
      failed(kafka::error_code::invalid_config, resolved.error().message);
    } else if (!request.validate_only) {
      if (auto altered = ctx.logs.alter_topic_config(resource.resource_name, overrides); !altered)
        failed(to_kafka_error(altered.error().code), altered.error().message);
    }
    response.responses.push_back(std::move(out));
  }
  return response;
}

}  // namespace sluice::broker
