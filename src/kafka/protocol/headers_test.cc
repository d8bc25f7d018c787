#include "kafka/protocol/headers.h"

#include <gtest/gtest.h>

#include "kafka/protocol/api_key.h"
#include "kafka/protocol/error_code.h"
#include "kafka/protocol/generated/all.h"
#include "kafka/protocol/test_bytes.h"

namespace sluice::kafka {
namespace {

using testing::from_hex;

constexpr std::int16_t key(api_key k) { return static_cast<std::int16_t>(k); }

TEST(KafkaHeaders, FlexibleVersionsUseRequestHeaderV2) {
  EXPECT_EQ(request_header_version(key(api_key::produce), 8), 1);
  EXPECT_EQ(request_header_version(key(api_key::produce), 9), 2);
  EXPECT_EQ(request_header_version(key(api_key::api_versions), 2), 1);
  EXPECT_EQ(request_header_version(key(api_key::api_versions), 3), 2);
  EXPECT_EQ(request_header_version(key(api_key::describe_cluster), 0), 2);  // flexible from v0
  EXPECT_EQ(request_header_version(key(api_key::sasl_handshake), 1), 1);    // never flexible
  EXPECT_EQ(request_header_version(key(api_key::offset_delete), 0), 1);
}

TEST(KafkaHeaders, VersionsAboveTheMaximumCountAsFlexible) {
  // A newer client's ApiVersions request must still parse, so the broker can answer it.
  EXPECT_EQ(request_header_version(key(api_key::api_versions), 99), 2);
  EXPECT_EQ(request_header_version(key(api_key::sasl_handshake), 99), 1);
}

TEST(KafkaHeaders, UnknownApiKeysGetHeaderV1) {
  EXPECT_EQ(request_header_version(999, 0), 1);
  EXPECT_EQ(response_header_version(999, 0), 0);
  EXPECT_FALSE(is_supported(999, 0));
}

TEST(KafkaHeaders, ApiVersionsResponsesAlwaysUseResponseHeaderV0) {
  for (std::int16_t v = 0; v <= api_versions_response::max_version; ++v) {
    EXPECT_EQ(response_header_version(key(api_key::api_versions), v), 0) << v;
  }
  EXPECT_EQ(response_header_version(key(api_key::fetch), 11), 0);
  EXPECT_EQ(response_header_version(key(api_key::fetch), 12), 1);
}

template <typename Request>
void expect_header_versions_follow_the_message() {
  for (std::int16_t v = Request::min_version; v <= Request::max_version; ++v) {
    const bool flexible =
        Request::first_flexible_version != never_flexible && v >= Request::first_flexible_version;
    EXPECT_EQ(request_header_version(key(Request::api_key), v), flexible ? 2 : 1) << v;
    EXPECT_TRUE(is_supported(key(Request::api_key), v));
  }
  EXPECT_FALSE(is_supported(key(Request::api_key), Request::max_version + 1));
}

TEST(KafkaHeaders, EveryApiAgreesWithItsMessageConstants) {
#define SLUICE_CHECK_API(api, request, response)        \
  expect_header_versions_follow_the_message<request>(); \
  static_assert(request::api_key == response::api_key); \
  static_assert(request::max_version == response::max_version);
  SLUICE_KAFKA_FOR_EACH_API(SLUICE_CHECK_API)
#undef SLUICE_CHECK_API
}

TEST(KafkaHeaders, SupportedTableIsOrderedAndComplete) {
  EXPECT_EQ(supported_apis.size(), 28u);
  for (std::size_t i = 1; i < supported_apis.size(); ++i) {
    EXPECT_LT(key(supported_apis[i - 1].key), key(supported_apis[i].key));
  }
  const api_version_range* produce = find_api(0);
  ASSERT_NE(produce, nullptr);
  EXPECT_EQ(produce->max_version, 11);
  EXPECT_EQ(produce->first_flexible_version, 9);
  const api_version_range* fetch = find_api(1);
  ASSERT_NE(fetch, nullptr);
  EXPECT_EQ(fetch->max_version, 17);
  EXPECT_EQ(find_api(-1), nullptr);
  EXPECT_EQ(api_name(api_key::offset_for_leader_epoch), "OffsetForLeaderEpoch");
}

TEST(KafkaHeaders, ErrorCodesCarryKafkasNumbers) {
  EXPECT_EQ(static_cast<std::int16_t>(error_code::none), 0);
  EXPECT_EQ(static_cast<std::int16_t>(error_code::unknown_server_error), -1);
  EXPECT_EQ(static_cast<std::int16_t>(error_code::unknown_topic_or_partition), 3);
  EXPECT_EQ(static_cast<std::int16_t>(error_code::unsupported_version), 35);
  EXPECT_EQ(error_code_name(error_code::not_leader_or_follower), "NOT_LEADER_OR_FOLLOWER");
}

TEST(KafkaHeaders, ReadRequestHeaderLeavesTheReaderAtTheBody) {
  const auto bytes = from_hex("0012 0002 00000009 ffff  abcd");  // ApiVersions v2, null client id
  reader r(bytes);
  auto header = read_request_header(r);
  ASSERT_TRUE(header);
  EXPECT_EQ(header->correlation_id, 9);
  EXPECT_EQ(header->client_id, std::nullopt);
  EXPECT_EQ(r.remaining(), 2u);
  reader truncated(bytes_view(bytes).first(3));
  EXPECT_FALSE(read_request_header(truncated));
}

}  // namespace
}  // namespace sluice::kafka
