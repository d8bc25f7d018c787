#include "broker/handlers/handlers.h"

namespace sluice::broker {

kafka::delete_records_response handle_delete_records(context& ctx,
                                                     const kafka::delete_records_request& request,
                                                     std::int16_t) {
  kafka::delete_records_response response;
  for (const auto& topic : request.topics) {
    kafka::delete_records_response::delete_records_topic_result topic_out;
    topic_out.name = topic.name;
    for (const auto& p : topic.partitions) {
      kafka::delete_records_response::delete_records_partition_result out;
      out.partition_index = p.partition_index;
      out.low_watermark = -1;
      auto log = ctx.logs.partition(topic.name, p.partition_index);
      if (!log) {
        out.error_code = code(kafka::error_code::unknown_topic_or_partition);
      } else {
        // -1 means "up to the high watermark".
        auto offset = p.offset == -1 ? log->end_offset() : p.offset;
        if (offset < 0 || offset > log->end_offset()) {
          out.error_code = code(kafka::error_code::offset_out_of_range);
        } else if (auto deleted = log->delete_records_before(offset); !deleted) {
          out.error_code = code(to_kafka_error(deleted.error().code));
        } else {
          out.low_watermark = log->log_start_offset();
        }
      }
      topic_out.partitions.push_back(out);
    }
    response.topics.push_back(std::move(topic_out));
  }
  return response;
}

}  // namespace sluice::broker
