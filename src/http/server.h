// http/server.h — the HTTP endpoint (`--http-addr`): a small router over Boost.Beast for the JSON API
// and Server-Sent Events, later also the console.
//
// Threading: connections live on the server's own event loop thread; route handlers run on a small
// pool (they may block briefly, e.g. on the engine), so one slow request never stalls the others.
// A handler answers with a response, or with an event stream: the server then sends SSE headers and
// forwards every event pushed to the stream until the client goes away (a write fails; comments are
// sent every `ping_interval` so a silent stream still notices).
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "base/result.h"

namespace sluice::http {

struct request {
  std::string method;  // "GET", "POST", ...
  std::string path;    // without the query string, percent-decoded
  std::string query;   // after '?', raw
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;

  // The value of a query parameter (percent-decoded), if present.
  std::optional<std::string> query_param(const std::string& name) const;
  std::optional<std::string> header(const std::string& name) const;  // case-insensitive
};

struct response {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;
};

// An SSE stream to one client. push() may be called from any thread and never blocks; events queue
// up to a bound, beyond which the client is too slow and is disconnected (bounded memory).
class event_stream {
 public:
  virtual ~event_stream() = default;
  // Sends "event: <event>\ndata: <data>\n\n" (data split over several data: lines at newlines).
  virtual void push(const std::string& event, const std::string& data) = 0;
  virtual bool closed() const = 0;
};

// What a handler answers: a response, or a function called once with the open event stream. The
// stream belongs to its connection (and dies with the server's event loop): keep only a weak_ptr.
using stream_starter = std::function<void(std::shared_ptr<event_stream>)>;
using handler_result = std::variant<response, stream_starter>;
using handler = std::function<handler_result(const request&)>;

struct server_options {
  std::string host = "127.0.0.1";
  std::uint16_t port = 8080;  // 0 picks a free port
  std::size_t max_body_bytes = 16 << 20;
  unsigned handler_threads = 2;
  std::chrono::milliseconds ping_interval{15000};
  std::size_t max_queued_events = 10000;
};

class server {
 public:
  explicit server(server_options options);
  ~server();
  server(const server&) = delete;
  server& operator=(const server&) = delete;

  // Routes match `method` and the path exactly, or, for a pattern ending in "/*", any path under it.
  // The first matching route wins; no match is 404, a path matched under another method 405.
  void route(std::string method, std::string pattern, handler h);

  result<void> listen();
  std::uint16_t local_port() const;
  void run();   // starts the loop thread; returns at once
  void stop();  // closes the listener and every connection, joins the threads

 private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

// Helpers for JSON APIs.
response json_response(int status, std::string body);
response error_response(int status, const std::string& message, const std::string& code = {});

}  // namespace sluice::http
