#include "broker/handlers/handlers.h"

namespace sluice::broker {

kafka::create_partitions_response handle_create_partitions(context& ctx,
                                                           const kafka::create_partitions_request& request,
                                                           std::int16_t) {
  kafka::create_partitions_response response;
  for (const auto& topic : request.topics) {
    kafka::create_partitions_response::create_partitions_topic_result out;
    out.name = topic.name;
    auto existing = ctx.logs.describe_topic(topic.name);
    if (!existing) {
      out.error_code = code(kafka::error_code::unknown_topic_or_partition);
      out.error_message = "no topic '" + topic.name + "'";
    } else if (topic.count <= existing->partitions) {
      out.error_code = code(kafka::error_code::invalid_partitions);
      out.error_message =
          "topic '" + topic.name + "' already has " + std::to_string(existing->partitions) + " partitions";
    } else if (!request.validate_only) {
      if (auto grown = ctx.logs.create_partitions(topic.name, topic.count); !grown) {
        out.error_code = code(to_kafka_error(grown.error().code));
        out.error_message = grown.error().message;
      }
    }
    response.results.push_back(std::move(out));
  }
  return response;
}

}  // namespace sluice::broker
