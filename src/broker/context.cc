#include "broker/context.h"

#include <spdlog/spdlog.h>

namespace sluice::broker {

kafka::error_code to_kafka_error(errc code) {
  using kafka::error_code;
  switch (code) {
    case errc::invalid_argument:
      return error_code::invalid_request;
    case errc::corrupt_batch:
      return error_code::corrupt_message;
    case errc::invalid_record:
      return error_code::invalid_record;
    case errc::message_too_large:
      return error_code::message_too_large;
    case errc::offset_out_of_range:
      return error_code::offset_out_of_range;
    case errc::not_found:
      return error_code::unknown_topic_or_partition;
    case errc::already_exists:
      return error_code::topic_already_exists;
    case errc::invalid_config:
      return error_code::invalid_config;
    case errc::corruption:
    case errc::no_space:
    case errc::io_error:
      return error_code::kafka_storage_error;
    // A log closed under the request (its topic was deleted): the client refreshes its metadata.
    case errc::closed:
      return error_code::not_leader_or_follower;
    case errc::out_of_order_sequence:
      return error_code::out_of_order_sequence_number;
    case errc::invalid_producer_epoch:
      return error_code::invalid_producer_epoch;
  }
  return error_code::unknown_server_error;
}

kafka::error_code ensure_topic(context& ctx, const std::string& topic) {
  if (ctx.logs.describe_topic(topic)) return kafka::error_code::none;
  if (!storage::validate_topic_name(topic)) return kafka::error_code::invalid_topic_exception;
  if (!ctx.config.auto_create_topics) return kafka::error_code::unknown_topic_or_partition;
  auto created = ctx.logs.create_topic(topic, ctx.config.default_partitions, {});
  // Another connection may have created it first.
  if (!created && created.error().code != errc::already_exists) {
    spdlog::warn("auto-creating topic {} failed: {}", topic, created.error().describe());
    return to_kafka_error(created.error().code);
  }
  return kafka::error_code::none;
}

}  // namespace sluice::broker
