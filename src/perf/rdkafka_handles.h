// perf/rdkafka_handles.h — the little of librdkafka that `sluice bench` needs, with ownership:
// handles that free themselves, client configuration from name=value pairs, and topic setup
// (look up, or create with partitions and configs) through the admin API.
#pragma once

#include <librdkafka/rdkafka.h>

#include <chrono>
#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace sluice::perf {

struct client_deleter {
  void operator()(rd_kafka_t* rk) const;
  void operator()(rd_kafka_conf_t* conf) const { rd_kafka_conf_destroy(conf); }
  void operator()(rd_kafka_topic_t* rkt) const { rd_kafka_topic_destroy(rkt); }
  void operator()(rd_kafka_topic_partition_list_t* l) const { rd_kafka_topic_partition_list_destroy(l); }
};
using client_ptr = std::unique_ptr<rd_kafka_t, client_deleter>;
using conf_ptr = std::unique_ptr<rd_kafka_conf_t, client_deleter>;
using topic_ptr = std::unique_ptr<rd_kafka_topic_t, client_deleter>;
using partition_list_ptr = std::unique_ptr<rd_kafka_topic_partition_list_t, client_deleter>;

// Thrown for setup failures (bad -X, unreachable broker); the command prints it and exits 1.
struct client_error : std::runtime_error {
  using std::runtime_error::runtime_error;
};

using config_pairs = std::vector<std::pair<std::string, std::string>>;

// Splits "name=value" entries; throws client_error on one without '='.
config_pairs parse_assignments(const std::vector<std::string>& assignments, const char* flag);

// A configuration with `pairs` set in order (later ones win); throws client_error on a bad one.
conf_ptr make_conf(const config_pairs& pairs);

// Creates a producer or consumer from `conf` (taking it); throws client_error.
client_ptr make_client(rd_kafka_type_t type, conf_ptr conf);

// The partition count of `topic`, creating it with `partitions` and `configs` if the broker does
// not know it. Throws client_error when the broker cannot be reached within `timeout`.
std::int32_t ensure_topic(rd_kafka_t* rk, const std::string& topic, std::int32_t partitions,
                          const config_pairs& configs, std::chrono::milliseconds timeout);

struct watermarks {
  std::int64_t low = 0;   // the first offset still in the log
  std::int64_t high = 0;  // the offset the next record will get
};

// The watermarks of each of `topic`'s partitions, in partition order.
std::vector<watermarks> query_watermarks(rd_kafka_t* rk, const std::string& topic, std::int32_t partitions,
                                         std::chrono::milliseconds timeout);

}  // namespace sluice::perf
