// cli/kafka_client.h — owns librdkafka handles for the client commands (and anything else that talks to a
// Kafka broker as a client, such as benchmarks): unique_ptr deleters for every handle type, a
// configuration built from key=value properties, and librdkafka errors turned into result<T>.
// Include it from .cc files only; it pulls in rdkafka.h.
#pragma once

#include <librdkafka/rdkafka.h>

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "base/result.h"

namespace sluice::cli {

struct rdkafka_deleter {
  void operator()(rd_kafka_t* h) const { rd_kafka_destroy(h); }
  void operator()(rd_kafka_conf_t* h) const { rd_kafka_conf_destroy(h); }
  void operator()(rd_kafka_topic_t* h) const { rd_kafka_topic_destroy(h); }
  void operator()(rd_kafka_queue_t* h) const { rd_kafka_queue_destroy(h); }
  void operator()(rd_kafka_event_t* h) const { rd_kafka_event_destroy(h); }
  void operator()(rd_kafka_message_t* h) const { rd_kafka_message_destroy(h); }
  void operator()(rd_kafka_headers_t* h) const { rd_kafka_headers_destroy(h); }
  void operator()(rd_kafka_topic_partition_list_t* h) const { rd_kafka_topic_partition_list_destroy(h); }
  void operator()(const rd_kafka_metadata_t* h) const { rd_kafka_metadata_destroy(h); }
  void operator()(rd_kafka_AdminOptions_t* h) const { rd_kafka_AdminOptions_destroy(h); }
  void operator()(rd_kafka_NewTopic_t* h) const { rd_kafka_NewTopic_destroy(h); }
  void operator()(rd_kafka_DeleteTopic_t* h) const { rd_kafka_DeleteTopic_destroy(h); }
  void operator()(rd_kafka_ConfigResource_t* h) const { rd_kafka_ConfigResource_destroy(h); }
  void operator()(rd_kafka_DeleteGroup_t* h) const { rd_kafka_DeleteGroup_destroy(h); }
  void operator()(rd_kafka_ListConsumerGroupOffsets_t* h) const {
    rd_kafka_ListConsumerGroupOffsets_destroy(h);
  }
  void operator()(rd_kafka_AlterConsumerGroupOffsets_t* h) const {
    rd_kafka_AlterConsumerGroupOffsets_destroy(h);
  }
};

using kafka_handle = std::unique_ptr<rd_kafka_t, rdkafka_deleter>;
using conf_handle = std::unique_ptr<rd_kafka_conf_t, rdkafka_deleter>;
using topic_handle = std::unique_ptr<rd_kafka_topic_t, rdkafka_deleter>;
using queue_handle = std::unique_ptr<rd_kafka_queue_t, rdkafka_deleter>;
using event_handle = std::unique_ptr<rd_kafka_event_t, rdkafka_deleter>;
using message_handle = std::unique_ptr<rd_kafka_message_t, rdkafka_deleter>;
using headers_handle = std::unique_ptr<rd_kafka_headers_t, rdkafka_deleter>;
using partition_list_handle = std::unique_ptr<rd_kafka_topic_partition_list_t, rdkafka_deleter>;
using metadata_handle = std::unique_ptr<const rd_kafka_metadata_t, rdkafka_deleter>;

using property = std::pair<std::string, std::string>;

// Where and how to connect. `properties` are librdkafka settings (-X key=value); they are applied
// after the command's own defaults, so they override them.
struct client_options {
  std::string bootstrap = "127.0.0.1:9092";
  std::vector<std::string> properties;
  std::chrono::milliseconds timeout{10000};  // for metadata and admin requests
};

// Splits "key=value" at the first '='; `what` names the flag in the error.
result<property> split_property(const std::string& text, const std::string& what);

// split_property over each of `texts`, in order; fails on the first malformed one.
result<std::vector<property>> split_properties(const std::vector<std::string>& texts,
                                               const std::string& what);

// A configuration with bootstrap.servers, then `defaults`, then options.properties. librdkafka's own
// logging is off unless a property turns it back on (log_level, debug), so errors reach the user once,
// as the command's message. Errors (invalid_config) name the property and say why.
result<conf_handle> make_conf(const client_options& options, const std::vector<property>& defaults = {});

// A client of `type` from `conf` (consumed, also on failure).
result<kafka_handle> make_client(rd_kafka_type_t type, conf_handle conf);

// A client for admin and metadata requests; asking about a topic never creates it.
result<kafka_handle> make_admin_client(const client_options& options);

// An error from a librdkafka code: not_found for unknown topics, partitions and groups, already_exists,
// invalid_config, invalid_argument for bad requests, io_error for the rest (transport, timeouts).
error kafka_error(rd_kafka_resp_err_t code, const std::string& context);

// Metadata for one topic (nullptr: only the brokers), failing with a clear message when no broker
// answers within options.timeout. A topic's own error (unknown topic) is left in the metadata.
result<metadata_handle> fetch_metadata(rd_kafka_t* client, const client_options& options, const char* topic);

// The metadata's entry for `topic`, or not_found / the broker's error for it.
result<const rd_kafka_metadata_topic_t*> find_topic(const rd_kafka_metadata_t& metadata,
                                                    const std::string& topic);

// Runs one Admin API request: `start` is given admin options (request and operation timeouts from
// `options`) and the queue the result arrives on, and must call the rd_kafka_<Op>() function. Returns
// the result event, or the request-level error (io_error when nothing arrives within the timeout).
using admin_start = std::function<void(rd_kafka_AdminOptions_t*, rd_kafka_queue_t*)>;
result<event_handle> run_admin(rd_kafka_t* client, rd_kafka_admin_op_t op, const client_options& options,
                               const admin_start& start);

}  // namespace sluice::cli
