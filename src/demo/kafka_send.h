// demo/kafka_send.h — queues one keyed record on a librdkafka producer, copying key and value, for
// the demo's generator and fraud service. Include from .cc files only (it pulls in rdkafka.h).
#pragma once

#include <librdkafka/rdkafka.h>

#include <string_view>

namespace sluice::demo {

// RD_KAFKA_RESP_ERR__QUEUE_FULL means: serve delivery reports (rd_kafka_poll) and try again.
rd_kafka_resp_err_t send_record(rd_kafka_t* producer, const char* topic, std::string_view key,
                                std::string_view value);

}  // namespace sluice::demo
