#include "app/serve_config.h"

#include <gtest/gtest.h>

#include <map>

namespace sluice::app {
namespace {

using env_map = std::map<std::string, std::string>;

env_lookup env_of(env_map vars) {
  return [vars = std::move(vars)](const std::string& name) -> std::optional<std::string> {
    auto it = vars.find(name);
    if (it == vars.end()) return std::nullopt;
    return it->second;
  };
}

std::optional<config_file> file_of(std::string contents) {
  return config_file{"sluice.toml", std::move(contents)};
}

result<serve_options> merge(const serve_flags& flags, env_map env, std::optional<config_file> file) {
  return merge_serve_config(flags, env_of(std::move(env)), file);
}

TEST(ServeConfig, NothingSetGivesBuiltInDefaults) {
  auto merged = merge({}, {}, std::nullopt);
  ASSERT_TRUE(merged) << merged.error().describe();
  serve_options defaults;
  EXPECT_EQ(merged->data_dir, defaults.data_dir);
  EXPECT_EQ(merged->kafka_addr, defaults.kafka_addr);
  EXPECT_EQ(merged->advertised_kafka_addr, defaults.advertised_kafka_addr);
  EXPECT_EQ(merged->pg_addr, "127.0.0.1:4566");
  EXPECT_EQ(merged->max_request_bytes, defaults.max_request_bytes);
  EXPECT_EQ(merged->auto_create_topics, defaults.auto_create_topics);
  EXPECT_EQ(merged->default_partitions, defaults.default_partitions);
  EXPECT_EQ(merged->io_threads, 0u);
  EXPECT_EQ(merged->storage_threads, defaults.storage_threads);
  EXPECT_TRUE(merged->topic_defaults.empty());
}

TEST(ServeConfig, FileOverridesDefaults) {
  auto merged = merge({}, {}, file_of(R"(
data_dir = "/var/lib/sluice"
kafka_addr = "0.0.0.0:19092"
advertised_kafka_addr = "kafka.example:9092"
max_request_bytes = 2048
auto_create_topics = false
default_partitions = 6
checkpoint_interval_ms = 250
)"));
  ASSERT_TRUE(merged) << merged.error().describe();
  EXPECT_EQ(merged->data_dir, "/var/lib/sluice");
  EXPECT_EQ(merged->kafka_addr, "0.0.0.0:19092");
  EXPECT_EQ(merged->advertised_kafka_addr, "kafka.example:9092");
  EXPECT_EQ(merged->max_request_bytes, 2048);
  EXPECT_FALSE(merged->auto_create_topics);
  EXPECT_EQ(merged->default_partitions, 6);
  EXPECT_EQ(merged->checkpoint_interval_ms, 250);
}

TEST(ServeConfig, EnvOverridesDefaults) {
  auto merged = merge({},
                      {{"SLUICE_DATA_DIR", "/env/dir"},
                       {"SLUICE_KAFKA_ADDR", "10.0.0.1:9093"},
                       {"SLUICE_ADVERTISED_KAFKA_ADDR", "env.example:9093"},
                       {"SLUICE_MAX_REQUEST_BYTES", "4096"},
                       {"SLUICE_AUTO_CREATE_TOPICS", "false"},
                       {"SLUICE_DEFAULT_PARTITIONS", "3"},
                       {"SLUICE_CHECKPOINT_INTERVAL_MS", "5000"}},
                      std::nullopt);
  ASSERT_TRUE(merged) << merged.error().describe();
  EXPECT_EQ(merged->data_dir, "/env/dir");
  EXPECT_EQ(merged->kafka_addr, "10.0.0.1:9093");
  EXPECT_EQ(merged->advertised_kafka_addr, "env.example:9093");
  EXPECT_EQ(merged->max_request_bytes, 4096);
  EXPECT_FALSE(merged->auto_create_topics);
  EXPECT_EQ(merged->default_partitions, 3);
  EXPECT_EQ(merged->checkpoint_interval_ms, 5000);
}

TEST(ServeConfig, FlagsOverrideDefaults) {
  serve_flags flags;
  flags.data_dir = "/flag/dir";
  flags.max_request_bytes = 512;
  flags.auto_create_topics = false;
  auto merged = merge(flags, {}, std::nullopt);
  ASSERT_TRUE(merged) << merged.error().describe();
  EXPECT_EQ(merged->data_dir, "/flag/dir");
  EXPECT_EQ(merged->max_request_bytes, 512);
  EXPECT_FALSE(merged->auto_create_topics);
  EXPECT_EQ(merged->kafka_addr, serve_options{}.kafka_addr);
}

TEST(ServeConfig, EnvOverridesFile) {
  auto merged = merge({}, {{"SLUICE_KAFKA_ADDR", "env:1"}, {"SLUICE_DEFAULT_PARTITIONS", "4"}},
                      file_of("kafka_addr = \"file:1\"\ndefault_partitions = 2\ndata_dir = \"file-dir\"\n"));
  ASSERT_TRUE(merged) << merged.error().describe();
  EXPECT_EQ(merged->kafka_addr, "env:1");
  EXPECT_EQ(merged->default_partitions, 4);
  EXPECT_EQ(merged->data_dir, "file-dir");  // only in the file
}

TEST(ServeConfig, FlagOverridesFile) {
  serve_flags flags;
  flags.kafka_addr = "flag:1";
  flags.auto_create_topics = true;
  auto merged = merge(
      flags, {}, file_of("kafka_addr = \"file:1\"\nauto_create_topics = false\nmax_request_bytes = 99\n"));
  ASSERT_TRUE(merged) << merged.error().describe();
  EXPECT_EQ(merged->kafka_addr, "flag:1");
  EXPECT_TRUE(merged->auto_create_topics);
  EXPECT_EQ(merged->max_request_bytes, 99);  // only in the file
}

TEST(ServeConfig, FlagOverridesEnv) {
  serve_flags flags;
  flags.data_dir = "/flag";
  flags.max_request_bytes = 7;
  auto merged = merge(flags,
                      {{"SLUICE_DATA_DIR", "/env"},
                       {"SLUICE_MAX_REQUEST_BYTES", "8"},
                       {"SLUICE_ADVERTISED_KAFKA_ADDR", "env:2"}},
                      std::nullopt);
  ASSERT_TRUE(merged) << merged.error().describe();
  EXPECT_EQ(merged->data_dir, "/flag");
  EXPECT_EQ(merged->max_request_bytes, 7);
  EXPECT_EQ(merged->advertised_kafka_addr, "env:2");  // only in the environment
}

TEST(ServeConfig, FlagBeatsEnvBeatsFileForOneSetting) {
  auto file = file_of("default_partitions = 2\n");
  env_map env{{"SLUICE_DEFAULT_PARTITIONS", "3"}};
  EXPECT_EQ(merge({}, {}, file).value().default_partitions, 2);
  EXPECT_EQ(merge({}, env, file).value().default_partitions, 3);
  serve_flags flags;
  flags.default_partitions = 4;
  EXPECT_EQ(merge(flags, env, file).value().default_partitions, 4);
}

TEST(ServeConfig, EmptyEnvValueCountsAsUnset) {
  auto merged =
      merge({}, {{"SLUICE_DATA_DIR", ""}, {"SLUICE_MAX_REQUEST_BYTES", ""}}, file_of("data_dir = \"f\"\n"));
  ASSERT_TRUE(merged) << merged.error().describe();
  EXPECT_EQ(merged->data_dir, "f");
  EXPECT_EQ(merged->max_request_bytes, serve_options{}.max_request_bytes);
}

TEST(ServeConfig, TopicDefaultsFromFileThenFlags) {
  serve_flags flags;
  flags.topic_defaults = {"retention.ms=1000"};
  auto merged = merge(flags, {}, file_of(R"(
[topic_defaults]
"flush.messages" = 1
retention.ms = 5000
"cleanup.policy" = "delete"
)"));
  ASSERT_TRUE(merged) << merged.error().describe();
  // The file's entries (in key order) come first, then the flags, so the flag's retention.ms is
  // applied last and wins when serve resolves them. A dotted key (retention.ms) names the same
  // config as a quoted one.
  std::vector<std::string> expected{"cleanup.policy=delete", "flush.messages=1", "retention.ms=5000",
                                    "retention.ms=1000"};
  EXPECT_EQ(merged->topic_defaults, expected);
}

TEST(ServeConfig, PgAddrComesFromEverySource) {
  auto from_file = merge({}, {}, file_of("pg_addr = \"0.0.0.0:5432\"\n"));
  ASSERT_TRUE(from_file) << from_file.error().describe();
  EXPECT_EQ(from_file->pg_addr, "0.0.0.0:5432");
  auto from_env = merge({}, {{"SLUICE_PG_ADDR", "10.0.0.1:6543"}}, file_of("pg_addr = \"0.0.0.0:5432\"\n"));
  ASSERT_TRUE(from_env) << from_env.error().describe();
  EXPECT_EQ(from_env->pg_addr, "10.0.0.1:6543");
  serve_flags flags;
  flags.pg_addr = "127.0.0.1:0";
  auto from_flag = merge(flags, {{"SLUICE_PG_ADDR", "10.0.0.1:6543"}}, std::nullopt);
  ASSERT_TRUE(from_flag) << from_flag.error().describe();
  EXPECT_EQ(from_flag->pg_addr, "127.0.0.1:0");
  auto wrong = merge({}, {}, file_of("pg_addr = 5432\n"));
  ASSERT_FALSE(wrong);
  EXPECT_NE(wrong.error().message.find("'pg_addr' must be a string"), std::string::npos);
}

TEST(ServeConfig, UnknownKeyIsAnError) {
  auto merged = merge({}, {}, file_of("data_dir = \"x\"\nkafka_adr = \"127.0.0.1:1\"\n"));
  ASSERT_FALSE(merged);
  EXPECT_EQ(merged.error().code, errc::invalid_config);
  EXPECT_NE(merged.error().message.find("unknown key 'kafka_adr'"), std::string::npos)
      << merged.error().message;
  EXPECT_NE(merged.error().message.find("sluice.toml:2"), std::string::npos) << merged.error().message;
}

TEST(ServeConfig, UnknownTopicConfigIsAnError) {
  auto merged = merge({}, {}, file_of("[topic_defaults]\n\"flush.mesages\" = 1\n"));
  ASSERT_FALSE(merged);
  EXPECT_NE(merged.error().message.find("flush.mesages"), std::string::npos) << merged.error().message;
}

TEST(ServeConfig, WrongTypeIsAnError) {
  auto merged = merge({}, {}, file_of("max_request_bytes = \"100\"\n"));
  ASSERT_FALSE(merged);
  EXPECT_EQ(merged.error().code, errc::invalid_config);
  EXPECT_NE(merged.error().message.find("'max_request_bytes' must be an integer, got a string"),
            std::string::npos)
      << merged.error().message;

  auto boolean = merge({}, {}, file_of("auto_create_topics = \"yes\"\n"));
  ASSERT_FALSE(boolean);
  EXPECT_NE(boolean.error().message.find("'auto_create_topics' must be a boolean"), std::string::npos)
      << boolean.error().message;

  auto table = merge({}, {}, file_of("topic_defaults = 3\n"));
  ASSERT_FALSE(table);
  EXPECT_NE(table.error().message.find("'topic_defaults' must be a table"), std::string::npos)
      << table.error().message;
}

TEST(ServeConfig, OutOfRangeIntegerIsAnError) {
  auto merged = merge({}, {}, file_of("default_partitions = 3000000000\n"));
  ASSERT_FALSE(merged);
  EXPECT_NE(merged.error().message.find("default_partitions"), std::string::npos) << merged.error().message;
}

TEST(ServeConfig, ThreadCountsComeFromEverySource) {
  auto file = file_of("io_threads = 3\nstorage_threads = 2\n");
  auto merged = merge({}, {}, file).value();
  EXPECT_EQ(merged.io_threads, 3u);
  EXPECT_EQ(merged.storage_threads, 2u);
  merged = merge({}, {{"SLUICE_STORAGE_THREADS", "6"}}, file).value();
  EXPECT_EQ(merged.storage_threads, 6u);
  serve_flags flags;
  flags.io_threads = 1;
  EXPECT_EQ(merge(flags, {}, file).value().io_threads, 1u);

  auto negative = merge({}, {}, file_of("storage_threads = -1\n"));
  ASSERT_FALSE(negative);
  EXPECT_NE(negative.error().message.find("storage_threads"), std::string::npos) << negative.error().message;
  EXPECT_FALSE(merge({}, {{"SLUICE_IO_THREADS", "-2"}}, std::nullopt));
}

TEST(ServeConfig, TomlSyntaxErrorNamesTheFile) {
  auto merged = merge({}, {}, file_of("data_dir = \n"));
  ASSERT_FALSE(merged);
  EXPECT_NE(merged.error().message.find("config file sluice.toml:1"), std::string::npos)
      << merged.error().message;
}

TEST(ServeConfig, BadEnvValueIsAnError) {
  auto bad_int = merge({}, {{"SLUICE_MAX_REQUEST_BYTES", "10MB"}}, std::nullopt);
  ASSERT_FALSE(bad_int);
  EXPECT_EQ(bad_int.error().code, errc::invalid_config);
  EXPECT_NE(bad_int.error().message.find("SLUICE_MAX_REQUEST_BYTES"), std::string::npos)
      << bad_int.error().message;
  EXPECT_NE(bad_int.error().message.find("'10MB'"), std::string::npos) << bad_int.error().message;

  auto bad_bool = merge({}, {{"SLUICE_AUTO_CREATE_TOPICS", "maybe"}}, std::nullopt);
  ASSERT_FALSE(bad_bool);
  EXPECT_NE(bad_bool.error().message.find("SLUICE_AUTO_CREATE_TOPICS"), std::string::npos)
      << bad_bool.error().message;

  auto too_big = merge({}, {{"SLUICE_DEFAULT_PARTITIONS", "99999999999"}}, std::nullopt);
  ASSERT_FALSE(too_big);
  EXPECT_NE(too_big.error().message.find("SLUICE_DEFAULT_PARTITIONS"), std::string::npos)
      << too_big.error().message;
}

TEST(ServeConfig, BadEnvValueIsAnErrorEvenWhenAFlagOverridesIt) {
  // Every source is validated, so a typo does not hide until the flag is dropped.
  serve_flags flags;
  flags.default_partitions = 2;
  auto merged = merge(flags, {{"SLUICE_DEFAULT_PARTITIONS", "two"}}, std::nullopt);
  ASSERT_FALSE(merged);
  EXPECT_NE(merged.error().message.find("SLUICE_DEFAULT_PARTITIONS"), std::string::npos);
}

}  // namespace
}  // namespace sluice::app
