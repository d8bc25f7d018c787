#include "cli/json.h"

#include <gtest/gtest.h>

namespace sluice::cli {
namespace {

std::string escaped(std::string_view bytes) {
  std::string out;
  append_json_string(out, bytes);
  return out;
}

TEST(Json, ParsesObjectMembersInOrder) {
  auto v = parse_json(R"( {"b": 1, "a": [true, false, null], "c": {"d": "x"}} )");
  ASSERT_TRUE(v) << v.error().describe();
  ASSERT_EQ(v->type, json_value::kind::object);
  ASSERT_EQ(v->members.size(), 3u);
  EXPECT_EQ(v->members[0].first, "b");
  EXPECT_EQ(*v->members[0].second.as_int64(), 1);
  const auto& a = v->members[1].second;
  ASSERT_EQ(a.items.size(), 3u);
  EXPECT_TRUE(a.items[0].boolean);
  EXPECT_EQ(a.items[1].type, json_value::kind::boolean);
  EXPECT_FALSE(a.items[1].boolean);
  EXPECT_EQ(a.items[2].type, json_value::kind::null);
  EXPECT_EQ(v->members[2].second.members[0].second.text, "x");
}

TEST(Json, DecodesEscapesAndSurrogatePairs) {
  auto v = parse_json(R"("a\"b\\c\/\n\t\u00e9\ud83d\ude00")");
  ASSERT_TRUE(v) << v.error().describe();
  EXPECT_EQ(v->text, "a\"b\\c/\n\t\xC3\xA9\xF0\x9F\x98\x80");
}

TEST(Json, RejectsMalformedInput) {
  for (const char* bad : {"", "{", "{\"a\" 1}", "[1,]", "01", "1.", "\"abc", "\"\\x\"", "\"\\ud800\"", "{} x",
                          "tru", "\"a\nb\"", "{\"a\":1,}", "-"}) {
    EXPECT_FALSE(parse_json(bad)) << bad;
  }
}

TEST(Json, RefusesDeepNesting) {
  EXPECT_FALSE(parse_json(std::string(100, '[') + std::string(100, ']')));
  EXPECT_TRUE(parse_json(std::string(60, '[') + std::string(60, ']')));
}

TEST(Json, IntegersOnlyInInt64Range) {
  EXPECT_EQ(*parse_json("-9223372036854775808")->as_int64(), INT64_MIN);
  EXPECT_FALSE(parse_json("9223372036854775808")->as_int64());
  EXPECT_FALSE(parse_json("1.5")->as_int64());
  EXPECT_FALSE(parse_json("1e3")->as_int64());
  EXPECT_FALSE(parse_json("\"1\"")->as_int64());
}

TEST(Json, EscapesStrings) {
  EXPECT_EQ(escaped("plain"), "\"plain\"");
  EXPECT_EQ(escaped("q\"b\\n\n\r\t"), R"("q\"b\\n\n\r\t")");
  EXPECT_EQ(escaped(std::string_view("\x00\x1f\x7f", 3)), R"("\u0000\u001f\u007f")");
  EXPECT_EQ(escaped("\xC3\xA9\xF0\x9F\x98\x80"), "\"\xC3\xA9\xF0\x9F\x98\x80\"");
}

TEST(Json, ReplacesInvalidUtf8) {
  EXPECT_EQ(escaped("a\xFF"
                    "b"),
            "\"a\xEF\xBF\xBD"
            "b\"");
  EXPECT_EQ(escaped("\xC3"), "\"\xEF\xBF\xBD\"");                                  // truncated sequence
  EXPECT_EQ(escaped("\xC0\x80"), "\"\xEF\xBF\xBD\xEF\xBF\xBD\"");                  // overlong NUL
  EXPECT_EQ(escaped("\xED\xA0\x80"), "\"\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD\"");  // surrogate
}

TEST(Json, EscapedStringsParseBack) {
  std::string original("k\"\\\n\x01\xC3\xA9", 7);
  auto v = parse_json(escaped(original));
  ASSERT_TRUE(v) << v.error().describe();
  EXPECT_EQ(v->text, original);
}

}  // namespace
}  // namespace sluice::cli
