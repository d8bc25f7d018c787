#include "net/server.h"

#include <spdlog/spdlog.h>

#include <array>
#include <mutex>
#include <thread>

#include "base/bytes.h"
#include "net/asio.h"

namespace sluice::net {
namespace asio = boost::asio;
using asio::ip::tcp;

namespace {

// Suspends the calling coroutine until the handler replies, possibly from another thread; the
// completion is posted back to the coroutine's executor.
template <typename Token>
auto async_handle(const frame_handler& handler, std::vector<std::byte> frame, Token&& token) {
  return asio::async_initiate<Token, void(reply)>(
      [&handler](auto completion, std::vector<std::byte> request) {
        using completion_t = decltype(completion);
        auto shared = std::make_shared<completion_t>(std::move(completion));
        handler(std::move(request), [shared](reply r) {
          auto executor = asio::get_associated_executor(*shared);
          asio::post(executor, [shared, r = std::move(r)]() mutable { (*shared)(std::move(r)); });
        });
      },
      token, std::move(frame));
}

}  // namespace

struct server::impl {
  server_options options;
  asio::io_context io;
  tcp::acceptor acceptor{io};
  frame_handler handler;
  std::vector<std::thread> threads;
  std::mutex mu;  // guards connections
  std::vector<std::weak_ptr<tcp::socket>> connections;

  explicit impl(server_options o) : options(std::move(o)) {}

  asio::awaitable<void> accept_loop() {
    for (;;) {
      boost::system::error_code ec;
      auto socket = co_await acceptor.async_accept(asio::redirect_error(asio::use_awaitable, ec));
      if (ec) {
        if (ec == asio::error::operation_aborted || !acceptor.is_open()) co_return;
        spdlog::warn("{}: accept failed: {}", options.name, ec.message());
        continue;
      }
      auto shared = std::make_shared<tcp::socket>(std::move(socket));
      {
        std::lock_guard lock(mu);
        std::erase_if(connections, [](const auto& w) { return w.expired(); });
        connections.push_back(shared);
      }
      asio::co_spawn(io, connection(shared), asio::detached);
    }
  }

  asio::awaitable<void> connection(std::shared_ptr<tcp::socket> socket) {
    std::string peer = "?";
    try {
      boost::system::error_code ignored;
      auto remote = socket->remote_endpoint(ignored);
      if (!ignored) peer = remote.address().to_string() + ":" + std::to_string(remote.port());
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
        std::vector<std::byte> frame(static_cast<std::size_t>(size));
        co_await asio::async_read(*socket, asio::buffer(frame), asio::use_awaitable);
        reply r = co_await async_handle(handler, std::move(frame), asio::use_awaitable);
        if (!r.frame.empty()) co_await asio::async_write(*socket, asio::buffer(r.frame), asio::use_awaitable);
        if (r.close) break;
      }
    } catch (const boost::system::system_error& e) {
      // A client hanging up is the normal end of a connection.
      if (e.code() != asio::error::eof && e.code() != asio::error::connection_reset &&
          e.code() != asio::error::operation_aborted)
        spdlog::info("{}: connection {} closed: {}", options.name, peer, e.what());
    } catch (const std::exception& e) {
      spdlog::error("{}: connection {} failed: {}", options.name, peer, e.what());
    }
    boost::system::error_code ignored;
    socket->close(ignored);
  }
};

server::server(server_options options) : impl_(std::make_unique<impl>(std::move(options))) {}

server::~server() { stop(); }

asio::io_context& server::io() { return impl_->io; }

result<void> server::listen(frame_handler handler) {
  impl_->handler = std::move(handler);
  boost::system::error_code ec;
  auto address = asio::ip::make_address(impl_->options.host, ec);
  if (ec) return fail(errc::invalid_argument, "bad listener address '" + impl_->options.host + "'");
  tcp::endpoint endpoint(address, impl_->options.port);
  auto& acceptor = impl_->acceptor;
  acceptor.open(endpoint.protocol(), ec);
  if (!ec) acceptor.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) acceptor.bind(endpoint, ec);
  if (!ec) acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    return fail(errc::io_error, "cannot listen on " + impl_->options.host + ":" +
                                    std::to_string(impl_->options.port) + ": " + ec.message());
  }
  asio::co_spawn(impl_->io, impl_->accept_loop(), asio::detached);
  return {};
}

std::uint16_t server::local_port() const {
  boost::system::error_code ec;
  auto endpoint = impl_->acceptor.local_endpoint(ec);
  return ec ? 0 : endpoint.port();
}

std::string server::local_address() const { return impl_->options.host + ":" + std::to_string(local_port()); }

void server::run() {
  unsigned n =
      impl_->options.threads ? impl_->options.threads : std::max(1u, std::thread::hardware_concurrency());
  for (unsigned i = 0; i < n; ++i) {
    impl_->threads.emplace_back([this] {
      // A handler that throws outside a connection's coroutine (a timer, a posted wake-up) must not
      // take the process down: log it and keep the thread serving.
      for (;;) {
        try {
          impl_->io.run();
          return;
        } catch (const std::exception& e) {
          spdlog::error("{}: handler failed: {}", impl_->options.name, e.what());
        }
      }
    });
  }
}

void server::stop() {
  if (impl_->threads.empty() && !impl_->acceptor.is_open()) return;
  // Closing on the io threads keeps each socket's operations on the threads that run them; the
  // sessions then end with operation_aborted.
  asio::post(impl_->io, [this] {
    boost::system::error_code ignored;
    impl_->acceptor.close(ignored);
    std::lock_guard lock(impl_->mu);
    for (auto& w : impl_->connections)
      if (auto s = w.lock()) s->close(ignored);
    // Posted after the aborted reads the closes just queued, so the sessions unwind first; what
    // still waits after that (a long-polling fetch) is dropped with the io_context.
    asio::post(impl_->io, [this] { impl_->io.stop(); });
  });
  if (impl_->threads.empty()) impl_->io.run();
  for (auto& t : impl_->threads) t.join();
  impl_->threads.clear();
}

}  // namespace sluice::net
