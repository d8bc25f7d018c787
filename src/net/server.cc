#include "net/server.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <latch>
#include <thread>

#include "base/bytes.h"
#include "base/thread_name.h"
#include "net/asio.h"
#include "net/connection.h"

namespace sluice::net {
namespace asio = boost::asio;
using asio::ip::tcp;

namespace {

// Suspends the calling coroutine until the handler replies, possibly from another thread; the
// completion is posted back to the coroutine's executor (the connection's loop).
template <typename Token>
auto async_handle(const frame_handler& handler, asio::io_context& loop, shared_bytes frame, Token&& token) {
  return asio::async_initiate<Token, void(reply)>(
      [&handler, &loop](auto completion, shared_bytes request) {
        using completion_t = decltype(completion);
        auto shared = std::make_shared<completion_t>(std::move(completion));
        handler(std::move(request), loop, [shared](reply r) {
          auto executor = asio::get_associated_executor(*shared);
          asio::post(executor, [shared, r = std::move(r)]() mutable { (*shared)(std::move(r)); });
        });
      },
      token, std::move(frame));
}

// One event loop: an io_context run by exactly one thread.
struct event_loop {
  asio::io_context io{1};
  asio::executor_work_guard<asio::io_context::executor_type> work = asio::make_work_guard(io);
  // The sockets of this loop's connections; touched only on this loop's thread.
  std::vector<std::weak_ptr<tcp::socket>> connections;
  // Sockets alive, counted down by their deleter wherever the last owner drops them (which may be after
  // the loop is gone, hence shared).
  std::shared_ptr<std::atomic<std::int64_t>> open = std::make_shared<std::atomic<std::int64_t>>(0);

  std::shared_ptr<tcp::socket> adopt(tcp::socket accepted) {
    open->fetch_add(1, std::memory_order_relaxed);
    auto socket =
        std::shared_ptr<tcp::socket>(new tcp::socket(std::move(accepted)), [open = open](tcp::socket* s) {
          delete s;
          open->fetch_sub(1, std::memory_order_relaxed);
        });
    std::erase_if(connections, [](const auto& w) { return w.expired(); });
    connections.push_back(socket);
    return socket;
  }

  void close_connections() {
    boost::system::error_code ignored;
    for (auto& w : connections)
      if (auto s = w.lock()) s->close(ignored);
    connections.clear();
  }
};

std::string peer_of(tcp::socket& socket) {
  boost::system::error_code ec;
  auto remote = socket.remote_endpoint(ec);
  if (ec) return "?";
  return remote.address().to_string() + ":" + std::to_string(remote.port());
}

unsigned loop_count_for(unsigned threads) {
  return threads ? threads : std::max(1u, std::thread::hardware_concurrency());
}

}  // namespace

struct server::impl {
  server_options options;
  std::vector<std::unique_ptr<event_loop>> loops;
  // Declared after the loops so it is destroyed first: work still queued there may hold replies
  // bound to a loop.
  asio::thread_pool blocking;
  tcp::acceptor acceptor;  // on loops[0]
  frame_handler handler;
  connection_handler on_connection;  // set instead of `handler` by listen_connections()
  std::vector<std::thread> threads;
  std::size_t next_loop = 0;  // round-robin; touched only on loops[0]
  bool stopped = false;

  explicit impl(server_options o)
      : options(std::move(o)),
        loops(make_loops(options.threads)),
        blocking(std::max(1u, options.blocking_threads)),
        acceptor(loops.front()->io) {}

  static std::vector<std::unique_ptr<event_loop>> make_loops(unsigned threads) {
    std::vector<std::unique_ptr<event_loop>> out;
    for (unsigned i = loop_count_for(threads); i > 0; --i) out.push_back(std::make_unique<event_loop>());
    return out;
  }

  asio::awaitable<void> accept_loop() {
    for (;;) {
      auto& home = *loops[next_loop % loops.size()];
      tcp::socket socket(home.io);
      boost::system::error_code ec;
      co_await acceptor.async_accept(socket, asio::redirect_error(asio::use_awaitable, ec));
      // stop() closes the acceptor on this thread before it closes the loops' connections, so a
      // socket accepted after that would never be closed: drop it.
      if (!acceptor.is_open()) co_return;
      if (ec) {
        spdlog::warn("{}: accept failed: {}", options.name, ec.message());
        continue;
      }
      ++next_loop;
      if (on_connection) {
        asio::post(home.io, [this, &home, accepted = std::move(socket)]() mutable {
          auto adopted = home.adopt(std::move(accepted));
          boost::system::error_code ignored;
          adopted->set_option(tcp::no_delay(true), ignored);
          on_connection(net::connection{adopted, home.io, peer_of(*adopted)});
        });
        continue;
      }
      asio::co_spawn(home.io, connection(home, std::move(socket)), asio::detached);
    }
  }

  // Runs on `home`'s thread from its first instruction (co_spawn starts by posting there).
  asio::awaitable<void> connection(event_loop& home, tcp::socket accepted) {
    auto socket = home.adopt(std::move(accepted));
    std::string peer = peer_of(*socket);
    try {
      boost::system::error_code ignored;
      socket->set_option(tcp::no_delay(true), ignored);
      for (;;) {
        std::array<std::byte, 4> size_bytes;
        co_await asio::async_read(*socket, asio::buffer(size_bytes), asio::use_awaitable);
        auto size = load_be<std::int32_t>(size_bytes.data());
        if (size < 0 || size > options.max_request_bytes) {
          spdlog::warn("{}: closing {}: request frame of {} bytes (limit {})", options.name, peer, size,
                       options.max_request_bytes);
          break;
        }
        auto frame = shared_bytes::allocate(static_cast<std::size_t>(size));
        co_await asio::async_read(*socket, asio::buffer(frame.data(), frame.size), asio::use_awaitable);
        reply r = co_await async_handle(handler, home.io, std::move(frame), asio::use_awaitable);
        if (!r.gather.empty()) {
          std::vector<asio::const_buffer> buffers;
          buffers.reserve(r.gather.size());
          for (auto b : r.gather) buffers.emplace_back(b.data(), b.size());
          co_await asio::async_write(*socket, buffers, asio::use_awaitable);
        } else if (!r.frame.empty()) {
          co_await asio::async_write(*socket, asio::buffer(r.frame), asio::use_awaitable);
        }
        if (r.close) break;
      }
    } catch (const boost::system::system_error& e) {
      // A client hanging up is the normal end of a connection.
      // A reply that arrives after stop() closed the socket fails with bad_descriptor.
      if (e.code() != asio::error::eof && e.code() != asio::error::connection_reset &&
          e.code() != asio::error::operation_aborted && e.code() != asio::error::bad_descriptor)
        spdlog::info("{}: connection {} closed: {}", options.name, peer, e.what());
    } catch (const std::exception& e) {
      spdlog::error("{}: connection {} failed: {}", options.name, peer, e.what());
    }
    boost::system::error_code ignored;
    socket->close(ignored);
  }

  void run_loop(asio::io_context& io) {
    // A handler that throws outside a connection's coroutine (a timer, a posted wake-up) must not
    // take the process down: log it and keep the loop serving.
    for (;;) {
      try {
        io.run();
        return;
      } catch (const std::exception& e) {
        spdlog::error("{}: handler failed: {}", options.name, e.what());
      }
    }
  }

  result<void> bind_and_listen();

  // Closes the acceptor, then every connection, each on its own loop; returns once all are closed.
  void close_all() {
    std::latch closed(static_cast<std::ptrdiff_t>(loops.size()));
    asio::post(loops.front()->io, [this, &closed] {
      boost::system::error_code ignored;
      acceptor.close(ignored);
      // Posted after any connection the acceptor handed over, so those are registered by now.
      for (auto& loop : loops) {
        asio::post(loop->io, [&target = *loop, &closed] {
          target.close_connections();
          closed.count_down();
        });
      }
    });
    closed.wait();
  }
};

server::server(server_options options) : impl_(std::make_unique<impl>(std::move(options))) {}

server::~server() { stop(); }

asio::thread_pool& server::blocking_pool() { return impl_->blocking; }

std::size_t server::open_connections() const {
  std::int64_t n = 0;
  for (const auto& loop : impl_->loops) n += loop->open->load(std::memory_order_relaxed);
  return static_cast<std::size_t>(std::max<std::int64_t>(n, 0));
}

unsigned server::loop_count() const { return static_cast<unsigned>(impl_->loops.size()); }

result<void> server::listen(frame_handler handler) {
  impl_->handler = std::move(handler);
  return impl_->bind_and_listen();
}

result<void> server::listen_connections(connection_handler handler) {
  impl_->on_connection = std::move(handler);
  return impl_->bind_and_listen();
}

result<void> server::impl::bind_and_listen() {
  boost::system::error_code ec;
  auto address = asio::ip::make_address(options.host, ec);
  if (ec) return fail(errc::invalid_argument, "bad listener address '" + options.host + "'");
  tcp::endpoint endpoint(address, options.port);
  acceptor.open(endpoint.protocol(), ec);
  if (!ec) acceptor.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) acceptor.bind(endpoint, ec);
  if (!ec) acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    return fail(errc::io_error, "cannot listen on " + options.host + ":" + std::to_string(options.port) +
                                    ": " + ec.message());
  }
  asio::co_spawn(loops.front()->io, accept_loop(), asio::detached);
  return {};
}

std::uint16_t server::local_port() const {
  boost::system::error_code ec;
  auto endpoint = impl_->acceptor.local_endpoint(ec);
  return ec ? 0 : endpoint.port();
}

std::string server::local_address() const { return impl_->options.host + ":" + std::to_string(local_port()); }

void server::run() {
  for (auto& loop : impl_->loops)
    impl_->threads.emplace_back([this, &io = loop->io] {
      name_this_thread("net-loop");
      impl_->run_loop(io);
    });
}

void server::stop() {
  auto& s = *impl_;
  if (s.stopped) return;
  s.stopped = true;
  if (s.threads.empty()) {
    // Never ran: nothing was accepted, and no thread touches the acceptor.
    boost::system::error_code ignored;
    s.acceptor.close(ignored);
    s.blocking.join();
    return;
  }
  s.close_all();
  // No connection is left to queue more; what is queued (an append, an fdatasync) finishes, and its
  // reply goes to a closed socket.
  s.blocking.join();
  // The aborted reads the closes queued ran before this; what still waits after that (a
  // long-polling fetch) is dropped with its io_context.
  for (auto& loop : s.loops) asio::post(loop->io, [&io = loop->io] { io.stop(); });
  for (auto& t : s.threads) t.join();
  s.threads.clear();
}

}  // namespace sluice::net
