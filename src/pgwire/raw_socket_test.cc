// Bytes no driver sends: malformed and oversized frames, SSLRequest, old protocols, and pipelined
// extended-protocol messages in one write, against the real listener over a plain socket.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <optional>
#include <string>
#include <vector>

#include "base/bytes.h"
#include "pgwire/listener.h"
#include "pgwire/test_handler.h"

namespace sluice::pgwire {
namespace {

struct message {
  char type;
  std::string body;
};

// Builds frontend bytes.
struct frames {
  std::string bytes;

  frames& int32(std::int32_t v) {
    char b[4];
    store_be<std::int32_t>(reinterpret_cast<std::byte*>(b), v);
    bytes.append(b, 4);
    return *this;
  }
  frames& int16(std::int16_t v) {
    char b[2];
    store_be<std::int16_t>(reinterpret_cast<std::byte*>(b), v);
    bytes.append(b, 2);
    return *this;
  }
  frames& cstring(const std::string& s) {
    bytes.append(s);
    bytes.push_back('\0');
    return *this;
  }
  // A typed message with a correct length around `body`.
  frames& msg(char type, const std::string& body) {
    bytes.push_back(type);
    int32(static_cast<std::int32_t>(body.size() + 4));
    bytes.append(body);
    return *this;
  }
  frames& startup(std::int32_t protocol = 196608, const std::string& user = "tester") {
    frames body;
    body.int32(protocol).cstring("user").cstring(user).cstring("database").cstring("sluice");
    body.bytes.push_back('\0');
    int32(static_cast<std::int32_t>(body.bytes.size() + 4));
    bytes.append(body.bytes);
    return *this;
  }
};

std::string cstr(const std::string& s) { return s + '\0'; }

// One plain TCP connection to the listener, speaking raw frames.
class raw_client {
 public:
  explicit raw_client(std::uint16_t port) : fd_(::socket(AF_INET, SOCK_STREAM, 0)) {
    timeval guard{.tv_sec = 20, .tv_usec = 0};  // a hang fails the test instead of blocking CI
    ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &guard, sizeof guard);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    connected_ = ::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
  }
  ~raw_client() { ::close(fd_); }
  raw_client(const raw_client&) = delete;
  raw_client& operator=(const raw_client&) = delete;
  bool connected() const { return connected_; }

  void send(const frames& f) {
    ASSERT_EQ(::send(fd_, f.bytes.data(), f.bytes.size(), MSG_NOSIGNAL),
              static_cast<ssize_t>(f.bytes.size()));
  }

  bool read_exact(char* into, std::size_t n) {
    for (std::size_t got = 0; got < n;) {
      auto r = ::recv(fd_, into + got, n - got, 0);
      if (r <= 0) return false;
      got += static_cast<std::size_t>(r);
    }
    return true;
  }

  std::optional<message> read() {
    char header[5];
    if (!read_exact(header, 5)) return std::nullopt;
    auto length = load_be<std::int32_t>(reinterpret_cast<std::byte*>(header + 1));
    message m{header[0], std::string(static_cast<std::size_t>(length - 4), '\0')};
    if (!read_exact(m.body.data(), m.body.size())) return std::nullopt;
    return m;
  }

  // Reads messages up to and including ReadyForQuery; returns their types.
  std::string read_until_ready() {
    std::string types;
    while (auto m = read()) {
      types.push_back(m->type);
      if (m->type == 'Z') break;
    }
    return types;
  }

  void start_session() {
    send(frames().startup());
    auto types = read_until_ready();
    ASSERT_EQ(types.front(), 'R');
    ASSERT_EQ(types.back(), 'Z');
  }

  // The server ends the connection: recv sees EOF (or a reset).
  bool closed_by_server() {
    char c;
    return ::recv(fd_, &c, 1, 0) <= 0;
  }

 private:
  int fd_;
  bool connected_ = false;
};

class RawSocketTest : public ::testing::Test {
 protected:
  void SetUp() override {
    server_ = std::make_unique<listener>(
        listener_options{
            .host = "127.0.0.1", .port = 0, .max_message_bytes = 4096, .threads = 1, .query_threads = 1},
        testing::canned_sessions());
    ASSERT_TRUE(server_->listen());
    server_->run();
    client_ = std::make_unique<raw_client>(server_->local_port());
    ASSERT_TRUE(client_->connected());
  }

  // The tests talk over the fixture's one connection unless they open more.
  void send(const frames& f) { client_->send(f); }
  bool read_exact(char* into, std::size_t n) { return client_->read_exact(into, n); }
  std::optional<message> read() { return client_->read(); }
  std::string read_until_ready() { return client_->read_until_ready(); }
  void start_session() { client_->start_session(); }
  bool closed_by_server() { return client_->closed_by_server(); }

  std::unique_ptr<listener> server_;
  std::unique_ptr<raw_client> client_;
};

// The SQLSTATE of an ErrorResponse body.
std::string sqlstate_of(const message& m) {
  for (std::size_t at = 0; at < m.body.size() && m.body[at] != '\0';) {
    auto end = m.body.find('\0', at + 1);
    if (m.body[at] == 'C') return m.body.substr(at + 1, end - at - 1);
    at = end + 1;
  }
  return "";
}

std::string severity_of(const message& m) { return m.body.substr(1, m.body.find('\0') - 1); }

void expect_fatal(const std::optional<message>& m, const std::string& code) {
  ASSERT_TRUE(m.has_value());
  EXPECT_EQ(m->type, 'E');
  EXPECT_EQ(severity_of(*m), "FATAL");
  EXPECT_EQ(sqlstate_of(*m), code);
}

TEST_F(RawSocketTest, SslRequestIsRefusedThenStartupProceeds) {
  send(frames().int32(8).int32(80877103));
  char answer = 0;
  ASSERT_TRUE(read_exact(&answer, 1));
  EXPECT_EQ(answer, 'N');
  start_session();
}

TEST_F(RawSocketTest, GssEncRequestIsRefusedThenStartupProceeds) {
  send(frames().int32(8).int32(80877104));
  char answer = 0;
  ASSERT_TRUE(read_exact(&answer, 1));
  EXPECT_EQ(answer, 'N');
  start_session();
}

TEST_F(RawSocketTest, Protocol2IsRefusedWith0A000) {
  send(frames().startup(2 << 16));
  expect_fatal(read(), "0A000");
  EXPECT_TRUE(closed_by_server());
}

TEST_F(RawSocketTest, NewerMinorVersionIsNegotiatedDownTo30) {
  send(frames().startup((3 << 16) | 2));
  auto first = read();
  ASSERT_TRUE(first);
  EXPECT_EQ(first->type, 'v');
  EXPECT_EQ(load_be<std::int32_t>(reinterpret_cast<const std::byte*>(first->body.data())), 0);
  EXPECT_EQ(read_until_ready().front(), 'R');
}

TEST_F(RawSocketTest, StartupWithoutUserIsRefused) {
  send(frames().startup(196608, ""));
  expect_fatal(read(), "28000");
}

TEST_F(RawSocketTest, OversizedStartupPacketIsAProtocolViolation) {
  send(frames().int32(1'000'000).int32(196608));
  expect_fatal(read(), "08P01");
  EXPECT_TRUE(closed_by_server());
}

TEST_F(RawSocketTest, StartupPacketWithoutTerminatorIsAProtocolViolation) {
  send(frames().int32(13).int32(196608).cstring("user"));
  expect_fatal(read(), "08P01");
}

TEST_F(RawSocketTest, ClientWithoutAStartupPacketIsDisconnected) {
  listener quick(listener_options{.host = "127.0.0.1",
                                  .port = 0,
                                  .threads = 1,
                                  .query_threads = 1,
                                  .startup_timeout = std::chrono::milliseconds(1)},
                 testing::canned_sessions());
  ASSERT_TRUE(quick.listen());
  quick.run();
  raw_client silent(quick.local_port());
  ASSERT_TRUE(silent.connected());
  EXPECT_TRUE(silent.closed_by_server());  // sends nothing; the server gives up on it
}

TEST_F(RawSocketTest, CancelRequestIsAcceptedAndTheConnectionClosed) {
  send(frames().int32(16).int32(80877102).int32(1).int32(2));
  EXPECT_TRUE(closed_by_server());
}

TEST_F(RawSocketTest, MessageLengthBelowFourIsAProtocolViolation) {
  start_session();
  frames bad;
  bad.bytes.push_back('Q');
  bad.int32(3);
  send(bad);
  expect_fatal(read(), "08P01");
  EXPECT_TRUE(closed_by_server());
}

TEST_F(RawSocketTest, OversizedMessageClosesOnlyThatConnection) {
  raw_client bystander(server_->local_port());  // on the same event loop (the listener has one)
  bystander.start_session();
  start_session();
  frames big;
  big.bytes.push_back('Q');
  big.int32(1 << 30);  // the body is never sent: the header alone is refused
  send(big);
  expect_fatal(read(), "08P01");
  EXPECT_TRUE(closed_by_server());
  bystander.send(frames().msg('Q', cstr("SELECT 4")));
  EXPECT_EQ(bystander.read_until_ready(), "TDCZ");
  raw_client newcomer(server_->local_port());
  newcomer.start_session();
}

TEST_F(RawSocketTest, MalformedParseIsAProtocolViolation) {
  start_session();
  send(frames().msg('P', "stmt-without-terminator"));
  expect_fatal(read(), "08P01");
  EXPECT_TRUE(closed_by_server());
}

TEST_F(RawSocketTest, BindWithAHugeParameterCountIsAProtocolViolation) {
  start_session();
  frames body;
  body.cstring("").cstring("").int16(0).int16(32000).int32(5);
  send(frames().msg('B', body.bytes));
  expect_fatal(read(), "08P01");
}

TEST_F(RawSocketTest, UnknownMessageTypeIsAProtocolViolation) {
  start_session();
  send(frames().msg('z', ""));
  expect_fatal(read(), "08P01");
  EXPECT_TRUE(closed_by_server());
}

TEST_F(RawSocketTest, PipelinedExtendedMessagesWithARowLimit) {
  start_session();
  frames f;
  f.msg('P', cstr("") + cstr("SELECT series 3") + std::string("\0\0", 2));
  f.msg('B', cstr("") + cstr("") + std::string("\0\0\0\0\0\0", 6));
  f.msg('D', "P" + cstr(""));
  f.msg('E', cstr("") + std::string("\0\0\0\2", 4));  // at most 2 rows
  f.msg('E', cstr("") + std::string("\0\0\0\0", 4));  // the rest
  f.msg('S', "");
  send(f);
  std::vector<message> got;
  while (auto m = read()) {
    got.push_back(*m);
    if (m->type == 'Z') break;
  }
  std::string types;
  for (const auto& m : got) types.push_back(m.type);
  EXPECT_EQ(types, "12TDDsDCZ");
  EXPECT_EQ(got[7].body, cstr("SELECT 1"));  // rows sent by the last Execute, as Postgres counts
}

TEST_F(RawSocketTest, ErrorDiscardsMessagesUntilSync) {
  start_session();
  frames f;
  f.msg('P', cstr("") + cstr("SELECT nope") + std::string("\0\0", 2));
  f.msg('B', cstr("") + cstr("") + std::string("\0\0\0\0\0\0", 6));
  f.msg('E', cstr("") + std::string("\0\0\0\0", 4));
  f.msg('S', "");
  f.msg('Q', cstr("SELECT 2"));
  send(f);
  EXPECT_EQ(read_until_ready(), "EZ");
  EXPECT_EQ(read_until_ready(), "TDCZ");
}

TEST_F(RawSocketTest, PortalsEndAtSync) {
  start_session();
  frames f;
  f.msg('P', cstr("s") + cstr("SELECT 1") + std::string("\0\0", 2));
  f.msg('B', cstr("p") + cstr("s") + std::string("\0\0\0\0\0\0", 6));
  f.msg('S', "");
  f.msg('E', cstr("p") + std::string("\0\0\0\0", 4));
  f.msg('S', "");
  send(f);
  EXPECT_EQ(read_until_ready(), "12Z");
  EXPECT_EQ(read_until_ready(), "EZ");  // 34000: the portal is gone; the statement is not
}

TEST_F(RawSocketTest, CloseRemovesAStatementAndDescribeSeesBinaryFormats) {
  start_session();
  frames f;
  f.msg('P', cstr("s") + cstr("SELECT 1") + std::string("\0\0", 2));
  f.msg('B', cstr("p") + cstr("s") + std::string("\0\0\0\0\0\1\0\1", 8));  // results in binary
  f.msg('D', "P" + cstr("p"));
  f.msg('C', "S" + cstr("s"));
  f.msg('C', "S" + cstr("never-prepared"));            // closing what does not exist is fine
  f.msg('E', cstr("p") + std::string("\0\0\0\0", 4));  // the portal outlives its statement
  f.msg('S', "");
  f.msg('B', cstr("") + cstr("s") + std::string("\0\0\0\0\0\0", 6));
  f.msg('S', "");
  send(f);
  std::vector<message> got;
  while (auto m = read()) {
    got.push_back(*m);
    if (m->type == 'Z') break;
  }
  std::string types;
  for (const auto& m : got) types.push_back(m.type);
  ASSERT_EQ(types, "12T33DCZ");
  EXPECT_EQ(got[2].body.back(), '\1');  // the field's format code: binary
  EXPECT_EQ(got[5].body, std::string("\0\1\0\0\0\x08\0\0\0\0\0\0\0\1", 14));  // int8 1
  auto error = read();
  ASSERT_TRUE(error);
  EXPECT_EQ(sqlstate_of(*error), "26000");
}

TEST_F(RawSocketTest, EngineExceptionIsAFatalInternalError) {
  start_session();
  send(frames().msg('Q', cstr("SELECT boom")));
  expect_fatal(read(), "XX000");
  EXPECT_TRUE(closed_by_server());
}

TEST_F(RawSocketTest, TerminateClosesTheConnection) {
  start_session();
  send(frames().msg('X', ""));
  EXPECT_TRUE(closed_by_server());
}

}  // namespace
}  // namespace sluice::pgwire
