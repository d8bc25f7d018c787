#include "http/server.h"

#include <spdlog/spdlog.h>

#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <deque>
#include <mutex>
#include <thread>

#include "base/json_string.h"
#include "base/thread_name.h"
#include "net/asio.h"

namespace sluice::http {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = asio::ip::tcp;

namespace {

// `plus_is_space`: in query strings (form encoding) '+' stands for a space; in paths it is itself.
std::string percent_decode(std::string_view s, bool plus_is_space) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size() && std::isxdigit(static_cast<unsigned char>(s[i + 1])) &&
        std::isxdigit(static_cast<unsigned char>(s[i + 2]))) {
      out += static_cast<char>(std::stoi(std::string(s.substr(i + 1, 2)), nullptr, 16));
      i += 2;
    } else {
      out += plus_is_space && s[i] == '+' ? ' ' : s[i];
    }
  }
  return out;
}

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) != std::tolower(static_cast<unsigned char>(b[i])))
      return false;
  }
  return true;
}

bool path_matches(const std::string& pattern, const std::string& path) {
  if (pattern.size() >= 2 && pattern.ends_with("/*")) {
    std::string_view prefix(pattern.data(), pattern.size() - 1);
    return path.size() > prefix.size() && path.starts_with(prefix);
  }
  return pattern == path;
}

// The SSE wire form of one event: every line of `data` gets its own data: field.
std::string sse_frame(const std::string& event, const std::string& data) {
  std::string out;
  if (!event.empty()) out += "event: " + event + "\n";
  std::size_t start = 0;
  while (true) {
    std::size_t nl = data.find('\n', start);
    out += "data: " + data.substr(start, nl == std::string::npos ? nl : nl - start) + "\n";
    if (nl == std::string::npos) break;
    start = nl + 1;
  }
  return out + "\n";
}

}  // namespace

std::optional<std::string> request::query_param(const std::string& name) const {
  std::size_t start = 0;
  while (start <= query.size()) {
    std::size_t end = query.find('&', start);
    std::string_view pair(query.data() + start, (end == std::string::npos ? query.size() : end) - start);
    std::size_t eq = pair.find('=');
    if (percent_decode(pair.substr(0, eq), true) == name) {
      return eq == std::string_view::npos ? std::string() : percent_decode(pair.substr(eq + 1), true);
    }
    if (end == std::string::npos) break;
    start = end + 1;
  }
  return std::nullopt;
}

std::optional<std::string> request::header(const std::string& name) const {
  for (const auto& [k, v] : headers) {
    if (iequals(k, name)) return v;
  }
  return std::nullopt;
}

response json_response(int status, std::string body) {
  return response{status, "application/json", std::move(body), {}};
}

response error_response(int status, const std::string& message, const std::string& code) {
  std::string body = "{\"error\":";
  append_json_string(body, message);
  if (!code.empty()) {
    body += ",\"code\":";
    append_json_string(body, code);
  }
  return json_response(status, body + "}");
}

// The queue between whoever pushes events (any thread) and the connection coroutine writing them.
class queued_stream : public event_stream, public std::enable_shared_from_this<queued_stream> {
 public:
  queued_stream(asio::io_context& io, std::size_t max_queued) : timer_(io), max_queued_(max_queued) {}

  void push(const std::string& event, const std::string& data) override {
    {
      std::lock_guard lock(mu_);
      if (closed_) return;
      if (queue_.size() >= max_queued_) {
        closed_ = true;  // the client cannot keep up: drop it rather than grow without bound
      } else {
        queue_.push_back(sse_frame(event, data));
      }
    }
    asio::post(timer_.get_executor(), [self = shared_from_this()] { self->timer_.cancel(); });
  }

  bool closed() const override {
    std::lock_guard lock(mu_);
    return closed_;
  }

  void close() {
    std::lock_guard lock(mu_);
    closed_ = true;
  }

  std::string take_all() {
    std::lock_guard lock(mu_);
    std::string out;
    for (auto& frame : queue_) out += frame;
    queue_.clear();
    return out;
  }

  asio::steady_timer& timer() { return timer_; }

 private:
  asio::steady_timer timer_;  // waited on by the writer; cancelled to wake it
  std::size_t max_queued_;
  mutable std::mutex mu_;
  std::deque<std::string> queue_;
  bool closed_ = false;
};

struct route_entry {
  std::string method;
  std::string pattern;
  handler h;
};

struct server::impl {
  server_options options;
  asio::io_context io{1};
  asio::thread_pool pool;
  tcp::acceptor acceptor{io};
  std::vector<route_entry> routes;
  std::thread loop_thread;
  bool running = false;

  explicit impl(server_options o) : options(std::move(o)), pool(std::max(1U, options.handler_threads)) {}

  handler_result dispatch(const request& req) const {
    bool path_known = false;
    for (const auto& r : routes) {
      if (!path_matches(r.pattern, req.path)) continue;
      path_known = true;
      if (r.method == req.method) return r.h(req);
    }
    if (path_known) return error_response(405, "method " + req.method + " not allowed on " + req.path);
    return error_response(404, "no such endpoint: " + req.path);
  }

  handler_result run_handler(const request& req) const {
    try {
      return dispatch(req);
    } catch (const std::exception& e) {
      spdlog::error("http: {} {} failed: {}", req.method, req.path, e.what());
      return error_response(500, "internal error");
    }
  }

  static request convert(const bhttp::request<bhttp::string_body>& in) {
    request out;
    out.method = std::string(in.method_string());
    std::string target(in.target());
    auto q = target.find('?');
    out.path = percent_decode(target.substr(0, q), false);
    if (q != std::string::npos) out.query = target.substr(q + 1);
    out.body = in.body();
    for (const auto& field : in)
      out.headers.emplace_back(std::string(field.name_string()), std::string(field.value()));
    return out;
  }

  asio::awaitable<void> write_response(beast::tcp_stream& stream, const response& r, unsigned version,
                                       bool keep_alive) {
    bhttp::response<bhttp::string_body> res{static_cast<bhttp::status>(r.status), version};
    res.set(bhttp::field::server, "sluice");
    res.set(bhttp::field::content_type, r.content_type);
    for (const auto& [k, v] : r.headers) res.set(k, v);
    res.keep_alive(keep_alive);
    res.body() = r.body;
    res.prepare_payload();
    co_await bhttp::async_write(stream, res, asio::use_awaitable);
  }

  asio::awaitable<void> serve_events(beast::tcp_stream& stream, const stream_starter& start) {
    auto events = std::make_shared<queued_stream>(io, options.max_queued_events);
    std::string head =
        "HTTP/1.1 200 OK\r\nServer: sluice\r\nContent-Type: text/event-stream\r\nCache-Control: no-cache\r\n"
        "Connection: close\r\nX-Accel-Buffering: no\r\n\r\n: connected\n\n";
    stream.expires_never();
    co_await asio::async_write(stream.socket(), asio::buffer(head), asio::use_awaitable);
    start(events);
    try {
      while (!events->closed()) {
        std::string pending = events->take_all();
        if (pending.empty()) {
          events->timer().expires_after(options.ping_interval);
          boost::system::error_code ec;
          co_await events->timer().async_wait(asio::redirect_error(asio::use_awaitable, ec));
          if (!ec) pending = ": ping\n\n";  // the timer ran out rather than being woken
          pending += events->take_all();
        }
        if (!pending.empty())
          co_await asio::async_write(stream.socket(), asio::buffer(pending), asio::use_awaitable);
      }
    } catch (const std::exception&) {
      // the client went away
    }
    events->close();
  }

  asio::awaitable<void> connection(tcp::socket socket) {
    beast::tcp_stream stream(std::move(socket));
    beast::flat_buffer buffer;
    try {
      while (true) {
        bhttp::request_parser<bhttp::string_body> parser;
        parser.body_limit(options.max_body_bytes);
        stream.expires_after(std::chrono::seconds(120));
        boost::system::error_code ec;
        co_await bhttp::async_read(stream, buffer, parser, asio::redirect_error(asio::use_awaitable, ec));
        if (ec == bhttp::error::end_of_stream || ec == asio::error::eof) break;
        if (ec == bhttp::error::body_limit) {
          co_await write_response(stream, error_response(413, "request body too large"), 11, false);
          break;
        }
        if (ec) {
          if (ec != beast::error::timeout) {
            co_await write_response(stream, error_response(400, "malformed request: " + ec.message()), 11,
                                    false);
          }
          break;
        }
        auto& in = parser.get();
        request req = convert(in);
        handler_result result = co_await asio::co_spawn(
            pool, [this, &req]() -> asio::awaitable<handler_result> { co_return run_handler(req); },
            asio::use_awaitable);
        if (auto* starter = std::get_if<stream_starter>(&result)) {
          co_await serve_events(stream, *starter);
          break;
        }
        co_await write_response(stream, std::get<response>(result), in.version(), in.keep_alive());
        if (!in.keep_alive()) break;
      }
    } catch (const std::exception& e) {
      spdlog::debug("http: connection closed: {}", e.what());
    }
    boost::system::error_code ignored;
    stream.socket().shutdown(tcp::socket::shutdown_both, ignored);
  }

  asio::awaitable<void> accept_loop() {
    while (acceptor.is_open()) {
      boost::system::error_code ec;
      tcp::socket socket = co_await acceptor.async_accept(asio::redirect_error(asio::use_awaitable, ec));
      if (ec) {
        if (!acceptor.is_open()) break;
        continue;
      }
      asio::co_spawn(io, connection(std::move(socket)), asio::detached);
    }
  }
};

server::server(server_options options) : impl_(std::make_unique<impl>(std::move(options))) {}

server::~server() { stop(); }

void server::route(std::string method, std::string pattern, handler h) {
  impl_->routes.push_back({std::move(method), std::move(pattern), std::move(h)});
}

result<void> server::listen() {
  boost::system::error_code ec;
  auto address = asio::ip::make_address(impl_->options.host, ec);
  if (ec)
    return fail(errc::invalid_argument, "bad HTTP address '" + impl_->options.host + "': " + ec.message());
  tcp::endpoint endpoint(address, impl_->options.port);
  auto& acceptor = impl_->acceptor;
  if (acceptor.open(endpoint.protocol(), ec); ec) return fail(errc::io_error, "http socket: " + ec.message());
  acceptor.set_option(asio::socket_base::reuse_address(true), ec);
  if (acceptor.bind(endpoint, ec); ec) {
    return fail(errc::io_error, "cannot listen for HTTP on " + impl_->options.host + ":" +
                                    std::to_string(impl_->options.port) + ": " + ec.message());
  }
  if (acceptor.listen(asio::socket_base::max_listen_connections, ec); ec) {
    return fail(errc::io_error, "http listen: " + ec.message());
  }
  return {};
}

std::uint16_t server::local_port() const { return impl_->acceptor.local_endpoint().port(); }

void server::run() {
  asio::co_spawn(impl_->io, impl_->accept_loop(), asio::detached);
  impl_->running = true;
  impl_->loop_thread = std::thread([this] {
    name_this_thread("http-loop");
    impl_->io.run();
  });
}

void server::stop() {
  if (!impl_->running) return;
  impl_->running = false;
  asio::post(impl_->io, [this] {
    boost::system::error_code ignored;
    impl_->acceptor.close(ignored);
  });
  impl_->pool.join();
  impl_->io.stop();
  if (impl_->loop_thread.joinable()) impl_->loop_thread.join();
}

}  // namespace sluice::http
