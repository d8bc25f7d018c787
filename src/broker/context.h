// broker/context.h — what every Kafka API handler sees: the data directory, the broker's settings,
// and the few helpers they share (error mapping, topic auto-creation).
#pragma once

#include <atomic>
#include <cstdint>
#include <string>

#include "base/result.h"
#include "kafka/protocol/error_code.h"
#include "storage/log_manager.h"

namespace sluice::group {
class group_coordinator;
}

namespace sluice::broker {

struct broker_config {
  std::string advertised_host = "127.0.0.1";
  std::int32_t advertised_port = 9092;
  bool auto_create_topics = true;       // Kafka's auto.create.topics.enable
  std::int32_t default_partitions = 1;  // Kafka's num.partitions
  std::int32_t node_id = 0;
};

struct context {
  storage::log_manager& logs;
  broker_config config;
  // Producer ids: an in-memory counter seeded from the clock (ms × 1000), so ids of a restarted
  // broker are above the ones handed out before, as long as the clock does not step back.
  std::atomic<std::int64_t> next_producer_id{0};
  // Consumer groups and committed offsets (src/group); null: the group APIs close the connection.
  group::group_coordinator* groups = nullptr;
};

// The one mapping from storage errors to Kafka error codes.
kafka::error_code to_kafka_error(errc code);
inline std::int16_t to_kafka_code(const error& e) {
  return static_cast<std::int16_t>(to_kafka_error(e.code));
}
inline std::int16_t code(kafka::error_code c) { return static_cast<std::int16_t>(c); }

// Creates `topic` with the default partition count when it does not exist and auto-creation is on.
// Returns kafka::error_code::none when the topic exists afterwards.
kafka::error_code ensure_topic(context& ctx, const std::string& topic);

}  // namespace sluice::broker
