// The server over real loopback sockets: framing, request order, and bad frames closing only their
// own connection.
#include "net/server.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <string>

#include "base/bytes.h"

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

// Replies with the request upper-cased, framed; "close" asks the server to close afterwards.
void echo(std::vector<std::byte> frame, reply_fn respond) {
  std::string text(reinterpret_cast<const char*>(frame.data()), frame.size());
  for (auto& c : text) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  std::vector<std::byte> out(4);
  store_be(out.data(), static_cast<std::int32_t>(text.size()));
  for (char c : text) out.push_back(static_cast<std::byte>(c));
  respond(reply{.frame = std::move(out), .close = text == "CLOSE"});
}

class ServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(server_.listen(echo));
    server_.run();
  }
  server server_{server_options{
      .host = "127.0.0.1", .port = 0, .max_request_bytes = 1000, .threads = 2, .name = "test"}};
};

TEST_F(ServerTest, AnswersPipelinedRequestsInOrder) {
  client c(server_.local_port());
  ASSERT_TRUE(c.connected());
  for (int i = 0; i < 50; ++i) c.send_frame("req" + std::to_string(i));
  for (int i = 0; i < 50; ++i) EXPECT_EQ(c.read_frame(), "REQ" + std::to_string(i));
}

TEST_F(ServerTest, OversizedOrNegativeFramesCloseOnlyTheirConnection) {
  client good(server_.local_port());
  client big(server_.local_port());
  client negative(server_.local_port());
  big.send_frame("", 1001);
  negative.send_frame("", -1);
  EXPECT_EQ(big.read_frame(), std::nullopt);
  EXPECT_EQ(negative.read_frame(), std::nullopt);
  good.send_frame(std::string(1000, 'a'));  // exactly the limit is fine
  EXPECT_EQ(good.read_frame(), std::string(1000, 'A'));
}

TEST_F(ServerTest, HandlerCanCloseTheConnectionAfterReplying) {
  client c(server_.local_port());
  c.send_frame("close");
  EXPECT_EQ(c.read_frame(), "CLOSE");
  EXPECT_EQ(c.read_frame(), std::nullopt);
}

TEST_F(ServerTest, StopClosesOpenConnections) {
  client c(server_.local_port());
  c.send_frame("x");
  EXPECT_EQ(c.read_frame(), "X");
  server_.stop();
  EXPECT_EQ(c.read_frame(), std::nullopt);
}

}  // namespace
}  // namespace sluice::net
