// The offsets topic: the record codec, and commits surviving a reopen of the data directory.
#include "group/offsets_log.h"

#include <gtest/gtest.h>

#include "group/coordinator.h"
#include "net/asio.h"
#include "storage/test_util.h"

namespace sluice::group {
namespace {

TEST(OffsetsRecord, RoundTripsOffsetsMetadataAndDeletions) {
  committed_offset c{.offset = 42, .leader_epoch = 3, .metadata = "meta", .commit_timestamp = 1700};
  auto key = encode_offset_key("g", {.topic = "t", .partition = 2});
  auto value = encode_offset_value(c);
  auto decoded = decode_offsets_record(key, bytes_view(value));
  ASSERT_TRUE(decoded && *decoded);
  EXPECT_EQ((*decoded)->group, "g");
  EXPECT_EQ((*decoded)->partition, (topic_partition{.topic = "t", .partition = 2}));
  EXPECT_EQ((*decoded)->offset, c);
  auto deleted = decode_offsets_record(key, std::nullopt);
  ASSERT_TRUE(deleted && *deleted);
  EXPECT_FALSE((*deleted)->offset);
  group_metadata m{.protocol_type = "consumer", .generation = 7, .protocol_name = "range"};
  auto meta_key = encode_metadata_key("g");
  auto meta_value = encode_metadata_value(m);
  auto meta = decode_offsets_record(meta_key, bytes_view(meta_value));
  ASSERT_TRUE(meta && *meta);
  EXPECT_FALSE((*meta)->partition);
  EXPECT_EQ((*meta)->metadata, m);
}

TEST(OffsetsRecord, TruncatedValueIsAnError) {
  auto key = encode_offset_key("g", {.topic = "t", .partition = 0});
  auto value = encode_offset_value({});
  value.resize(value.size() - 3);
  EXPECT_FALSE(decode_offsets_record(key, bytes_view(value)));
}

TEST(OffsetsRecord, UnknownKeyVersionIsSkipped) {
  std::vector<std::byte> key{std::byte{0}, std::byte{9}};
  auto decoded = decode_offsets_record(key, std::nullopt);
  ASSERT_TRUE(decoded);
  EXPECT_FALSE(*decoded);
}

class OffsetsLogTest : public ::testing::Test {
 protected:
  void open() {
    coordinator_.reset();
    logs_.reset();
    storage::storage_options options;
    options.data_dir = dir_.path();
    options.background_housekeeping = false;
    logs_ = std::move(storage::log_manager::open(io::file_system::posix(), options).value());
    coordinator_ = std::make_unique<group_coordinator>(io_, logs_.get(), coordinator_config{});
    ASSERT_TRUE(coordinator_->load());
  }

  storage::test::temp_dir dir_;
  boost::asio::io_context io_;
  std::unique_ptr<storage::log_manager> logs_;
  std::unique_ptr<group_coordinator> coordinator_;
};

TEST_F(OffsetsLogTest, CommitsAndDeletionsSurviveAReopenLatestWins) {
  open();
  ASSERT_TRUE(logs_->create_topic("t", 2, {}));
  topic_partition p0{.topic = "t", .partition = 0}, p1{.topic = "t", .partition = 1};
  auto at = [](std::int64_t offset, std::string metadata = "") {
    return committed_offset{
        .offset = offset, .leader_epoch = 0, .metadata = std::move(metadata), .commit_timestamp = 1};
  };
  auto g = coordinator_->get_or_create("readers");
  ASSERT_EQ(g->commit(-1, "", std::nullopt, {{p0, at(1)}, {p1, at(2)}}), kafka::error_code::none);
  ASSERT_EQ(g->commit(-1, "", std::nullopt, {{p0, at(10, "x")}}), kafka::error_code::none);
  ASSERT_EQ(g->delete_offsets({p1}), std::vector<kafka::error_code>{kafka::error_code::none});
  auto other = coordinator_->get_or_create("gone");
  ASSERT_EQ(other->commit(-1, "", std::nullopt, {{p0, at(3)}}), kafka::error_code::none);
  ASSERT_EQ(coordinator_->remove("gone"), kafka::error_code::none);
  g.reset();
  other.reset();
  open();
  auto back = coordinator_->find("readers");
  ASSERT_TRUE(back);
  auto all = back->all_committed();
  ASSERT_EQ(all.size(), 1u);
  EXPECT_EQ(all[p0].offset, 10);
  EXPECT_EQ(all[p0].metadata, "x");
  EXPECT_FALSE(coordinator_->find("gone"));
}

TEST_F(OffsetsLogTest, TheTopicIsCompactedAndCommitsStillRestore) {
  open();
  EXPECT_EQ(logs_->describe_topic(offsets_topic)->overrides.at("cleanup.policy"), "compact");
  // Small segments, so thousands of commits roll many of them.
  auto overrides = logs_->describe_topic(offsets_topic)->overrides;
  overrides["segment.bytes"] = "4096";
  ASSERT_TRUE(logs_->alter_topic_config(offsets_topic, overrides));
  ASSERT_TRUE(logs_->create_topic("t", 3, {}));
  auto g = coordinator_->get_or_create("busy");
  for (std::int64_t i = 1; i <= 2000; ++i) {
    topic_partition tp{.topic = "t", .partition = static_cast<std::int32_t>(i % 3)};
    committed_offset c{.offset = i, .leader_epoch = 0, .metadata = "", .commit_timestamp = 1};
    ASSERT_EQ(g->commit(-1, "", std::nullopt, {{tp, c}}), kafka::error_code::none);
  }
  g.reset();
  std::uint64_t before = 0, after = 0;
  for (std::int32_t p = 0; p < 8; ++p) before += logs_->partition(offsets_topic, p)->stats().size_bytes;
  logs_->run_cleaner(INT64_MAX / 2);
  for (std::int32_t p = 0; p < 8; ++p) after += logs_->partition(offsets_topic, p)->stats().size_bytes;
  EXPECT_LT(after * 10, before) << before << " → " << after << " bytes";
  open();
  auto all = coordinator_->find("busy")->all_committed();
  ASSERT_EQ(all.size(), 3u);
  EXPECT_EQ((all[{.topic = "t", .partition = 0}].offset), 1998);
  EXPECT_EQ((all[{.topic = "t", .partition = 1}].offset), 1999);
  EXPECT_EQ((all[{.topic = "t", .partition = 2}].offset), 2000);
}

TEST_F(OffsetsLogTest, ATopicFromBeforeCompactionIsSwitchedToCompact) {
  {
    storage::storage_options options;
    options.data_dir = dir_.path();
    options.background_housekeeping = false;
    auto logs = std::move(storage::log_manager::open(io::file_system::posix(), options).value());
    ASSERT_TRUE(logs->create_topic(offsets_topic, 8, {{"retention.ms", "-1"}, {"retention.bytes", "-1"}}));
    ASSERT_TRUE(logs->close());
  }
  open();
  auto overrides = logs_->describe_topic(offsets_topic)->overrides;
  EXPECT_EQ(overrides.at("cleanup.policy"), "compact");
  EXPECT_EQ(overrides.at("retention.ms"), "-1");
  EXPECT_EQ(overrides.at("segment.bytes"), "104857600");
}

TEST_F(OffsetsLogTest, LagIsTheLogEndMinusTheCommit) {
  open();
  ASSERT_TRUE(logs_->create_topic("t", 2, {}));
  auto batch = storage::test::make_batch(15);
  ASSERT_TRUE(logs_->partition("t", 0)->append(batch));
  auto g = coordinator_->get_or_create("readers");
  auto at = [](std::int64_t offset) {
    return committed_offset{.offset = offset, .leader_epoch = 0, .metadata = "", .commit_timestamp = 1};
  };
  ASSERT_EQ(g->commit(-1, "", std::nullopt,
                      {{{.topic = "t", .partition = 0}, at(4)}, {{.topic = "t", .partition = 1}, at(0)}}),
            kafka::error_code::none);
  auto lag = coordinator_->lag("readers");
  ASSERT_EQ(lag.size(), 2u);
  EXPECT_EQ(lag[0].partition.partition, 0);
  EXPECT_EQ(lag[0].end_offset, 15);
  EXPECT_EQ(lag[0].lag, 11);
  EXPECT_EQ(lag[1].end_offset, 0);
  EXPECT_EQ(lag[1].lag, 0);
  EXPECT_TRUE(coordinator_->lag("nobody").empty());
}

}  // namespace
}  // namespace sluice::group
