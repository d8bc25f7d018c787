// broker/broker.h — the Kafka request dispatcher: decodes a request frame's header, checks the API
// and version against what the broker advertises, decodes the body, runs the API's handler and
// encodes the response with the right header version.
//
// Requests this broker cannot parse (an API it does not advertise, a version outside the advertised
// range other than ApiVersions, a malformed body) close the connection, as Kafka does: there is no
// version at which such a response could be encoded.
//
// Threads: handle() runs on the connection's event loop and must not block it. Requests that write
// to the disk (Produce with its appends and acks=-1 fdatasync, topic creation and deletion, config
// changes, DeleteRecords, and a Metadata request that auto-creates a topic) are decoded on the loop,
// then handled and encoded on the blocking pool, which replies. The rest answer on the loop; Fetch and
// ListOffsets read the log there (see handlers/fetch.cc for why).
#pragma once

#include <cstddef>
#include <functional>
#include <span>
#include <vector>

#include "broker/context.h"
#include "kafka/protocol/api_key.h"
#include "net/server.h"

namespace boost::asio {
class io_context;
class thread_pool;
}  // namespace boost::asio

namespace sluice::broker {

// The APIs and versions this broker advertises in ApiVersions; a subset of what the codec supports.
std::span<const kafka::api_version_range> advertised_apis();

class broker {
 public:
  // Handlers that block on the disk run on `blocking` (the server's blocking pool).
  broker(storage::log_manager& logs, broker_config config, boost::asio::thread_pool& blocking);

  // Handles one request frame (without its size prefix) of a connection served by `loop`; a
  // net::frame_handler. `respond` is called exactly once, with an empty reply for a Produce with
  // acks=0.
  void handle(shared_bytes frame, boost::asio::io_context& loop, net::reply_fn respond);

  context& ctx() { return ctx_; }

 private:
  context ctx_;
  boost::asio::thread_pool& blocking_;
};

}  // namespace sluice::broker
