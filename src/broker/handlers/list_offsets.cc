#include "broker/handlers/handlers.h"

namespace sluice::broker {
namespace {

constexpr std::int64_t latest = -1;
constexpr std::int64_t earliest = -2;

kafka::list_offsets_response::list_offsets_partition_response list_one(
    context& ctx, const std::string& topic, const kafka::list_offsets_request::list_offsets_partition& p,
    std::int16_t version) {
  kafka::list_offsets_response::list_offsets_partition_response out;
  out.partition_index = p.partition_index;
  auto log = ctx.logs.partition(topic, p.partition_index);
  if (!log) {
    out.error_code = code(kafka::error_code::unknown_topic_or_partition);
    return out;
  }
  out.leader_epoch = 0;
  if (p.timestamp == latest) {
    out.offset = log->end_offset();
  } else if (p.timestamp == earliest) {
    out.offset = log->log_start_offset();
  } else if (p.timestamp >= 0) {
    auto found = log->offset_for_timestamp(p.timestamp);
    if (!found) {
      out.error_code = code(to_kafka_error(found.error().code));
      return out;
    }
    // The log does not return the record's own timestamp; the asked one is a lower bound of it.
    if (*found) {
      out.offset = **found;
      out.timestamp = p.timestamp;
    }
  } else {
    // -3 (max timestamp) and other special values are not supported yet.
    out.error_code = code(kafka::error_code::invalid_request);
    return out;
  }
  if (version == 0 && out.offset >= 0) out.old_style_offsets.push_back(out.offset);
  return out;
}

}  // namespace

kafka::list_offsets_response handle_list_offsets(context& ctx, const kafka::list_offsets_request& request,
                                                 std::int16_t version) {
  kafka::list_offsets_response response;
  for (const auto& topic : request.topics) {
    kafka::list_offsets_response::list_offsets_topic_response topic_out;
    topic_out.name = topic.name;
    for (const auto& p : topic.partitions)
      topic_out.partitions.push_back(list_one(ctx, topic.name, p, version));
    response.topics.push_back(std::move(topic_out));
  }
  return response;
}

}  // namespace sluice::broker
