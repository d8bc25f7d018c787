// net/server.h — a TCP server for length-prefixed request/response protocols (Kafka framing: an
// int32 size, then that many bytes), on Boost.Asio with C++20 coroutines.
//
// Threading: one io_context run by a pool of threads (one per core). Each connection is one
// coroutine that reads a frame, hands it to the handler, waits for the reply and writes it before
// reading the next frame — the order Kafka itself keeps (a broker mutes a connection while one of its
// requests is in flight), so replies are in request order by construction while clients may still
// pipeline requests into the socket. A handler may reply later from any thread (a long-polling
// fetch); the connection waits without blocking a thread, so other connections go on.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "base/result.h"

namespace boost::asio {
class io_context;
}

namespace sluice::net {

// What to send back for one request frame.
struct reply {
  std::vector<std::byte> frame;  // the whole response including its size prefix; empty sends nothing
  bool close = false;            // close the connection after sending `frame`
};

using reply_fn = std::function<void(reply)>;
// Called for each request frame (without its size prefix); must call `respond` exactly once, now or
// later, from any thread.
using frame_handler = std::function<void(std::vector<std::byte> frame, reply_fn respond)>;

struct server_options {
  std::string host = "127.0.0.1";
  std::uint16_t port = 9092;                   // 0 picks a free port
  std::int64_t max_request_bytes = 104857600;  // larger frames close the connection
  unsigned threads = 0;                        // 0: one per core
  std::string name = "kafka";                  // for log lines
};

class server {
 public:
  explicit server(server_options options);
  ~server();
  server(const server&) = delete;
  server& operator=(const server&) = delete;

  // The io_context the connections run on, for handlers that need timers.
  boost::asio::io_context& io();

  // Binds and listens; connections are accepted once run() starts the threads.
  result<void> listen(frame_handler handler);
  // "host:port" actually bound (the port is known after listen()).
  std::string local_address() const;
  std::uint16_t local_port() const;

  // Starts the thread pool; returns at once.
  void run();
  // Stops accepting, closes every connection and joins the threads.
  void stop();

 private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

}  // namespace sluice::net
