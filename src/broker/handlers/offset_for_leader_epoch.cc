// OffsetForLeaderEpoch: Sluice's partitions never change leader, so every epoch is 0 and ends at the
// log's end offset. Clients use this to detect log truncation after a leader change.
#include "broker/handlers/handlers.h"

namespace sluice::broker {

kafka::offset_for_leader_epoch_response handle_offset_for_leader_epoch(
    context& ctx, const kafka::offset_for_leader_epoch_request& request, std::int16_t) {
  kafka::offset_for_leader_epoch_response response;
  for (const auto& topic : request.topics) {
    kafka::offset_for_leader_epoch_response::offset_for_leader_topic_result topic_out;
    topic_out.topic = topic.topic;
    for (const auto& p : topic.partitions) {
      kafka::offset_for_leader_epoch_response::epoch_end_offset out;
      out.partition = p.partition;
      if (auto log = ctx.logs.partition(topic.topic, p.partition)) {
        out.leader_epoch = 0;
        out.end_offset = log->end_offset();
      } else {
        out.error_code = code(kafka::error_code::unknown_topic_or_partition);
      }
      topic_out.partitions.push_back(out);
    }
    response.topics.push_back(std::move(topic_out));
  }
  return response;
}

}  // namespace sluice::broker
