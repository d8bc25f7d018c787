// net/server.h — a TCP server for length-prefixed request/response protocols (Kafka framing: an
// int32 size, then that many bytes), on Boost.Asio with C++20 coroutines.
//
// Threading: one event loop per core. The server runs `threads` io_contexts, each on exactly one
// thread, plus a small blocking pool for work that may block (disk I/O: appends, fdatasync).
// - The acceptor (on loop 0) hands each accepted socket to the next loop, round-robin. Everything
//   of a connection — its coroutine, its timers, the wake-ups of its long-polling fetches — runs on
//   that one loop's thread, so nothing of a connection is touched by two threads at once.
// - Each connection is one coroutine that reads a frame, hands it to the handler, waits for the
//   reply and writes it before reading the next frame — the order Kafka itself keeps (a broker mutes
//   a connection while one of its requests is in flight). Replies are in request order by
//   construction while clients may still pipeline requests into the socket.
// - The handler is called on the connection's loop thread and must not block it: a handler that
//   blocks (on the disk) posts its work to blocking_pool() and replies from there. A reply made on
//   any thread is posted back to the connection's loop, so the socket is only ever written there.
//   While a connection waits for its reply, the other connections of its loop go on.
//
// Protocols with framing of their own (Postgres: a type byte, then an int32 length) use
// listen_connections() instead: the server accepts, spreads and tracks the sockets the same way and
// hands each one over whole, on its loop's thread; the protocol runs its own coroutine there.
//
// Lifecycle: listen() or listen_connections(), run(), then stop() (or the destructor). stop() closes the
// acceptor and every connection, waits for the blocking pool to finish what was queued, then stops the loops
// and joins every thread. It must not be called from a loop or pool thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "base/bytes.h"
#include "base/result.h"
#include "base/shared_bytes.h"

namespace boost::asio {
class io_context;
class thread_pool;
}  // namespace boost::asio

namespace sluice::net {

// What to send back for one request frame: the bytes of `frame`, or, when `gather` is not empty, the
// bytes `gather` points at, in order, with one gathered write (so large buffers, such as record
// batches read from the log, reach the socket without being copied into one frame). `keep_alive`
// owns whatever `gather` points into until the write is done. Either way the bytes are the whole
// response including its size prefix; nothing at all is sent when both are empty.
struct reply {
  std::vector<std::byte> frame{};
  std::vector<bytes_view> gather{};
  std::shared_ptr<const void> keep_alive{};
  bool close = false;  // close the connection after sending
};

using reply_fn = std::function<void(reply)>;
// Called on the connection's loop thread for each request frame (without its size prefix), which the
// handler owns from then on (with whatever it hands the frame's bytes on to). `loop`
// is the connection's event loop, for timers and wake-ups that belong to the request. `respond`
// must be called exactly once, now or later, from any thread — or be destroyed unused once the
// server has stopped. Calling it after stop() is harmless (the reply is dropped); it must not
// outlive the server.
using frame_handler =
    std::function<void(shared_bytes frame, boost::asio::io_context& loop, reply_fn respond)>;

// A socket handed over by listen_connections(); defined in net/connection.h, which includes Asio.
struct connection;
// Called on the connection's loop thread, once per accepted socket; must not block. The server keeps
// a weak reference to the socket, so stop() closes it and the protocol's reads fail.
using connection_handler = std::function<void(const connection& accepted)>;

struct server_options {
  std::string host = "127.0.0.1";
  std::uint16_t port = 9092;                   // 0 picks a free port
  std::int64_t max_request_bytes = 104857600;  // larger frames close the connection
  unsigned threads = 0;                        // event loops (one thread each); 0: one per core
  unsigned blocking_threads = 4;               // threads of blocking_pool(); at least 1
  std::string name = "kafka";                  // for log lines
};

class server {
 public:
  explicit server(server_options options);
  ~server();
  server(const server&) = delete;
  server& operator=(const server&) = delete;

  // Where handlers run work that blocks (disk I/O). Its threads start with the server object.
  boost::asio::thread_pool& blocking_pool();

  // Binds and listens; connections are accepted once run() starts the loops.
  result<void> listen(frame_handler handler);
  // Binds and listens like listen(), but hands every accepted socket to `handler` instead of reading
  // Kafka frames from it.
  result<void> listen_connections(connection_handler handler);
  // "host:port" actually bound (the port is known after listen()).
  std::string local_address() const;
  std::uint16_t local_port() const;
  // How many event loops run connections.
  unsigned loop_count() const;
  // Connections accepted and not yet closed; any thread.
  std::size_t open_connections() const;

  // Starts one thread per event loop; returns at once.
  void run();
  // Stops accepting, closes every connection, drains the blocking pool and joins every thread.
  void stop();

 private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

}  // namespace sluice::net
