// The dispatcher over encoded request bytes, against real storage in a temporary directory.
#include "broker/broker.h"

#include <gtest/gtest.h>

#include <chrono>
#include <future>
#include <thread>

#include "kafka/protocol/generated/all.h"
#include "kafka/protocol/headers.h"
#include "net/asio.h"
#include "storage/test_util.h"

namespace sluice::broker {
namespace {

using storage::test::make_batch;
using storage::test::temp_dir;

// The bytes a reply sends, whether as one frame or gathered.
std::vector<std::byte> bytes_of(const net::reply& r) {
  if (r.gather.empty()) return r.frame;
  std::vector<std::byte> out;
  for (auto b : r.gather) out.insert(out.end(), b.begin(), b.end());
  return out;
}

// The dispatcher as the server runs it: a connection's event loop on its own thread, and a blocking
// pool. Requests are handed in from the test thread, which the dispatcher allows (fetch waits move
// to the loop).
class BrokerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    loop_thread_ = std::thread([this] { loop_.run(); });
    storage::storage_options options;
    options.data_dir = dir_.path();
    options.background_housekeeping = false;
    logs_ = std::move(storage::log_manager::open(io::file_system::posix(), options).value());
    broker_ = std::make_unique<broker>(
        *logs_, broker_config{.advertised_host = "example", .advertised_port = 1234}, pool_);
  }

  void TearDown() override {
    pool_.join();
    work_.reset();
    loop_.stop();
    loop_thread_.join();
  }

  // A request frame (without the size prefix) for `request` at `version`.
  template <typename Request>
  shared_bytes frame(const Request& request, std::int16_t version, std::int32_t correlation = 7) {
    kafka::request_header header;
    header.request_api_key = static_cast<std::int16_t>(Request::api_key);
    header.request_api_version = version;
    header.correlation_id = correlation;
    header.client_id = "test";
    kafka::writer w;
    header.encode(w, kafka::request_header_version(header.request_api_key, version));
    request.encode(w, version);
    return shared_bytes::copy_of(w.take_bytes());
  }

  net::reply call(shared_bytes request) {
    std::promise<net::reply> promise;
    auto future = promise.get_future();
    broker_->handle(std::move(request), loop_, [&](net::reply r) { promise.set_value(std::move(r)); });
    return future.get();
  }

  // Sends `request` and decodes the response, checking the size prefix and correlation id.
  template <typename Response, typename Request>
  Response round_trip(const Request& request, std::int16_t version, std::int16_t response_version = -1) {
    auto r = call(frame(request, version));
    EXPECT_FALSE(r.close);
    return decode<Response>(bytes_of(r), request, response_version == -1 ? version : response_version);
  }

  template <typename Response, typename Request>
  Response decode(const std::vector<std::byte>& bytes, const Request&, std::int16_t version) {
    kafka::reader r(bytes);
    EXPECT_EQ(r.read_int32().value(), static_cast<std::int32_t>(bytes.size() - 4));
    EXPECT_EQ(r.read_int32().value(), 7);  // correlation id
    auto key = static_cast<std::int16_t>(Request::api_key);
    if (kafka::response_header_version(key, version) == 1) {
      EXPECT_TRUE(r.skip_tagged_fields());
    }
    Response response;
    auto decoded = response.decode(r, version);
    EXPECT_TRUE(decoded) << decoded.error().describe();
    EXPECT_EQ(r.remaining(), 0u);
    return response;
  }

  kafka::produce_request produce_request(const std::string& topic, std::vector<std::byte> batch,
                                         std::int16_t acks = -1) {
    kafka::produce_request request;
    request.acks = acks;
    request.timeout_ms = 1000;
    request.topic_data.push_back({.name = topic, .partition_data = {{.index = 0, .records = {}}}});
    request.topic_data[0].partition_data[0].records.emplace(std::move(batch));
    return request;
  }

  kafka::fetch_request fetch_request(const std::string& topic, std::int64_t offset,
                                     std::int32_t max_wait_ms = 0) {
    kafka::fetch_request request;
    request.max_wait_ms = max_wait_ms;
    request.min_bytes = 1;
    kafka::fetch_request::fetch_partition p;
    p.partition = 0;
    p.fetch_offset = offset;
    p.partition_max_bytes = 1 << 20;
    request.topics.push_back({.topic = topic, .topic_id = {}, .partitions = {p}});
    return request;
  }

  boost::asio::io_context loop_;
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work_ =
      boost::asio::make_work_guard(loop_);
  std::thread loop_thread_;
  boost::asio::thread_pool pool_{2};
  temp_dir dir_;
  std::unique_ptr<storage::log_manager> logs_;
  std::unique_ptr<broker> broker_;
};

TEST_F(BrokerTest, ApiVersionsListsTheAdvertisedRangesAtV0AndV3) {
  for (std::int16_t version : {0, 3}) {
    auto response = round_trip<kafka::api_versions_response>(kafka::api_versions_request{}, version);
    EXPECT_EQ(response.error_code, 0);
    ASSERT_EQ(response.api_keys.size(), advertised_apis().size());
    bool saw_produce = false;
    for (const auto& api : response.api_keys) {
      if (api.api_key != 0) continue;
      saw_produce = true;
      EXPECT_EQ(api.min_version, 0);
      EXPECT_EQ(api.max_version, 9);
    }
    EXPECT_TRUE(saw_produce);
  }
}

TEST_F(BrokerTest, TooNewApiVersionsGetsAV0ResponseWithUnsupportedVersion) {
  // A v5 body would be flexible; the broker reads only the header.
  auto request = frame(kafka::api_versions_request{}, 4);
  request.data()[3] = std::byte{5};  // api version field of the header
  auto r = call(request);
  ASSERT_FALSE(r.close);
  auto response = decode<kafka::api_versions_response>(bytes_of(r), kafka::api_versions_request{}, 0);
  EXPECT_EQ(response.error_code, 35);
  EXPECT_EQ(response.api_keys.size(), advertised_apis().size());
}

TEST_F(BrokerTest, OldProduceVersionsAreAnsweredWithUnsupportedForMessageFormat) {
  auto produced = round_trip<kafka::produce_response>(produce_request("t", make_batch(1)), 2);
  EXPECT_EQ(produced.responses[0].partition_responses[0].error_code, 43);
  EXPECT_FALSE(logs_->describe_topic("t"));
}

TEST_F(BrokerTest, UnsupportedVersionsAndUnknownApisCloseTheConnection) {
  // Fetch v3 is a valid Kafka version, but its responses would need the old message format.
  EXPECT_TRUE(call(frame(fetch_request("t", 0), 3)).close);
  EXPECT_TRUE(call(frame(kafka::sasl_handshake_request{}, 1)).close);  // not advertised
  const std::byte truncated_header[] = {std::byte{0}, std::byte{3}};
  EXPECT_TRUE(call(shared_bytes::copy_of(truncated_header)).close);
  // Group APIs without a group coordinator (none was given to this broker).
  EXPECT_TRUE(call(frame(kafka::heartbeat_request{}, 1)).close);
}

TEST_F(BrokerTest, FindCoordinatorNamesThisBrokerForGroups) {
  kafka::find_coordinator_request one;
  one.key = "g";
  auto v0 = round_trip<kafka::find_coordinator_response>(one, 0);
  EXPECT_EQ(v0.error_code, 0);
  EXPECT_EQ(v0.node_id, 0);
  EXPECT_EQ(v0.host, "example");
  EXPECT_EQ(v0.port, 1234);
  kafka::find_coordinator_request batch;
  batch.coordinator_keys = {"a", "b"};
  auto v4 = round_trip<kafka::find_coordinator_response>(batch, 4);
  ASSERT_EQ(v4.coordinators.size(), 2u);
  EXPECT_EQ(v4.coordinators[1].key, "b");
  EXPECT_EQ(v4.coordinators[1].port, 1234);
  batch.key_type = 1;  // a transaction coordinator: there is none
  auto txn = round_trip<kafka::find_coordinator_response>(batch, 4);
  EXPECT_EQ(txn.coordinators[0].error_code, 15);
}

TEST_F(BrokerTest, MetadataAutoCreatesRequestedTopicsAndRejectsBadNames) {
  kafka::metadata_request request;
  request.topics->push_back({.topic_id = {}, .name = "orders"});
  request.topics->push_back({.topic_id = {}, .name = "bad/name"});
  auto response = round_trip<kafka::metadata_response>(request, 9);
  ASSERT_EQ(response.brokers.size(), 1u);
  EXPECT_EQ(response.brokers[0].host, "example");
  EXPECT_EQ(response.brokers[0].port, 1234);
  EXPECT_EQ(response.cluster_id, logs_->cluster_id());
  ASSERT_EQ(response.topics.size(), 2u);
  EXPECT_EQ(response.topics[0].error_code, 0);
  EXPECT_EQ(response.topics[0].partitions.size(), 1u);
  EXPECT_EQ(response.topics[1].error_code, 17);
  EXPECT_TRUE(logs_->describe_topic("orders"));

  request.allow_auto_topic_creation = false;
  request.topics =
      std::vector<kafka::metadata_request::metadata_request_topic>{{.topic_id = {}, .name = "x"}};
  response = round_trip<kafka::metadata_response>(request, 9);
  EXPECT_EQ(response.topics[0].error_code, 3);

  request.topics = std::nullopt;  // every topic
  response = round_trip<kafka::metadata_response>(request, 1);
  ASSERT_EQ(response.topics.size(), 1u);
  EXPECT_EQ(response.topics[0].name, "orders");
}

TEST_F(BrokerTest, CreateTopicsValidatesAndReportsExistingTopics) {
  kafka::create_topics_request request;
  request.topics.push_back({.name = "a",
                            .num_partitions = -1,
                            .replication_factor = -1,
                            .assignments = {},
                            .configs = {{.name = "retention.ms", .value = "1000"}}});
  request.topics.push_back(
      {.name = "b", .num_partitions = 0, .replication_factor = 1, .assignments = {}, .configs = {}});
  request.topics.push_back({.name = "c",
                            .num_partitions = 1,
                            .replication_factor = 1,
                            .assignments = {},
                            .configs = {{.name = "no.such.config", .value = "1"}}});
  auto response = round_trip<kafka::create_topics_response>(request, 5);
  ASSERT_EQ(response.topics.size(), 3u);
  EXPECT_EQ(response.topics[0].error_code, 0);
  EXPECT_EQ(response.topics[0].num_partitions, 1);
  EXPECT_EQ(response.topics[1].error_code, 37);
  EXPECT_EQ(response.topics[2].error_code, 40);
  EXPECT_EQ(logs_->describe_topic("a")->overrides.at("retention.ms"), "1000");
  response = round_trip<kafka::create_topics_response>(request, 5);
  EXPECT_EQ(response.topics[0].error_code, 36);
}

TEST_F(BrokerTest, ProduceThenFetchRoundTrip) {
  auto batch = make_batch(3);
  auto produced = round_trip<kafka::produce_response>(produce_request("events", batch), 9);
  ASSERT_EQ(produced.responses.size(), 1u);
  const auto& p = produced.responses[0].partition_responses[0];
  EXPECT_EQ(p.error_code, 0);
  EXPECT_EQ(p.base_offset, 0);
  EXPECT_EQ(p.log_start_offset, 0);
  produced = round_trip<kafka::produce_response>(produce_request("events", make_batch(2)), 3);
  EXPECT_EQ(produced.responses[0].partition_responses[0].base_offset, 3);

  for (std::int16_t version : {4, 12}) {
    auto fetched = round_trip<kafka::fetch_response>(fetch_request("events", 0), version);
    ASSERT_EQ(fetched.responses.size(), 1u);
    const auto& data = fetched.responses[0].partitions[0];
    EXPECT_EQ(data.error_code, 0);
    EXPECT_EQ(data.high_watermark, 5);
    EXPECT_EQ(data.last_stable_offset, 5);
    ASSERT_TRUE(data.records);
    // The first batch comes back as produced, except for its (zero) base offset stamped in place.
    ASSERT_GT(data.records->size(), batch.size());
    EXPECT_TRUE(std::equal(batch.begin(), batch.end(), data.records->buffers[0].begin()));
  }
  auto fetched = round_trip<kafka::fetch_response>(fetch_request("events", 6), 12);
  EXPECT_EQ(fetched.responses[0].partitions[0].error_code, 1);
  fetched = round_trip<kafka::fetch_response>(fetch_request("nope", 0), 12);
  EXPECT_EQ(fetched.responses[0].partitions[0].error_code, 3);
}

TEST_F(BrokerTest, ProduceWithAcksZeroSendsNoResponse) {
  auto r = call(frame(produce_request("quiet", make_batch(1), 0), 9));
  EXPECT_TRUE(r.frame.empty());
  EXPECT_TRUE(r.gather.empty());
  EXPECT_FALSE(r.close);
  EXPECT_EQ(logs_->partition("quiet", 0)->end_offset(), 1);
}

TEST_F(BrokerTest, ProduceRejectsCorruptBatches) {
  auto batch = make_batch(1);
  batch[30] ^= std::byte{1};
  auto produced = round_trip<kafka::produce_response>(produce_request("t", batch), 9);
  EXPECT_EQ(produced.responses[0].partition_responses[0].error_code, 2);
}

TEST_F(BrokerTest, ListOffsetsEarliestAndLatest) {
  round_trip<kafka::produce_response>(produce_request("t", make_batch(4)), 9);
  kafka::list_offsets_request request;
  request.topics.push_back(
      {.name = "t",
       .partitions = {
           {.partition_index = 0, .current_leader_epoch = -1, .timestamp = -1, .max_num_offsets = 1},
           {.partition_index = 0, .current_leader_epoch = -1, .timestamp = -2, .max_num_offsets = 1}}});
  auto response = round_trip<kafka::list_offsets_response>(request, 6);
  EXPECT_EQ(response.topics[0].partitions[0].offset, 4);
  EXPECT_EQ(response.topics[0].partitions[1].offset, 0);
}

TEST_F(BrokerTest, LongPollingFetchWakesOnAppend) {
  round_trip<kafka::produce_response>(produce_request("live", make_batch(1)), 9);

  std::promise<net::reply> promise;
  auto started = std::chrono::steady_clock::now();
  broker_->handle(frame(fetch_request("live", 1, 10000), 12), loop_, [&](net::reply r) {
    // The answer comes from the connection's loop, whoever appended.
    EXPECT_TRUE(loop_.get_executor().running_in_this_thread());
    promise.set_value(std::move(r));
  });
  auto future = promise.get_future();
  EXPECT_EQ(future.wait_for(std::chrono::milliseconds(100)), std::future_status::timeout);
  round_trip<kafka::produce_response>(produce_request("live", make_batch(2)), 9);
  ASSERT_EQ(future.wait_for(std::chrono::seconds(5)), std::future_status::ready);
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(5));
  auto response = decode<kafka::fetch_response>(bytes_of(future.get()), kafka::fetch_request{}, 12);
  EXPECT_EQ(response.responses[0].partitions[0].high_watermark, 3);
  EXPECT_GT(response.responses[0].partitions[0].records->size(), 0u);

  // With nothing appended, the wait ends at max_wait_ms with an empty response.
  started = std::chrono::steady_clock::now();
  auto r = call(frame(fetch_request("live", 3, 200), 12));
  EXPECT_GE(std::chrono::steady_clock::now() - started, std::chrono::milliseconds(190));
  response = decode<kafka::fetch_response>(bytes_of(r), kafka::fetch_request{}, 12);
  EXPECT_EQ(response.responses[0].partitions[0].records->size(), 0u);
}

TEST_F(BrokerTest, RequestsThatWriteToTheDiskAreAnsweredFromTheBlockingPool) {
  auto on_pool = [&](shared_bytes request) {
    std::promise<bool> promise;
    broker_->handle(std::move(request), loop_,
                    [&](net::reply) { promise.set_value(pool_.get_executor().running_in_this_thread()); });
    return promise.get_future().get();
  };
  EXPECT_TRUE(on_pool(frame(produce_request("disk", make_batch(1)), 9)));
  EXPECT_TRUE(on_pool(frame(produce_request("disk", make_batch(1), 0), 9)));  // acks=0: still appended there
  kafka::create_topics_request create;
  create.topics.push_back(
      {.name = "made", .num_partitions = 1, .replication_factor = 1, .assignments = {}, .configs = {}});
  EXPECT_TRUE(on_pool(frame(create, 5)));
  kafka::metadata_request metadata;
  metadata.topics->push_back({.topic_id = {}, .name = "auto"});
  EXPECT_TRUE(on_pool(frame(metadata, 9)));  // creates "auto"
  // In memory: answered on the caller's thread, Metadata included once its topics exist.
  EXPECT_FALSE(on_pool(frame(metadata, 9)));
  EXPECT_FALSE(on_pool(frame(kafka::api_versions_request{}, 3)));
  EXPECT_EQ(logs_->partition("disk", 0)->end_offset(), 2);
}

TEST_F(BrokerTest, FetchSendsLargeBatchesWithoutCopyingThemIntoTheFrame) {
  auto batch = make_batch(4, 1000, 1000);  // well over the zero-copy threshold
  round_trip<kafka::produce_response>(produce_request("big", batch), 9);
  auto r = call(frame(fetch_request("big", 0), 12));
  EXPECT_TRUE(r.frame.empty());
  ASSERT_NE(r.keep_alive, nullptr);
  // Encoded bytes, the batch as read from the log, encoded bytes again.
  ASSERT_EQ(r.gather.size(), 3u);
  ASSERT_EQ(r.gather[1].size(), batch.size());
  EXPECT_TRUE(std::equal(batch.begin() + 8, batch.end(), r.gather[1].begin() + 8));  // offset stamped
  auto response = decode<kafka::fetch_response>(bytes_of(r), kafka::fetch_request{}, 12);
  EXPECT_EQ(response.responses[0].partitions[0].records->size(), batch.size());

  // A small batch is cheaper to copy: one frame.
  round_trip<kafka::produce_response>(produce_request("small", make_batch(1)), 9);
  r = call(frame(fetch_request("small", 0), 12));
  EXPECT_TRUE(r.gather.empty());
  EXPECT_FALSE(r.frame.empty());
}

}  // namespace
}  // namespace sluice::broker
