// broker/broker.h — the Kafka request dispatcher: decodes a request frame's header, checks the API
// and version against what the broker advertises, decodes the body, runs the API's handler and
// encodes the response with the right header version.
//
// Requests this broker cannot parse (an API it does not advertise, a version outside the advertised
// range other than ApiVersions, a malformed body) close the connection, as Kafka does: there is no
// version at which such a response could be encoded.
#pragma once

#include <cstddef>
#include <functional>
#include <span>
#include <vector>

#include "broker/context.h"
#include "kafka/protocol/api_key.h"
#include "net/server.h"

namespace sluice::broker {

// The APIs and versions this broker advertises in ApiVersions; a subset of what the codec supports.
std::span<const kafka::api_version_range> advertised_apis();

class broker {
 public:
  // `io` runs the timers of long-polling fetches; with null, fetches answer at once.
  broker(storage::log_manager& logs, broker_config config, boost::asio::io_context* io);

  // Handles one request frame (without its size prefix). `respond` is called exactly once, with an
  // empty frame for a Produce with acks=0.
  void handle(std::vector<std::byte> frame, net::reply_fn respond);

  context& ctx() { return ctx_; }

 private:
  context ctx_;
};

}  // namespace sluice::broker
