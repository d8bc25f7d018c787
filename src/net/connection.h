// net/connection.h — what net::server::listen_connections() hands a protocol: the accepted socket
// and the event loop it belongs to. Includes Asio: include it only from .cc files.
#pragma once

#include <memory>
#include <string>

#include "net/asio.h"
#include "net/server.h"

namespace sluice::net {

struct connection {
  // Shared with the server's registry (a weak reference), so stop() can close it.
  std::shared_ptr<boost::asio::ip::tcp::socket> socket;
  // The loop that owns the socket: run the connection's coroutine here, and only here.
  boost::asio::io_context& loop;
  std::string peer;  // "address:port", for log lines
};

}  // namespace sluice::net
