#include "cli/kafka_client.h"

#include <gtest/gtest.h>

#include <array>

namespace sluice::cli {
namespace {

std::string conf_value(rd_kafka_conf_t* conf, const char* name) {
  std::array<char, 256> value{};
  auto size = value.size();
  if (rd_kafka_conf_get(conf, name, value.data(), &size) != RD_KAFKA_CONF_OK) return "<unset>";
  return value.data();
}

TEST(KafkaClient, SplitsPropertiesAtTheFirstEquals) {
  auto p = split_property("sasl.jaas.config=a=b", "-X");
  ASSERT_TRUE(p);
  EXPECT_EQ(p->first, "sasl.jaas.config");
  EXPECT_EQ(p->second, "a=b");
  EXPECT_EQ(split_property("k=", "-X")->second, "");
  for (const char* bad : {"novalue", "=v", ""}) {
    auto e = split_property(bad, "--config");
    ASSERT_FALSE(e) << bad;
    EXPECT_EQ(e.error().code, errc::invalid_argument);
    EXPECT_NE(e.error().message.find("--config expects key=value"), std::string::npos);
  }
}

TEST(KafkaClient, SplitsEachPropertyInOrder) {
  auto all = split_properties({"flush.messages=1", "retention.ms=60000"}, "--topic-config");
  ASSERT_TRUE(all);
  EXPECT_EQ(*all, (std::vector<property>{{"flush.messages", "1"}, {"retention.ms", "60000"}}));
  EXPECT_TRUE(split_properties({}, "--config")->empty());
  auto bad = split_properties({"a=1", "b"}, "--topic-config");
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().message, "--topic-config expects key=value, got 'b'");
}

TEST(KafkaClient, PropertiesOverrideDefaults) {
  client_options options;
  options.bootstrap = "broker-a:9092,broker-b:9092";
  options.properties = {"linger.ms=7", "client.id=tool"};
  auto conf = make_conf(options, {{"linger.ms", "50"}, {"acks", "1"}});
  ASSERT_TRUE(conf) << conf.error().describe();
  EXPECT_EQ(conf_value(conf->get(), "bootstrap.servers"), "broker-a:9092,broker-b:9092");
  EXPECT_EQ(conf_value(conf->get(), "linger.ms"), "7");
  EXPECT_EQ(conf_value(conf->get(), "client.id"), "tool");
  EXPECT_EQ(conf_value(conf->get(), "log_level"), "0");
}

TEST(KafkaClient, BadPropertiesNameThemselves) {
  client_options options;
  options.properties = {"no.such.thing=1"};
  auto unknown = make_conf(options);
  ASSERT_FALSE(unknown);
  EXPECT_EQ(unknown.error().code, errc::invalid_config);
  EXPECT_NE(unknown.error().message.find("no.such.thing"), std::string::npos);

  options.properties = {"linger.ms=soon"};
  auto bad_value = make_conf(options);
  ASSERT_FALSE(bad_value);
  EXPECT_NE(bad_value.error().message.find("linger.ms=soon"), std::string::npos);

  options.properties = {"linger.ms"};
  EXPECT_EQ(make_conf(options).error().code, errc::invalid_argument);
}

TEST(KafkaClient, UnreachableBrokerIsAnIoErrorWithinTheTimeout) {
  client_options options;
  options.bootstrap = "127.0.0.1:1";  // nothing listens on port 1
  options.timeout = std::chrono::milliseconds(300);
  auto conf = make_conf(options);
  ASSERT_TRUE(conf);
  auto client = make_client(RD_KAFKA_PRODUCER, std::move(*conf));
  ASSERT_TRUE(client) << client.error().describe();
  auto metadata = fetch_metadata(client->get(), options, nullptr);
  ASSERT_FALSE(metadata);
  EXPECT_EQ(metadata.error().code, errc::io_error);
  EXPECT_EQ(metadata.error().message, "no answer from a broker at 127.0.0.1:1 within 300 ms");
}

TEST(KafkaClient, MapsKafkaErrorCodes) {
  EXPECT_EQ(kafka_error(RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART, "t").code, errc::not_found);
  EXPECT_EQ(kafka_error(RD_KAFKA_RESP_ERR_TOPIC_ALREADY_EXISTS, "t").code, errc::already_exists);
  EXPECT_EQ(kafka_error(RD_KAFKA_RESP_ERR_INVALID_CONFIG, "t").code, errc::invalid_config);
  EXPECT_EQ(kafka_error(RD_KAFKA_RESP_ERR__TRANSPORT, "t").code, errc::io_error);
  EXPECT_EQ(kafka_error(RD_KAFKA_RESP_ERR_TOPIC_ALREADY_EXISTS, "topic 'x'").message,
            std::string("topic 'x': ") + rd_kafka_err2str(RD_KAFKA_RESP_ERR_TOPIC_ALREADY_EXISTS));
}

}  // namespace
}  // namespace sluice::cli
