// pgwire/listener.h — the Postgres wire listener: accepts connections on net's event loops, frames
// Postgres messages (a type byte, then an int32 length; the startup packet has no type byte), and
// drives one session per connection.
//
// Threading: each connection is one coroutine on one event loop (net::server::listen_connections),
// reading a message, handling it, and writing the answer once the client asks for it (Sync, Flush,
// a Simple Query). Engine calls (Query, Parse, Execute, and opening the session) run on the
// listener's query pool, so a slow query never stalls the loop; the connection waits for its
// answer while the loop serves the others. Each connection handles one message at a time.
//
// Bounds, as Postgres has them: past max_connections a client gets FATAL 53300 after its startup
// packet; a client that has not sent its startup packet within startup_timeout is disconnected.
//
// Bad input: a length below 4, above max_message_bytes, or a malformed body gets a FATAL 08P01
// ErrorResponse and closes that connection only. An exception from the engine gets a FATAL XX000
// and closes the connection; the server goes on.
//
// Lifecycle: listen(), run(), stop() (or the destructor), as net::server. stop() waits for the
// engine calls already running.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "base/result.h"
#include "pgwire/query_handler.h"

namespace sluice::pgwire {

struct listener_options {
  std::string host = "127.0.0.1";
  std::uint16_t port = 4566;                   // 0 picks a free port
  std::int64_t max_message_bytes = 104857600;  // larger messages close the connection
  unsigned threads = 0;                        // event loops; 0: one per core
  unsigned query_threads = 4;                  // threads that run engine calls; at least 1
  std::size_t max_connections = 1000;
  std::chrono::milliseconds startup_timeout{60'000};  // Postgres's authentication_timeout
};

class listener {
 public:
  listener(listener_options options, std::shared_ptr<session_factory> sessions);
  ~listener();
  listener(const listener&) = delete;
  listener& operator=(const listener&) = delete;

  // Binds and listens; connections are served once run() starts the loops.
  result<void> listen();
  void run();
  void stop();

  std::string local_address() const;  // "host:port" actually bound
  std::uint16_t local_port() const;
  unsigned loop_count() const;
  std::size_t open_connections() const;  // any thread

 private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

}  // namespace sluice::pgwire
