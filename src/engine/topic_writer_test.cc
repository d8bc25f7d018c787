#include "engine/topic_writer.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "storage/log_manager.h"
#include "storage/record_reader.h"
#include "storage/test_util.h"

namespace sluice::engine {
namespace {

TEST(Murmur2, MatchesKafkasJavaClient) {
  // UtilsTest.testMurmur2 in Apache Kafka's clients.
  EXPECT_EQ(static_cast<std::int32_t>(murmur2("21")), -973932308);
  EXPECT_EQ(static_cast<std::int32_t>(murmur2("foobar")), -790332482);
  EXPECT_EQ(static_cast<std::int32_t>(murmur2("a-little-bit-long-string")), -985981536);
  EXPECT_EQ(static_cast<std::int32_t>(murmur2("a-little-bit-longer-string")), -1486304829);
  EXPECT_EQ(static_cast<std::int32_t>(murmur2("lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8")),
            -58897971);
  EXPECT_EQ(static_cast<std::int32_t>(murmur2("abc")), 479470107);
}

TEST(TopicWriter, CreatesTheTopicAndKeepsEachKeyOnItsPartition) {
  storage::test::temp_dir dir;
  storage::storage_options options;
  options.data_dir = dir.path();
  options.background_housekeeping = false;
  auto logs = storage::test::must(storage::log_manager::open(io::file_system::posix(), options));
  topic_writer writer(*logs, "out", 3);
  std::vector<output_record> records;
  for (int i = 0; i < 30; ++i)
    records.push_back({"key-" + std::to_string(i % 5), "v" + std::to_string(i), 1000 + i, {}});
  records.push_back({"key-0", std::nullopt, 2000, {}});
  ASSERT_TRUE(writer.write(records));
  ASSERT_EQ(logs->describe_topic("out")->partitions, 3);

  std::size_t total = 0;
  for (std::int32_t p = 0; p < 3; ++p) {
    auto log = logs->partition("out", p);
    std::vector<std::string> values;
    auto next = storage::read_records(*log, 0, 1 << 20, [&](const model::record_view& r) {
      std::string key(reinterpret_cast<const char*>(r.key->data()), r.key->size());
      EXPECT_EQ(partition_for_key(key, 3), p) << key;
      values.push_back(r.value ? std::string(reinterpret_cast<const char*>(r.value->data()), r.value->size())
                               : "null");
      return true;
    });
    ASSERT_TRUE(next);
    total += values.size();
    if (p == partition_for_key("key-0", 3)) {
      EXPECT_EQ(values.back(), "null");
    }
  }
  EXPECT_EQ(total, 31U);
}

// More records than one batch of the topic's max.message.bytes holds go out as several batches, all in
// order; a single record over the limit is refused.
TEST(TopicWriter, SplitsWhatOneBatchCannotHold) {
  storage::test::temp_dir dir;
  storage::storage_options options;
  options.data_dir = dir.path();
  options.background_housekeeping = false;
  auto logs = storage::test::must(storage::log_manager::open(io::file_system::posix(), options));
  ASSERT_TRUE(logs->create_topic("bulk", 1, {{"max.message.bytes", "2000"}}));
  topic_writer writer(*logs, "bulk", 1);
  std::vector<output_record> records;
  for (int i = 0; i < 100; ++i)
    records.push_back({std::nullopt, std::string(90, 'a') + std::to_string(i), 1, {}});
  ASSERT_TRUE(writer.write(records));
  auto log = logs->partition("bulk", 0);
  std::vector<std::string> values;
  for (std::int64_t offset = 0;;) {
    auto next = storage::read_records(*log, offset, 1 << 20, [&](const model::record_view& r) {
      values.emplace_back(reinterpret_cast<const char*>(r.value->data()), r.value->size());
      return true;
    });
    ASSERT_TRUE(next);
    if (*next == offset) break;
    offset = *next;
  }
  ASSERT_EQ(values.size(), 100u);
  for (int i = 0; i < 100; ++i)
    EXPECT_EQ(values[static_cast<std::size_t>(i)], records[static_cast<std::size_t>(i)].value);
  EXPECT_FALSE(writer.write({{std::nullopt, std::string(3000, 'b'), 1, {}}}));
}

}  // namespace
}  // namespace sluice::engine
