#include "http/server.h"

#include <gtest/gtest.h>

#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <thread>

#include "net/asio.h"

namespace sluice::http {
namespace {

namespace asio = boost::asio;
namespace bhttp = boost::beast::http;
using tcp = asio::ip::tcp;

struct reply {
  int status;
  std::string body;
  std::string content_type;
};

reply send(std::uint16_t port, bhttp::verb method, const std::string& target, const std::string& body = "") {
  asio::io_context io;
  tcp::socket socket(io);
  socket.connect({asio::ip::make_address("127.0.0.1"), port});
  bhttp::request<bhttp::string_body> req{method, target, 11};
  req.set(bhttp::field::host, "127.0.0.1");
  req.body() = body;
  req.prepare_payload();
  bhttp::write(socket, req);
  boost::beast::flat_buffer buffer;
  bhttp::response<bhttp::string_body> res;
  bhttp::read(socket, buffer, res);
  return {static_cast<int>(res.result_int()), res.body(), std::string(res[bhttp::field::content_type])};
}

class HttpServer : public ::testing::Test {
 protected:
  void SetUp() override {
    server_options options;
    options.port = 0;
    options.max_body_bytes = 1024;
    server_ = std::make_unique<server>(options);
    server_->route("GET", "/api/views/*", [](const request& req) -> handler_result {
      return json_response(200, "{\"view\":\"" + req.path.substr(11) + "\",\"limit\":\"" +
                                    req.query_param("limit").value_or("none") + "\"}");
    });
    server_->route("POST", "/api/sql", [](const request& req) -> handler_result {
      return json_response(200, "{\"echo\":" + std::to_string(req.body.size()) + "}");
    });
    server_->route("GET", "/api/events", [this](const request&) -> handler_result {
      return stream_starter([this](std::shared_ptr<event_stream> s) {
        std::lock_guard lock(mu_);
        stream_ = std::move(s);
        stream_ready_.notify_all();
      });
    });
    ASSERT_TRUE(server_->listen());
    server_->run();
  }
  void TearDown() override { server_->stop(); }

  std::shared_ptr<event_stream> wait_for_stream() {
    std::unique_lock lock(mu_);
    stream_ready_.wait(lock, [this] { return stream_ != nullptr; });
    return stream_;
  }

  std::unique_ptr<server> server_;
  std::mutex mu_;
  std::condition_variable stream_ready_;
  std::shared_ptr<event_stream> stream_;
};

TEST_F(HttpServer, RoutesByMethodAndPathWithDecodedQueryParameters) {
  auto r =
      send(server_->local_port(), bhttp::verb::get, "/api/views/revenue%5Fper+minute?x=1&limit=10%2B1+2");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "{\"view\":\"revenue_per+minute\",\"limit\":\"10+1 2\"}");
  EXPECT_EQ(r.content_type, "application/json");
  EXPECT_EQ(send(server_->local_port(), bhttp::verb::post, "/api/sql", "SELECT 1").body, "{\"echo\":8}");
}

TEST_F(HttpServer, UnknownPathIs404AndWrongMethodIs405) {
  EXPECT_EQ(send(server_->local_port(), bhttp::verb::get, "/nope").status, 404);
  EXPECT_EQ(send(server_->local_port(), bhttp::verb::get, "/api/sql").status, 405);
  EXPECT_EQ(send(server_->local_port(), bhttp::verb::get, "/api/views/").status, 404);
}

TEST_F(HttpServer, OversizedBodyIs413AndTheServerGoesOn) {
  EXPECT_EQ(send(server_->local_port(), bhttp::verb::post, "/api/sql", std::string(2048, 'x')).status, 413);
  EXPECT_EQ(send(server_->local_port(), bhttp::verb::post, "/api/sql", "ok").status, 200);
}

TEST_F(HttpServer, MalformedRequestIs400) {
  asio::io_context io;
  tcp::socket socket(io);
  socket.connect({asio::ip::make_address("127.0.0.1"), server_->local_port()});
  asio::write(socket, asio::buffer(std::string("NOT AN HTTP REQUEST\r\n\r\n")));
  boost::beast::flat_buffer buffer;
  bhttp::response<bhttp::string_body> res;
  bhttp::read(socket, buffer, res);
  EXPECT_EQ(res.result_int(), 400U);
}

TEST_F(HttpServer, EventStreamDeliversPushedEventsAndNoticesTheClientLeaving) {
  asio::io_context io;
  tcp::socket socket(io);
  socket.connect({asio::ip::make_address("127.0.0.1"), server_->local_port()});
  asio::write(socket, asio::buffer(std::string("GET /api/events HTTP/1.1\r\nHost: x\r\n\r\n")));
  auto stream = wait_for_stream();
  stream->push("change", "{\"a\":1}\n{\"a\":2}");
  std::string received;
  char chunk[512];
  while (received.find("{\"a\":2}\n\n") == std::string::npos) {
    received.append(chunk, socket.read_some(asio::buffer(chunk)));
  }
  EXPECT_NE(received.find("Content-Type: text/event-stream"), std::string::npos);
  EXPECT_NE(received.find("event: change\ndata: {\"a\":1}\ndata: {\"a\":2}\n\n"), std::string::npos);

  socket.close();
  // Writes to a closed peer fail within a few pushes; poll with a generous deadline.
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (!stream->closed() && std::chrono::steady_clock::now() < deadline) {
    stream->push("change", std::string(4096, 'x'));
    std::this_thread::yield();
  }
  EXPECT_TRUE(stream->closed());
}

}  // namespace
}  // namespace sluice::http
