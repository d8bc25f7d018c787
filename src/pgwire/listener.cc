#include "pgwire/listener.h"

#include <spdlog/spdlog.h>

#include <array>
#include <atomic>
#include <exception>
#include <optional>
#include <random>
#include <vector>

#include "net/asio.h"
#include "net/connection.h"
#include "net/server.h"
#include "pgwire/messages.h"
#include "pgwire/session.h"
#include "pgwire/startup.h"

namespace sluice::pgwire {
namespace asio = boost::asio;
using asio::ip::tcp;

namespace {

// Output beyond this is sent even before the client asks (a pipeline of many Executes).
constexpr std::size_t flush_threshold = 64 * 1024;
// SSLRequest and GSSENCRequest may each precede the startup packet once.
constexpr int max_startup_packets = 3;

// Runs `work` on `pool` and resumes the awaiting coroutine on its own executor, with whatever
// `work` threw.
template <typename Work, typename Token>
auto run_blocking(asio::thread_pool& pool, Work work, Token&& token) {
  return asio::async_initiate<Token, void(std::exception_ptr)>(
      [&pool](auto completion, Work w) {
        auto shared = std::make_shared<decltype(completion)>(std::move(completion));
        asio::post(pool, [shared, w = std::move(w)]() mutable {
          std::exception_ptr thrown;
          try {
            w();
          } catch (...) {
            thrown = std::current_exception();
          }
          auto executor = asio::get_associated_executor(*shared);
          asio::post(executor, [shared, thrown] { (*shared)(thrown); });
        });
      },
      token, std::move(work));
}

// The state of one connection's coroutine.
struct connection_state {
  tcp::socket& socket;
  const listener_options& options;
  asio::thread_pool& pool;
  session_factory& sessions;
  std::string peer;
  std::vector<std::byte> out;

  asio::awaitable<void> flush() {
    if (out.empty()) co_return;
    co_await asio::async_write(socket, asio::buffer(out), asio::use_awaitable);
    out.clear();
  }

  asio::awaitable<void> blocking(std::function<void()> work) {
    // A completion whose first argument is an exception_ptr rethrows it in the coroutine.
    co_await run_blocking(pool, std::move(work), asio::use_awaitable);
  }

  asio::awaitable<std::vector<std::byte>> read_body(std::int32_t length_with_itself) {
    std::vector<std::byte> body(static_cast<std::size_t>(length_with_itself) - 4);
    co_await asio::async_read(socket, asio::buffer(body), asio::use_awaitable);
    co_return body;
  }

  // Reads packets until a startup message; answers SSLRequest and GSSENCRequest with 'N' (not
  // supported: the client goes on in plain text or gives up). nullopt: close the connection.
  asio::awaitable<std::optional<startup_message>> read_startup() {
    for (int i = 0; i < max_startup_packets; ++i) {
      std::array<std::byte, 4> length_bytes;
      co_await asio::async_read(socket, asio::buffer(length_bytes), asio::use_awaitable);
      auto length = load_be<std::int32_t>(length_bytes.data());
      if (length < 8 || length > max_startup_bytes) break;
      auto packet = decode_startup(co_await read_body(length));
      if (!packet) {
        write_error(out, packet.error(), "FATAL");
        co_return std::nullopt;
      }
      if (std::holds_alternative<ssl_request>(*packet) || std::holds_alternative<gssenc_request>(*packet)) {
        out.push_back(std::byte{'N'});
        co_await flush();
        continue;
      }
      // Not honoured: the engine cannot interrupt a running query yet. Postgres closes silently too.
      if (std::holds_alternative<cancel_request>(*packet)) co_return std::nullopt;
      auto& startup = std::get<startup_message>(*packet);
      if (auto refused = check_startup(startup)) {
        write_error(out, *refused, "FATAL");
        co_return std::nullopt;
      }
      co_return std::move(startup);
    }
    write_protocol_violation(out, "invalid startup packet");
    co_return std::nullopt;
  }

  asio::awaitable<void> serve_messages(session& s) {
    for (;;) {
      std::array<std::byte, 5> header;
      co_await asio::async_read(socket, asio::buffer(header), asio::use_awaitable);
      auto type = static_cast<char>(header[0]);
      auto length = load_be<std::int32_t>(header.data() + 1);
      if (length < 4 || length - 4 > options.max_message_bytes) {
        spdlog::warn("pgwire: closing {}: message of {} bytes (limit {})", peer, length,
                     options.max_message_bytes);
        write_protocol_violation(out, "invalid message length " + std::to_string(length));
        co_return;
      }
      auto body = co_await read_body(length);
      auto next = after_message::read_more;
      if (session::calls_engine(type))
        co_await blocking([&] { next = s.handle(type, body, out); });
      else
        next = s.handle(type, body, out);
      if (next == after_message::close) co_return;
      if (next == after_message::flush || out.size() >= flush_threshold) co_await flush();
    }
  }
};

bool normal_end(const boost::system::error_code& code) {
  return code == asio::error::eof || code == asio::error::connection_reset ||
         code == asio::error::operation_aborted || code == asio::error::bad_descriptor ||
         code == asio::error::broken_pipe;
}

}  // namespace

struct listener::impl {
  listener_options options;
  std::shared_ptr<session_factory> sessions;
  net::server server;
  std::atomic<std::int32_t> next_process_id{1};
  std::atomic<std::size_t> connections{0};  // open connections, counted from accept to close

  impl(listener_options o, std::shared_ptr<session_factory> s)
      : options(std::move(o)),
        sessions(std::move(s)),
        server(net::server_options{.host = options.host,
                                   .port = options.port,
                                   .max_request_bytes = options.max_message_bytes,
                                   .threads = options.threads,
                                   .blocking_threads = options.query_threads,
                                   .name = "pgwire"}) {}

  // Everything after the startup packet: open the engine session, greet, serve messages.
  asio::awaitable<void> run_session(connection_state& c, const startup_message& startup) {
    sql::sql_result<std::unique_ptr<query_session>> opened = nullptr;
    co_await c.blocking([&] { opened = sessions->open_session(startup.parameters); });
    if (!opened) {
      write_error(c.out, opened.error(), "FATAL");
      co_return;
    }
    session s(std::move(*opened));
    write_greeting(c.out, startup, next_process_id.fetch_add(1),
                   static_cast<std::int32_t>(std::random_device{}()));
    write_ready_for_query(c.out, 'I');
    co_await c.flush();
    co_await c.serve_messages(s);
  }

  // Reads the startup packet; a client that takes longer than startup_timeout is disconnected.
  asio::awaitable<std::optional<startup_message>> read_startup(connection_state& c,
                                                               const std::shared_ptr<tcp::socket>& socket) {
    asio::steady_timer deadline(socket->get_executor(), options.startup_timeout);
    deadline.async_wait([socket, peer = c.peer](boost::system::error_code ec) {
      if (ec) return;  // cancelled: the startup packet came in time
      spdlog::info("pgwire: closing {}: no startup packet in time", peer);
      socket->close(ec);
    });
    auto startup = co_await c.read_startup();
    deadline.cancel();
    co_return startup;
  }

  // Past max_connections a client is refused, as Postgres does, once it has said who it is.
  asio::awaitable<void> admit(connection_state& c, const std::shared_ptr<tcp::socket>& socket) {
    auto startup = co_await read_startup(c, socket);
    if (!startup) co_return;
    if (connections.load() > options.max_connections) {
      write_error(c.out, sql::sql_error{"53300", "sorry, too many clients already", -1, {}, {}}, "FATAL");
      co_return;
    }
    co_await run_session(c, *startup);
  }

  asio::awaitable<void> serve(std::shared_ptr<tcp::socket> socket, std::string peer) {
    connections.fetch_add(1);
    connection_state c{*socket, options, server.blocking_pool(), *sessions, std::move(peer), {}};
    bool failed = false;
    try {
      co_await admit(c, socket);
    } catch (const boost::system::system_error& e) {
      if (!normal_end(e.code())) spdlog::info("pgwire: connection {} closed: {}", c.peer, e.what());
      c.out.clear();  // the socket is gone
    } catch (const std::exception& e) {
      spdlog::error("pgwire: connection {} failed: {}", c.peer, e.what());
      failed = true;
    }
    // The catch-all: whatever went wrong in the engine ends this connection, and only it.
    if (failed)
      write_error(c.out, sql::sql_error{sql::sqlstate::internal_error, "internal error", -1, {}, {}},
                  "FATAL");
    try {
      co_await c.flush();  // the last answer: a FATAL error or what came before Terminate
    } catch (const std::exception&) {
      // The client is gone already.
    }
    boost::system::error_code ignored;
    socket->shutdown(tcp::socket::shutdown_both, ignored);
    socket->close(ignored);
    connections.fetch_sub(1);
  }
};

listener::listener(listener_options options, std::shared_ptr<session_factory> sessions)
    : impl_(std::make_unique<impl>(std::move(options), std::move(sessions))) {}

listener::~listener() { stop(); }

result<void> listener::listen() {
  return impl_->server.listen_connections([this](const net::connection& c) {
    asio::co_spawn(c.loop, impl_->serve(c.socket, c.peer), asio::detached);
  });
}

void listener::run() { impl_->server.run(); }
void listener::stop() { impl_->server.stop(); }
std::string listener::local_address() const { return impl_->server.local_address(); }
std::uint16_t listener::local_port() const { return impl_->server.local_port(); }
unsigned listener::loop_count() const { return impl_->server.loop_count(); }
std::size_t listener::open_connections() const { return impl_->server.open_connections(); }

}  // namespace sluice::pgwire
