// The server over real loopback sockets: framing, request order, bad frames closing only their own
// connection, connections spread over the event loops, and replies made on other threads.
#include "net/server.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <future>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <thread>

#include "base/bytes.h"
#include "net/asio.h"
#include "net/connection.h"

namespace sluice::net {
namespace {

class client {
 public:
  explicit client(std::uint16_t port) : fd_(::socket(AF_INET, SOCK_STREAM, 0)) {
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    connected_ = ::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
    timeval timeout{.tv_sec = 5, .tv_usec = 0};
    ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
  }
  ~client() { ::close(fd_); }
  bool connected() const { return connected_; }
  int fd() const { return fd_; }

  void send_frame(const std::string& body, std::int32_t size) {
    std::string out(4, '\0');
    store_be(reinterpret_cast<std::byte*>(out.data()), size);
    out += body;
    ASSERT_EQ(::send(fd_, out.data(), out.size(), MSG_NOSIGNAL), static_cast<ssize_t>(out.size()));
  }
  void send_frame(const std::string& body) { send_frame(body, static_cast<std::int32_t>(body.size())); }

  // The next frame's body, or nullopt when the server closed the connection.
  std::optional<std::string> read_frame() {
    std::string size_bytes(4, '\0');
    if (!read_exactly(size_bytes)) return std::nullopt;
    std::string body(
        static_cast<std::size_t>(load_be<std::int32_t>(reinterpret_cast<std::byte*>(size_bytes.data()))),
        '\0');
    if (!read_exactly(body)) return std::nullopt;
    return body;
  }

 private:
  bool read_exactly(std::string& buffer) {
    std::size_t got = 0;
    while (got < buffer.size()) {
      auto n = ::recv(fd_, buffer.data() + got, buffer.size() - got, 0);
      if (n <= 0) return false;
      got += static_cast<std::size_t>(n);
    }
    return true;
  }

  int fd_;
  bool connected_ = false;
};

std::string text_of(const shared_bytes& frame) {
  return std::string(reinterpret_cast<const char*>(frame.data()), frame.size);
}

// `text` framed: its size, then its bytes.
std::vector<std::byte> framed(const std::string& text) {
  std::vector<std::byte> out(4);
  store_be(out.data(), static_cast<std::int32_t>(text.size()));
  for (char c : text) out.push_back(static_cast<std::byte>(c));
  return out;
}

std::string upper(std::string text) {
  for (auto& c : text) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return text;
}

// Replies with the request upper-cased, framed; "close" asks the server to close afterwards.
void echo(shared_bytes frame, boost::asio::io_context&, reply_fn respond) {
  auto text = upper(text_of(frame));
  respond(reply{.frame = framed(text), .gather = {}, .keep_alive = nullptr, .close = text == "CLOSE"});
}

class ServerTest : public ::testing::Test {
 protected:
  // Two event loops, so connections 0, 2, 4... share loop 0 and 1, 3, 5... loop 1.
  void start(frame_handler handler) {
    server_ = std::make_unique<server>(server_options{
        .host = "127.0.0.1", .port = 0, .max_request_bytes = 1000, .threads = 2, .name = "test"});
    ASSERT_EQ(server_->loop_count(), 2u);
    ASSERT_TRUE(server_->listen(std::move(handler)));
    server_->run();
  }
  std::uint16_t port() const { return server_->local_port(); }

  std::unique_ptr<server> server_;
};

TEST_F(ServerTest, AnswersPipelinedRequestsInOrder) {
  start(echo);
  client c(port());
  ASSERT_TRUE(c.connected());
  for (int i = 0; i < 50; ++i) c.send_frame("req" + std::to_string(i));
  for (int i = 0; i < 50; ++i) EXPECT_EQ(c.read_frame(), "REQ" + std::to_string(i));
}

TEST_F(ServerTest, OversizedOrNegativeFramesCloseOnlyTheirConnection) {
  start(echo);
  client good(port());
  client big(port());
  client negative(port());
  big.send_frame("", 1001);
  negative.send_frame("", -1);
  EXPECT_EQ(big.read_frame(), std::nullopt);
  EXPECT_EQ(negative.read_frame(), std::nullopt);
  good.send_frame(std::string(1000, 'a'));  // exactly the limit is fine
  EXPECT_EQ(good.read_frame(), std::string(1000, 'A'));
}

TEST_F(ServerTest, HandlerCanCloseTheConnectionAfterReplying) {
  start(echo);
  client c(port());
  c.send_frame("close");
  EXPECT_EQ(c.read_frame(), "CLOSE");
  EXPECT_EQ(c.read_frame(), std::nullopt);
}

TEST_F(ServerTest, StopClosesOpenConnections) {
  start(echo);
  client c(port());
  c.send_frame("x");
  EXPECT_EQ(c.read_frame(), "X");
  server_->stop();
  EXPECT_EQ(c.read_frame(), std::nullopt);
}

TEST_F(ServerTest, CountsOpenConnections) {
  start(echo);
  EXPECT_EQ(server_->open_connections(), 0u);
  auto a = std::make_unique<client>(port());
  client b(port());
  // A round trip on each: both are accepted and served.
  a->send_frame("a");
  b.send_frame("b");
  EXPECT_EQ(a->read_frame(), "A");
  EXPECT_EQ(b.read_frame(), "B");
  EXPECT_EQ(server_->open_connections(), 2u);
  a.reset();  // the server notices the hang-up on its loop: poll for it
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (server_->open_connections() != 1u && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  EXPECT_EQ(server_->open_connections(), 1u);
  server_->stop();
  EXPECT_EQ(server_->open_connections(), 0u);
}

// Where each request ran: keyed by the first word of the request ("c3 ..." is connection 3).
struct placement {
  std::mutex mu;
  std::map<std::string, std::set<const boost::asio::io_context*>> loops;
  std::map<std::string, std::set<std::thread::id>> threads;
  bool always_on_own_loop = true;

  void record(const std::string& text, boost::asio::io_context& loop) {
    std::lock_guard lock(mu);
    auto key = text.substr(0, text.find(' '));
    loops[key].insert(&loop);
    threads[key].insert(std::this_thread::get_id());
    always_on_own_loop = always_on_own_loop && loop.get_executor().running_in_this_thread();
  }
};

TEST_F(ServerTest, ConnectionsAreSpreadOverTheLoopsRoundRobin) {
  placement seen;
  start([&seen](shared_bytes frame, boost::asio::io_context& loop, reply_fn respond) {
    seen.record(text_of(frame), loop);
    echo(std::move(frame), loop, std::move(respond));
  });
  std::vector<std::unique_ptr<client>> clients;
  for (int i = 0; i < 4; ++i) {
    clients.push_back(std::make_unique<client>(port()));
    ASSERT_TRUE(clients.back()->connected());
    clients.back()->send_frame("c" + std::to_string(i) + " hello");
    EXPECT_EQ(clients.back()->read_frame(), "C" + std::to_string(i) + " HELLO");
  }
  for (int i = 0; i < 4; ++i) {
    clients[i]->send_frame("c" + std::to_string(i) + " again");
    EXPECT_EQ(clients[i]->read_frame(), "C" + std::to_string(i) + " AGAIN");
  }
  std::lock_guard lock(seen.mu);
  EXPECT_TRUE(seen.always_on_own_loop);
  ASSERT_EQ(seen.loops.size(), 4u);
  for (const auto& [connection, loops] : seen.loops) EXPECT_EQ(loops.size(), 1u) << connection;
  for (const auto& [connection, threads] : seen.threads) EXPECT_EQ(threads.size(), 1u) << connection;
  // Accepted in order, handed out in turn: the first two differ, and every other one shares a loop.
  EXPECT_NE(*seen.loops["c0"].begin(), *seen.loops["c1"].begin());
  EXPECT_EQ(*seen.loops["c0"].begin(), *seen.loops["c2"].begin());
  EXPECT_EQ(*seen.loops["c1"].begin(), *seen.loops["c3"].begin());
}

TEST_F(ServerTest, RepliesFromAnotherThreadKeepPipelinedRequestsInOrder) {
  boost::asio::thread_pool workers(3);
  placement seen;
  start([&](shared_bytes frame, boost::asio::io_context& loop, reply_fn respond) {
    seen.record(text_of(frame), loop);
    boost::asio::post(workers, [frame = std::move(frame), respond = std::move(respond)] {
      respond(reply{.frame = framed(upper(text_of(frame)))});
    });
  });
  constexpr int connections = 4;
  constexpr int requests = 50;
  std::vector<std::unique_ptr<client>> clients;
  for (int c = 0; c < connections; ++c) {
    clients.push_back(std::make_unique<client>(port()));
    ASSERT_TRUE(clients.back()->connected());
  }
  // Every connection pipelines all its requests before reading a reply.
  for (int i = 0; i < requests; ++i)
    for (int c = 0; c < connections; ++c)
      clients[c]->send_frame("c" + std::to_string(c) + " " + std::to_string(i));
  for (int c = 0; c < connections; ++c)
    for (int i = 0; i < requests; ++i)
      ASSERT_EQ(clients[c]->read_frame(), "C" + std::to_string(c) + " " + std::to_string(i));
  workers.join();
  std::lock_guard lock(seen.mu);
  EXPECT_TRUE(seen.always_on_own_loop);
  for (const auto& [connection, threads] : seen.threads) EXPECT_EQ(threads.size(), 1u) << connection;
}

// A handler that keeps the reply to "hold" until the test releases it.
struct held_reply {
  std::promise<reply_fn> taken;

  frame_handler handler() {
    return [this](shared_bytes frame, boost::asio::io_context& loop, reply_fn respond) {
      if (text_of(frame) == "hold") return taken.set_value(std::move(respond));
      echo(std::move(frame), loop, std::move(respond));
    };
  }
};

TEST_F(ServerTest, AConnectionWaitingForItsReplyDoesNotStallItsLoop) {
  held_reply held;
  start(held.handler());
  client waiting(port());     // loop 0
  client other_loop(port());  // loop 1
  client same_loop(port());   // loop 0
  waiting.send_frame("hold");
  auto respond = held.taken.get_future().get();
  same_loop.send_frame("a");
  EXPECT_EQ(same_loop.read_frame(), "A");
  other_loop.send_frame("b");
  EXPECT_EQ(other_loop.read_frame(), "B");
  respond(reply{.frame = framed("released")});
  EXPECT_EQ(waiting.read_frame(), "released");
  waiting.send_frame("next");
  EXPECT_EQ(waiting.read_frame(), "NEXT");
}

TEST_F(ServerTest, GatheredRepliesAreSentInOrder) {
  start([](shared_bytes frame, boost::asio::io_context&, reply_fn respond) {
    auto text = text_of(frame);
    auto parts = std::make_shared<std::vector<std::vector<std::byte>>>();
    parts->push_back(framed(text + text));
    parts->back().resize(4 + text.size());  // the size prefix counts both halves
    parts->push_back(framed(text));
    parts->back().erase(parts->back().begin(), parts->back().begin() + 4);
    std::vector<bytes_view> gather(parts->begin(), parts->end());
    respond(reply{.frame = {}, .gather = std::move(gather), .keep_alive = parts, .close = false});
  });
  client c(port());
  c.send_frame("ab");
  c.send_frame("xyz");
  EXPECT_EQ(c.read_frame(), "abab");
  EXPECT_EQ(c.read_frame(), "xyzxyz");
}

TEST_F(ServerTest, StopEndsConnectionsWhoseReplyIsStillPending) {
  held_reply held;
  start(held.handler());
  client c(port());
  c.send_frame("hold");
  auto respond = held.taken.get_future().get();
  server_->stop();
  EXPECT_EQ(c.read_frame(), std::nullopt);
  respond(reply{.frame = framed("too late")});  // dropped, harmlessly
}

}  // namespace
}  // namespace sluice::net

namespace sluice::net {
namespace {

// A protocol with its own framing gets each socket whole, on the socket's own loop; stop() still
// closes it.
TEST(ServerConnections, HandsOverSocketsOnTheirLoopAndStopClosesThem) {
  server s(server_options{.host = "127.0.0.1", .port = 0, .threads = 2, .name = "test"});
  std::atomic<bool> on_own_loop = true;
  ASSERT_TRUE(s.listen_connections([&on_own_loop](const connection& c) {
    if (!c.loop.get_executor().running_in_this_thread()) on_own_loop = false;
    static const std::string hello = "hello";
    boost::asio::async_write(*c.socket, boost::asio::buffer(hello),
                             [keep = c.socket](boost::system::error_code, std::size_t) {});
  }));
  s.run();
  client a(s.local_port());
  client b(s.local_port());
  for (auto* c : {&a, &b}) {
    ASSERT_TRUE(c->connected());
    char got[5];
    ASSERT_EQ(::recv(c->fd(), got, 5, MSG_WAITALL), 5);
    EXPECT_EQ(std::string(got, 5), "hello");
  }
  s.stop();
  char c;
  EXPECT_LE(::recv(a.fd(), &c, 1, 0), 0);
  EXPECT_LE(::recv(b.fd(), &c, 1, 0), 0);
  EXPECT_TRUE(on_own_loop);
}

}  // namespace
}  // namespace sluice::net
