// Every generated message at every valid version: filled with non-default values (so every field
// that exists at the version is on the wire, tagged ones included), encoded, decoded and compared;
// then every strict prefix of the encoding must fail to decode.
#include <gtest/gtest.h>

#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "kafka/protocol/generated/all.h"
#include "kafka/protocol/generated/samples.h"
#include "kafka/protocol/test_bytes.h"

namespace sluice::kafka {
namespace {

// What the checks need from one message type, behind plain function pointers so that the gtest
// code below is compiled once rather than once per message type (this file builds in a few seconds
// instead of most of a minute).
enum class fill_mode { defaults, values, nulls };

struct decode_outcome {
  result<void> status;
  std::size_t remaining = 0;
  bool equal = false;                // the decoded message equals the encoded one
  std::vector<std::byte> reencoded;  // the decoded message, encoded again
};

struct message_ops {
  std::int16_t min_version;
  std::int16_t max_version;
  std::vector<std::byte> (*encode)(std::int16_t version, fill_mode mode);
  decode_outcome (*decode)(bytes_view bytes, std::int16_t version, fill_mode mode);
};

template <typename T>
T make(std::int16_t version, fill_mode mode) {
  T message;
  if (mode != fill_mode::defaults) {
    sample_values values(mode == fill_mode::nulls);
    fill(message, version, values);
  }
  return message;
}

std::vector<std::byte> finish(writer& w) {
  EXPECT_TRUE(w.status());
  return w.take_bytes();
}

template <typename T>
std::vector<std::byte> encode(const T& message, std::int16_t version) {
  writer w;
  message.encode(w, version);
  return finish(w);
}

template <typename T>
message_ops ops_for() {
  return {T::min_version, T::max_version,
          [](std::int16_t version, fill_mode mode) { return encode(make<T>(version, mode), version); },
          [](bytes_view bytes, std::int16_t version, fill_mode mode) {
            T decoded;
            reader r(bytes);
            decode_outcome out{decoded.decode(r, version), 0, false, {}};
            out.remaining = r.remaining();
            if (out.status) {
              out.equal = decoded == make<T>(version, mode);
              out.reencoded = encode(decoded, version);
            }
            return out;
          }};
}

void expect_round_trips_at_every_version(const message_ops& ops) {
  for (std::int16_t version = ops.min_version; version <= ops.max_version; ++version) {
    for (fill_mode mode : {fill_mode::defaults, fill_mode::values, fill_mode::nulls}) {
      SCOPED_TRACE("version " + std::to_string(version) + ", fill mode " +
                   std::to_string(static_cast<int>(mode)));
      const auto bytes = ops.encode(version, mode);
      auto out = ops.decode(bytes, version, mode);
      ASSERT_TRUE(out.status) << out.status.error().describe();
      EXPECT_EQ(out.remaining, 0u);
      EXPECT_TRUE(out.equal);
      EXPECT_EQ(out.reencoded, bytes);
    }
  }
}

void expect_every_truncation_fails(const message_ops& ops) {
  for (std::int16_t version = ops.min_version; version <= ops.max_version; ++version) {
    const auto bytes = ops.encode(version, fill_mode::values);
    for (std::size_t cut = 0; cut < bytes.size(); ++cut) {
      auto out = ops.decode(bytes_view(bytes).first(cut), version, fill_mode::values);
      ASSERT_FALSE(out.status) << "version " << version << " decoded from " << cut << " of " << bytes.size()
                               << " bytes";
      EXPECT_EQ(out.status.error().code, errc::invalid_argument);
    }
  }
}

void expect_versions_outside_the_range_rejected(const message_ops& ops) {
  EXPECT_FALSE(ops.decode({}, static_cast<std::int16_t>(ops.min_version - 1), fill_mode::defaults).status);
  EXPECT_FALSE(ops.decode({}, static_cast<std::int16_t>(ops.max_version + 1), fill_mode::defaults).status);
}

#define SLUICE_MESSAGE_TESTS(type)                                                     \
  TEST(KafkaRoundTrip, type) { expect_round_trips_at_every_version(ops_for<type>()); } \
  TEST(KafkaTruncation, type) { expect_every_truncation_fails(ops_for<type>()); }      \
  TEST(KafkaVersionRange, type) { expect_versions_outside_the_range_rejected(ops_for<type>()); }
#define SLUICE_API_TESTS(api, request, response) \
  SLUICE_MESSAGE_TESTS(request)                  \
  SLUICE_MESSAGE_TESTS(response)

SLUICE_KAFKA_FOR_EACH_API(SLUICE_API_TESTS)
SLUICE_KAFKA_FOR_EACH_OTHER_MESSAGE(SLUICE_MESSAGE_TESTS)

TEST(KafkaRoundTrip, UnknownTaggedFieldsAreSkipped) {
  using testing::from_hex;
  // ApiVersionsRequest v3 with two tagged fields a newer client might send (tags 7 and 9).
  const auto body = from_hex("04 6c6962  02 31  02 07 02 abcd 09 00");
  api_versions_request request;
  reader r(body);
  ASSERT_TRUE(request.decode(r, 3));
  EXPECT_EQ(request.client_software_name, "lib");
  EXPECT_EQ(request.client_software_version, "1");
  EXPECT_EQ(r.remaining(), 0u);
}

TEST(KafkaRoundTrip, KnownTaggedFieldsAreDecoded) {
  api_versions_response response;
  response.finalized_features_epoch = 42;
  response.zk_migration_ready = true;
  writer w;
  response.encode(w, 3);
  // error_code, empty api_keys, throttle_time_ms, then 2 tagged fields: tag 1 (int64) and tag 3 (bool).
  EXPECT_EQ(w.bytes(), testing::from_hex("0000 01 00000000 02 01 08 000000000000002a 03 01 01"));
  api_versions_response decoded;
  reader r(w.bytes());
  ASSERT_TRUE(decoded.decode(r, 3));
  EXPECT_EQ(decoded.finalized_features_epoch, 42);
  EXPECT_TRUE(decoded.zk_migration_ready);
  // Below v3 there is no place for them: they are dropped (they are ignorable).
  writer old;
  response.encode(old, 2);
  EXPECT_EQ(old.bytes(), testing::from_hex("0000 00000000 00000000"));
}

TEST(KafkaRoundTrip, DefaultsComeFromTheDefinitions) {
  fetch_request fetch;
  EXPECT_EQ(fetch.replica_id, -1);
  EXPECT_EQ(fetch.max_bytes, 0x7fffffff);
  EXPECT_EQ(fetch.session_epoch, -1);
  EXPECT_EQ(fetch.cluster_id, std::nullopt);
  metadata_request metadata;
  EXPECT_TRUE(metadata.allow_auto_topic_creation);
  ASSERT_TRUE(metadata.topics.has_value());  // nullable, but the default is an empty list
  metadata_response metadata_reply;
  EXPECT_EQ(metadata_reply.cluster_authorized_operations, std::numeric_limits<std::int32_t>::min());
  produce_request produce;
  EXPECT_EQ(produce.transactional_id, std::nullopt);
}

}  // namespace
}  // namespace sluice::kafka
