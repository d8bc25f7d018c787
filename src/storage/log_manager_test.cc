// The data directory: topic lifecycle and configs, what survives a restart,
// telling a clean restart from a crash, and the single-owner lock.
#include "storage/log_manager.h"

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include "metrics/metrics.h"
#include "storage/test_util.h"

namespace sluice::storage {
namespace {

using namespace test;

class LogManagerTest : public ::testing::Test {
 protected:
  storage_options options() const {
    return storage_options{.data_dir = dir_.path(), .defaults = defaults_, .background_housekeeping = false};
  }

  std::unique_ptr<log_manager> open_manager() const {
    return must(log_manager::open(io::file_system::posix(), options()));
  }

  std::vector<std::string> topic_names(const log_manager& m) const {
    std::vector<std::string> names;
    for (const auto& t : m.list_topics()) names.push_back(t.name);
    return names;
  }

  temp_dir dir_;
  log_config defaults_ = test_config();
};

TEST_F(LogManagerTest, CreateListDescribeAndDeleteTopics) {
  auto m = open_manager();
  must(m->create_topic("orders", 3, {{"retention.ms", "60000"}}));
  must(m->create_topic("audit", 1, {}));
  EXPECT_EQ(topic_names(*m), (std::vector<std::string>{"audit", "orders"}));
  auto orders = m->describe_topic("orders");
  ASSERT_TRUE(orders);
  EXPECT_EQ(orders->partitions, 3);
  EXPECT_EQ(orders->overrides, (config_overrides{{"retention.ms", "60000"}}));
  ASSERT_NE(m->partition("orders", 2), nullptr);
  EXPECT_EQ(m->partition("orders", 2)->config().retention_ms, 60000);
  EXPECT_EQ(m->partition("orders", 3), nullptr);
  EXPECT_EQ(m->partition("orders", -1), nullptr);
  EXPECT_EQ(m->partition("nope", 0), nullptr);
  EXPECT_EQ(m->create_topic("orders", 1, {}).error().code, errc::already_exists);

  must(m->delete_topic("orders"));
  EXPECT_FALSE(m->describe_topic("orders"));
  EXPECT_EQ(m->partition("orders", 0), nullptr);
  EXPECT_EQ(topic_names(*m), std::vector<std::string>{"audit"});
  EXPECT_FALSE(std::filesystem::exists(dir_ / "topics/orders"));
  EXPECT_EQ(m->delete_topic("orders").error().code, errc::not_found);
  must(m->create_topic("orders", 1, {}));  // the name is free again, with an empty log
  EXPECT_EQ(m->partition("orders", 0)->end_offset(), 0);
}

TEST_F(LogManagerTest, CreateTopicRejectsBadArgumentsAndCreatesNothing) {
  auto m = open_manager();
  EXPECT_EQ(m->create_topic("t", 0, {}).error().code, errc::invalid_argument);
  EXPECT_EQ(m->create_topic("t", 1, {{"no.such.config", "1"}}).error().code, errc::invalid_config);
  EXPECT_EQ(m->create_topic("t", 1, {{"segment.bytes", "lots"}}).error().code, errc::invalid_config);
  EXPECT_EQ(m->create_topic("t", 1, {{"retention.ms", "-2"}}).error().code, errc::invalid_config);
  EXPECT_TRUE(m->list_topics().empty());
  EXPECT_FALSE(std::filesystem::exists(dir_ / "topics/t"));
}

TEST_F(LogManagerTest, TopicNamesFollowKafkasRule) {
  for (const std::string& name : {std::string("a"), std::string("Orders.v2_eu-1"), std::string(249, 'x'),
                                  std::string("..."), std::string("-_.")})
    EXPECT_TRUE(validate_topic_name(name)) << name;
  for (const std::string& name : {std::string(), std::string("."), std::string(".."), std::string(250, 'x'),
                                  std::string("a/b"), std::string("a b"), std::string("a~deleting"),
                                  std::string("caf\xc3\xa9"), std::string("a\nb"), std::string("a:b")})
    EXPECT_FALSE(validate_topic_name(name)) << name;
  auto m = open_manager();
  EXPECT_EQ(m->create_topic("../escape", 1, {}).error().code, errc::invalid_argument);
  EXPECT_EQ(m->create_topic("", 1, {}).error().code, errc::invalid_argument);
  must(m->create_topic(std::string(249, 'x'), 1, {}));
  EXPECT_EQ(topic_names(*m).size(), 1u);
}

TEST_F(LogManagerTest, CreatePartitionsGrowsATopic) {
  auto m = open_manager();
  must(m->create_topic("t", 2, {{"max.message.bytes", "5000"}}));
  append_batch(*m->partition("t", 0), make_batch(3));
  must(m->create_partitions("t", 4));
  EXPECT_EQ(m->describe_topic("t")->partitions, 4);
  ASSERT_NE(m->partition("t", 3), nullptr);
  EXPECT_EQ(m->partition("t", 3)->config().max_message_bytes, 5000)
      << "new partitions get the topic's config";
  append_batch(*m->partition("t", 3), make_batch(1));
  EXPECT_EQ(m->partition("t", 0)->end_offset(), 3);
  EXPECT_EQ(m->create_partitions("t", 4).error().code, errc::invalid_argument);
  EXPECT_EQ(m->create_partitions("t", 3).error().code, errc::invalid_argument);
  EXPECT_EQ(m->create_partitions("nope", 5).error().code, errc::not_found);
  m.reset();
  m = open_manager();
  EXPECT_EQ(m->describe_topic("t")->partitions, 4);
  EXPECT_EQ(m->partition("t", 3)->end_offset(), 1);
}

TEST_F(LogManagerTest, AppendsCountIntoTheTopicsTrafficSharedByItsPartitions) {
  auto m = open_manager();
  must(m->create_topic("traffic", 2, {}));
  auto traffic = m->partition("traffic", 0)->traffic();
  ASSERT_NE(traffic.records_in, nullptr);
  EXPECT_EQ(traffic.records_in, m->partition("traffic", 1)->traffic().records_in);
  auto first = append_batch(*m->partition("traffic", 0), make_batch(3));
  auto second = append_batch(*m->partition("traffic", 1), make_batch(2));
  EXPECT_EQ(traffic.records_in->value(), 5u);
  EXPECT_EQ(traffic.bytes_in->value(), first.size() + second.size());
  EXPECT_EQ(traffic.records_out->value(), 0u) << "reads count only when Fetch serves them";
  // A deleted topic created again starts from zero; the old partitions keep their own counters.
  must(m->delete_topic("traffic"));
  must(m->create_topic("traffic", 1, {}));
  EXPECT_EQ(m->partition("traffic", 0)->traffic().records_in->value(), 0u);
  EXPECT_EQ(traffic.records_in->value(), 5u);
}

TEST_F(LogManagerTest, AlterTopicConfigReplacesTheOverridesOfEveryPartition) {
  auto m = open_manager();
  must(m->create_topic("t", 2, {{"retention.ms", "1000"}}));
  must(m->alter_topic_config("t", {{"max.message.bytes", "100"}}));
  EXPECT_EQ(m->describe_topic("t")->overrides, (config_overrides{{"max.message.bytes", "100"}}));
  for (int p = 0; p < 2; ++p) {
    auto log = m->partition("t", p);
    EXPECT_EQ(log->config().max_message_bytes, 100);
    EXPECT_EQ(log->config().retention_ms, defaults_.retention_ms) << "replaced, not merged";
    auto big = make_batch(1, 1000, 200);
    EXPECT_EQ(log->append(big).error().code, errc::message_too_large);
  }
}

TEST_F(LogManagerTest, AlterTopicConfigRejectsInvalidNamesAndValues) {
  auto m = open_manager();
  must(m->create_topic("t", 1, {{"retention.ms", "1000"}}));
  for (const config_overrides& bad :
       {config_overrides{{"retention.mss", "1"}}, config_overrides{{"segment.bytes", "10"}},
        config_overrides{{"flush.messages", "0"}}, config_overrides{{"segment.bytes", "4294967296"}},
        config_overrides{{"retention.ms", "1000"}, {"cleanup.policy", "compact,shrink"}},
        config_overrides{{"min.cleanable.dirty.ratio", "1.5"}},
        config_overrides{{"index.interval.bytes", "12ab"}}}) {
    EXPECT_EQ(m->alter_topic_config("t", bad).error().code, errc::invalid_config) << bad.begin()->first;
  }
  EXPECT_EQ(m->describe_topic("t")->overrides, (config_overrides{{"retention.ms", "1000"}}));
  EXPECT_EQ(m->partition("t", 0)->config().retention_ms, 1000);
  EXPECT_EQ(m->alter_topic_config("nope", {}).error().code, errc::not_found);
}

TEST_F(LogManagerTest, TopicsConfigsAndDataSurviveReopen) {
  std::string cluster_id;
  byte_vector stored;
  {
    auto m = open_manager();
    cluster_id = m->cluster_id();
    must(m->create_topic("a", 2, {{"segment.bytes", "1000"}}));
    must(m->create_topic("b", 1, {}));
    must(m->alter_topic_config("b", {{"retention.bytes", "123456"}}));
    stored = append_batch(*m->partition("a", 1), make_batch(4));
    must(m->close());
  }
  auto m = open_manager();
  EXPECT_EQ(m->cluster_id(), cluster_id);
  EXPECT_EQ(topic_names(*m), (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(m->describe_topic("a")->partitions, 2);
  EXPECT_EQ(m->describe_topic("a")->overrides, (config_overrides{{"segment.bytes", "1000"}}));
  EXPECT_EQ(m->describe_topic("b")->overrides, (config_overrides{{"retention.bytes", "123456"}}));
  EXPECT_EQ(m->partition("a", 0)->config().segment_bytes, 1000);
  EXPECT_EQ(m->partition("b", 0)->config().retention_bytes, 123456);
  EXPECT_TRUE(same_bytes(read_all(*m->partition("a", 1)), stored));
}

TEST_F(LogManagerTest, RecoveredCleanlyOnlyAfterClose) {
  {
    auto m = open_manager();
    EXPECT_TRUE(m->recovered_cleanly()) << "a new directory has nothing to recover";
    EXPECT_FALSE(std::filesystem::exists(dir_ / ".clean-shutdown"))
        << "present only between a stop and a start";
    must(m->create_topic("t", 1, {}));
    must(m->close());
  }
  {
    auto m = open_manager();
    EXPECT_TRUE(m->recovered_cleanly());
  }  // the destructor closes cleanly too
  EXPECT_TRUE(open_manager()->recovered_cleanly());
}

TEST_F(LogManagerTest, CrashIsSeenAsUncleanAndRecoversTheData) {
  must(open_manager()->create_topic("t", 1, {}));
  // The child dies without running close() or any destructor: a crash that
  // keeps the page cache.
  pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    auto m = log_manager::open(io::file_system::posix(), options());
    if (!m || !(*m)->recovered_cleanly()) ::_exit(2);
    auto batch = make_batch(5);
    if (!(*m)->partition("t", 0)->append(batch)) ::_exit(3);
    ::_exit(0);
  }
  int status = 0;
  ASSERT_EQ(::waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFEXITED(status));
  ASSERT_EQ(WEXITSTATUS(status), 0);
  auto m = open_manager();
  EXPECT_FALSE(m->recovered_cleanly());
  EXPECT_EQ(m->partition("t", 0)->end_offset(), 5);
  must(m->close());
  m.reset();
  EXPECT_TRUE(open_manager()->recovered_cleanly());
}

TEST_F(LogManagerTest, FailedOpenDoesNotClaimACleanShutdown) {
  {
    auto m = open_manager();
    must(m->create_topic("a", 1, {}));
    must(m->create_topic("b", 1, {}));
  }
  auto properties = dir_ / "topics/b/topic.properties";
  auto good = read_file(properties);
  auto bad = good;
  bad[bad.size() - 3] = std::byte{'x'};  // breaks the checksum line
  write_file(properties, bad);
  auto failed = log_manager::open(io::file_system::posix(), options());
  ASSERT_FALSE(failed);
  EXPECT_EQ(failed.error().code, errc::corruption);
  EXPECT_FALSE(std::filesystem::exists(dir_ / ".clean-shutdown"));
  write_file(properties, good);
  EXPECT_FALSE(open_manager()->recovered_cleanly()) << "the failed start never finished its recovery";
}

TEST_F(LogManagerTest, SecondOpenOfTheSameDirectoryIsRefused) {
  auto first = open_manager();
  auto second = log_manager::open(io::file_system::posix(), options());
  ASSERT_FALSE(second);
  EXPECT_EQ(second.error().code, errc::already_exists);
  first.reset();
  EXPECT_NE(open_manager(), nullptr);
}

TEST_F(LogManagerTest, HeldPartitionStaysReadableAfterItsTopicIsDeleted) {
  auto m = open_manager();
  must(m->create_topic("t", 1, {}));
  auto log = m->partition("t", 0);
  auto stored = append_batch(*log, make_batch(3));
  must(m->delete_topic("t"));
  EXPECT_TRUE(same_bytes(must(log->read(0, 1 << 20)).batches, stored));
}

TEST_F(LogManagerTest, IncompleteTopicDirectoriesAreRemovedAtOpen) {
  must(open_manager()->create_topic("t", 1, {}));
  std::filesystem::create_directories(dir_ / "topics/half-created/0");
  std::filesystem::create_directories(dir_ / "topics/old~deleting/0");
  auto m = open_manager();
  EXPECT_EQ(topic_names(*m), std::vector<std::string>{"t"});
  EXPECT_FALSE(std::filesystem::exists(dir_ / "topics/half-created"));
  EXPECT_FALSE(std::filesystem::exists(dir_ / "topics/old~deleting"));
}

TEST_F(LogManagerTest, HousekeepingAppliesEachTopicsConfig) {
  auto m = open_manager();
  must(m->create_topic("short", 1, {{"retention.ms", "1000"}, {"segment.bytes", "200"}}));
  must(m->create_topic("forever", 1, {{"segment.bytes", "200"}}));
  for (const char* topic : {"short", "forever"})
    for (int i = 0; i < 3; ++i) append_batch(*m->partition(topic, 0), make_batch(1, 1000, 150));
  m->run_retention(1'000'000);
  EXPECT_EQ(m->partition("short", 0)->log_start_offset(), 3);
  EXPECT_EQ(m->partition("forever", 0)->log_start_offset(), 0);
  EXPECT_LT(m->partition("forever", 0)->durable_offset(), 3);
  m->run_flush_checks(std::chrono::steady_clock::now() + std::chrono::hours(1));
  EXPECT_EQ(m->partition("forever", 0)->durable_offset(), 3);
}

}  // namespace
}  // namespace sluice::storage
