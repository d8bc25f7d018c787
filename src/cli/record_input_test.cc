#include "cli/record_input.h"

#include <gtest/gtest.h>

namespace sluice::cli {
namespace {

record_defaults json_defaults() {
  record_defaults d;
  d.format = input_format::json;
  return d;
}

TEST(RecordInput, TextLineIsTheValue) {
  record_defaults d;
  d.key = "k";
  d.headers = {{"h", "v"}};
  d.partition = 2;
  auto r = parse_record("hello world", d);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->key, "k");
  EXPECT_EQ(r->value, "hello world");
  EXPECT_EQ(r->headers, (std::vector<record_header>{{"h", "v"}}));
  EXPECT_EQ(r->partition, 2);
  EXPECT_EQ(r->timestamp, 0);
}

TEST(RecordInput, KeyDelimiterSplitsAtTheFirstOccurrence) {
  record_defaults d;
  d.key_delimiter = "::";
  auto r = parse_record("a::b::c", d);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->key, "a");
  EXPECT_EQ(r->value, "b::c");
  auto no_key = parse_record("abc", d);
  EXPECT_EQ(no_key->key, std::nullopt);
  EXPECT_EQ(no_key->value, "abc");
}

TEST(RecordInput, JsonRecordWithEveryMember) {
  auto r = parse_record(
      R"({"key":"k","value":null,"headers":[["a","1"],["a",null]],"partition":3,"timestamp":1700000000000})",
      json_defaults());
  ASSERT_TRUE(r) << r.error().describe();
  EXPECT_EQ(r->key, "k");
  EXPECT_EQ(r->value, std::nullopt);
  EXPECT_EQ(r->headers, (std::vector<record_header>{{"a", "1"}, {"a", std::nullopt}}));
  EXPECT_EQ(r->partition, 3);
  EXPECT_EQ(r->timestamp, 1700000000000);
}

TEST(RecordInput, JsonHeadersObjectAddsToFlagHeaders) {
  auto d = json_defaults();
  d.headers = {{"from", "flag"}};
  auto r = parse_record(R"({"value":"v","headers":{"x":"y"}})", d);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->headers, (std::vector<record_header>{{"from", "flag"}, {"x", "y"}}));
  EXPECT_EQ(r->key, std::nullopt);
}

TEST(RecordInput, JsonErrorsAreReported) {
  for (const char* bad : {"[1]", R"({"value":1})", R"({"partition":-1})", R"({"partition":"1"})",
                          R"({"timestamp":1.5})", R"({"headers":[["a"]]})", R"({"valeu":"x"})", "{"}) {
    auto r = parse_record(bad, json_defaults());
    ASSERT_FALSE(r) << bad;
    EXPECT_EQ(r.error().code, errc::invalid_argument) << bad;
  }
}

}  // namespace
}  // namespace sluice::cli
