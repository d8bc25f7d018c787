#include "broker/handlers/handlers.h"

namespace sluice::broker {

kafka::delete_topics_response handle_delete_topics(context& ctx, const kafka::delete_topics_request& request,
                                                   std::int16_t version) {
  kafka::delete_topics_response response;
  auto delete_one = [&](const std::string& name) {
    kafka::delete_topics_response::deletable_topic_result out;
    out.name = name;
    auto deleted = ctx.logs.delete_topic(name);
    if (!deleted) {
      out.error_code = code(to_kafka_error(deleted.error().code));
      out.error_message = deleted.error().message;
    }
    response.responses.push_back(std::move(out));
  };
  if (version < 6) {
    for (const auto& name : request.topic_names) delete_one(name);
    return response;
  }
  for (const auto& topic : request.topics) {
    if (topic.name) {
      delete_one(*topic.name);
      continue;
    }
    // Sluice has no topic ids yet.
    kafka::delete_topics_response::deletable_topic_result out;
    out.name = std::nullopt;
    out.topic_id = topic.topic_id;
    out.error_code = code(kafka::error_code::unknown_topic_id);
    response.responses.push_back(std::move(out));
  }
  return response;
}

}  // namespace sluice::broker
