#include "stream/source.h"

#include <gtest/gtest.h>

#include <deque>

#include "stream/test_util.h"

namespace sluice::stream {
namespace {

using namespace testing;
using sql::data_type;

sql::relation_info events_info() {
  sql::relation_info info;
  info.name = "events";
  info.kind = sql::relation_kind::source;
  info.columns = columns({{"ts", data_type::timestamp},
                          {"n", data_type::bigint},
                          {"x", data_type::double_precision},
                          {"s", data_type::text},
                          {"ok", data_type::boolean},
                          {"doc", data_type::jsonb}});
  info.watermark = sql::watermark_spec{0, 5 * sec};
  return info;
}

TEST(RowDecoder, JsonFieldsByNameWithPostgresCasts) {
  row_decoder d(record_format::json, events_info().columns);
  sql::row r;
  ASSERT_TRUE(d.decode(
      R"({"ts": 1500, "n": "42", "x": 2, "s": 7, "ok": "yes", "doc": {"b": 2.50, "a": [1, 2e1]}, "extra": 0})",
      r));
  // A jsonb column holds what Postgres's jsonb would: keys ordered, numbers as numerics (2.50 stays).
  EXPECT_EQ(row_text(r), "('1970-01-01 00:00:01.5', 42, 2, '7', t, '{\"a\": [1, 20], \"b\": 2.50}')");
  ASSERT_TRUE(d.decode(R"({"ts": "2024-01-02 03:04:05", "s": null})", r));
  EXPECT_EQ(row_text(r), "('2024-01-02 03:04:05', NULL, NULL, NULL, NULL, NULL)");
}

TEST(RowDecoder, MalformedJsonAndWrongTypesAreErrors) {
  row_decoder d(record_format::json, events_info().columns);
  sql::row r;
  EXPECT_FALSE(d.decode("{\"n\": ", r));
  EXPECT_FALSE(d.decode("[1]", r));
  auto wrong = d.decode(R"({"n": "abc"})", r);
  ASSERT_FALSE(wrong);
  EXPECT_EQ(wrong.error().message, "invalid input syntax for type bigint: \"abc\"");
  EXPECT_FALSE(d.decode(R"({"n": 1.5})", r));
  EXPECT_FALSE(d.decode(R"({"ok": 1})", r));
  EXPECT_FALSE(d.decode(R"({"s": {"nested": 1}})", r));
}

// The decoder reads common records with simdjson On-Demand and falls back to its DOM for the rest;
// these cover where the two could part: field order, escapes, duplicates, trailing bytes, number kinds.
TEST(RowDecoder, JsonEdgeCasesDecodeLikePostgresWouldTakeThem) {
  row_decoder d(record_format::json, events_info().columns);
  sql::row r;
  ASSERT_TRUE(d.decode(R"( {"s":"a\"b\u00e9","n":-9223372036854775808,"x":1e2,"\u006e":5,"n":6} )", r));
  EXPECT_EQ(row_text(r), "(NULL, 6, 100, 'a\"bé', NULL, NULL)");  // a repeated field: the last wins
  ASSERT_TRUE(d.decode(R"({"skip": {"deep": [1, {"n": 99}]}, "ts": 1.5, "ok": false, "s": true})", r));
  EXPECT_EQ(row_text(r), "('1970-01-01 00:00:00.0015', NULL, NULL, 'true', f, NULL)");
  ASSERT_TRUE(d.decode(R"({"x": 18446744073709551615, "s": 1.50, "doc": [ 1, "two" ]})", r));
  EXPECT_EQ(row_text(r), "(NULL, NULL, 1.8446744073709552e+19, '1.50', NULL, '[1, \"two\"]')");
  EXPECT_FALSE(d.decode(R"({"n": 1} x)", r));
  EXPECT_FALSE(d.decode(R"({"n": 1}{"n": 2})", r));
  EXPECT_FALSE(d.decode(R"({"n": 18446744073709551615})", r));
  EXPECT_FALSE(d.decode(R"({"n": 1, "s": )", r));
  EXPECT_FALSE(d.decode(R"({"n": 1, "s": "open})", r));
  EXPECT_FALSE(d.decode("{\"s\": \"\xff\"}", r));  // not UTF-8
  EXPECT_FALSE(d.decode("", r));
  // Fields that are not columns are checked too, as the DOM parser would check them.
  EXPECT_FALSE(d.decode(R"({"n": 1, "junk": 01x})", r));
  EXPECT_FALSE(d.decode(R"({"n": 1, "junk": [1, tru]})", r));
  EXPECT_FALSE(d.decode(R"({"n": 1, "junk": {"a": nul}})", r));
  EXPECT_FALSE(d.decode(R"({"n": 1, "junk": "\q"})", r));
  EXPECT_FALSE(d.decode(R"({"n": 1, "junk": -})", r));
  ASSERT_TRUE(d.decode(R"({"junk": [true, null, -0.5e3, "\u00e9", {"a": []}], "n": 1})", r));
  EXPECT_EQ(row_text(r), "(NULL, 1, NULL, NULL, NULL, NULL)");
}

// A record parsed where it lies, followed by the bytes of the next one: they are read, never taken in.
TEST(RowDecoder, PaddedRecordsIgnoreTheBytesAfterThem) {
  row_decoder d(record_format::json, events_info().columns);
  sql::row r;
  std::string next = "99, \"s\": \"x\"}" + std::string(decode_padding, '7');
  auto decode_before_next = [&](std::string_view text) {
    std::string bytes = std::string(text) + next;
    return d.decode(std::string_view(bytes).substr(0, text.size()), r, true);
  };
  ASSERT_TRUE(decode_before_next(R"({"n": 1, "s": "ab"})"));
  EXPECT_EQ(row_text(r), "(NULL, 1, NULL, 'ab', NULL, NULL)");
  EXPECT_FALSE(decode_before_next(R"({"n": 1)"));
  EXPECT_FALSE(decode_before_next(R"({"n": 1, "s": "ab)"));
  EXPECT_FALSE(decode_before_next(R"({"n": 1, "x": )"));
  EXPECT_FALSE(decode_before_next(R"({"n": 1} )"
                                  "{"));
}

TEST(RowDecoder, CsvByPositionWithQuotesAndNulls) {
  row_decoder d(record_format::csv,
                columns({{"a", data_type::bigint}, {"b", data_type::text}, {"c", data_type::text}}));
  sql::row r;
  ASSERT_TRUE(d.decode("1,\"x, \"\"y\"\"\",\n", r));
  EXPECT_EQ(row_text(r), "(1, 'x, \"y\"', NULL)");
  ASSERT_TRUE(d.decode(",\"\",z\r\n", r));
  EXPECT_EQ(row_text(r), "(NULL, '', 'z')");
  EXPECT_FALSE(d.decode("1,2", r));
  EXPECT_FALSE(d.decode("x,2,3", r));
}

struct fake_clock {
  std::chrono::steady_clock::time_point now{};
  wall_clock fn() {
    return [this] { return now; };
  }
};

class SourceTest : public ::testing::Test {
 protected:
  std::unique_ptr<source_reader> make(const sql::relation_info& info, std::int64_t lateness = 0) {
    diag.on_dead_letter = [&](const dead_letter& d) { dead.push_back(d); };
    diag.on_late_event = [&](const late_event& e) { late.push_back(e); };
    source_options options{lateness, std::chrono::milliseconds(1000), clock.fn()};
    return std::move(source_reader::make(info, options, state_prefix(0x8000), &diag).value());
  }
  sql::change_batch ingest(source_reader& s, std::vector<record> records) {
    sql::change_batch out;
    s.ingest(records, out);
    return out;
  }
  static record event(int partition, std::int64_t ts_ms) {
    static std::deque<std::string> texts;  // keeps the views valid (a deque never moves its elements)
    texts.push_back("{\"ts\": " + std::to_string(ts_ms) + "}");
    return record{partition, std::nullopt, std::string_view(texts.back())};
  }

  fake_clock clock;
  diagnostics diag;
  std::vector<dead_letter> dead;
  std::vector<late_event> late;
};

TEST_F(SourceTest, MalformedRecordsGoToDeadLettersAndTheRestFlows) {
  auto s = make(events_info());
  std::string bad = "{not json";
  std::string good = R"({"ts": 1000, "n": 1})";
  auto out = ingest(*s, {{0, std::nullopt, bad}, {0, std::nullopt, good}, {0, std::nullopt, R"({"n": 2})"}});
  EXPECT_EQ(out.size(), 1u);
  ASSERT_EQ(dead.size(), 2u);
  EXPECT_EQ(dead[0].payload, bad);
  EXPECT_NE(dead[0].error.find("invalid JSON"), std::string::npos);
  EXPECT_EQ(dead[1].error, "the event time column is NULL");
  EXPECT_EQ(diag.dead_letters(), 2u);
}

TEST_F(SourceTest, WatermarkIsMinimumOverPartitionsMinusDelay) {
  auto s = make(events_info());
  s->declare_partitions(2);
  ingest(*s, {event(0, 20'000)});
  EXPECT_EQ(s->advance_watermark(), no_watermark);  // partition 1 has not spoken yet
  ingest(*s, {event(1, 12'000)});
  EXPECT_EQ(s->advance_watermark(), 7 * sec);  // min(20, 12) - 5
  ingest(*s, {event(1, 30'000)});
  EXPECT_EQ(s->advance_watermark(), 15 * sec);
  ingest(*s, {event(0, 10'000)});  // before the watermark: late, does not move it back
  EXPECT_EQ(s->advance_watermark(), 15 * sec);
  ASSERT_EQ(late.size(), 1u);
  EXPECT_EQ(late[0].event_time, 10 * sec);
  EXPECT_EQ(late[0].partition, 0);
  EXPECT_NE(late[0].reason.find("before the watermark"), std::string::npos);
}

TEST_F(SourceTest, EventTimeProgressSurvivesARestore) {
  auto store = make_memory_store();
  auto before = make(events_info());
  before->declare_partitions(2);
  ingest(*before, {event(0, 20'000), event(1, 30'000)});
  EXPECT_EQ(before->advance_watermark(), 15 * sec);  // min(20, 30) - 5
  write_batch wb;
  before->flush(wb);
  ASSERT_TRUE(store->write(wb));

  auto after = make(events_info());
  ASSERT_TRUE(after->restore(*store));
  EXPECT_EQ(after->advance_watermark(), 15 * sec);
  // Judged as before the restart: behind the watermark is late, and partition 1's progress counts.
  ingest(*after, {event(0, 10'000)});
  ASSERT_EQ(late.size(), 1u);
  ingest(*after, {event(0, 40'000)});
  EXPECT_EQ(after->advance_watermark(), 25 * sec);  // min(40, 30) - 5
}

TEST_F(SourceTest, LatenessDoesNotDependOnBatching) {
  auto one_batch = make(events_info());
  ingest(*one_batch, {event(0, 100'000), event(0, 10'000)});
  auto two_batches = make(events_info());
  ingest(*two_batches, {event(0, 100'000)});
  ingest(*two_batches, {event(0, 10'000)});
  ASSERT_EQ(late.size(), 2u);  // the event 90 s behind is late both times
  EXPECT_EQ(late[0].event_time, 10 * sec);
  EXPECT_EQ(late[1].event_time, 10 * sec);
}

TEST_F(SourceTest, IdlePartitionStopsHoldingTheWatermarkBack) {
  auto s = make(events_info());
  ingest(*s, {event(0, 10'000), event(1, 50'000)});
  EXPECT_EQ(s->advance_watermark(), 5 * sec);
  clock.now += std::chrono::milliseconds(600);
  ingest(*s, {event(1, 60'000)});
  EXPECT_EQ(s->advance_watermark(), 5 * sec);
  clock.now += std::chrono::milliseconds(400);  // partition 0 silent for 1 s: idle
  EXPECT_EQ(s->advance_watermark(), 55 * sec);
  ingest(*s, {event(0, 56'000)});  // active again, not late, but the watermark never goes back
  EXPECT_EQ(s->advance_watermark(), 55 * sec);
  EXPECT_TRUE(late.empty());
}

TEST_F(SourceTest, AllowedLatenessKeepsSlightlyLateEvents) {
  auto s = make(events_info(), 3 * sec);
  ingest(*s, {event(0, 20'000)});
  EXPECT_EQ(s->advance_watermark(), 12 * sec);  // 20 - 5 delay - 3 lateness
  EXPECT_EQ(ingest(*s, {event(0, 13'000), event(0, 11'000)}).size(), 1u);
  EXPECT_EQ(late.size(), 1u);
}

TEST_F(SourceTest, TableUpsertsByPrimaryKeyAndTombstonesDelete) {
  sql::relation_info info;
  info.name = "customers";
  info.kind = sql::relation_kind::table;
  info.columns = columns({{"id", data_type::bigint}, {"name", data_type::text}});
  info.primary_key = {0};
  auto s = make(info);
  auto out = ingest(*s, {{0, "1", R"({"id": 1, "name": "ann"})"}, {0, "2", R"({"id": 2, "name": "bo"})"}});
  EXPECT_EQ(batch_text(out), (std::vector<std::string>{"+1(1, 'ann')", "+1(2, 'bo')"}));
  out = ingest(*s, {{0, "1", R"({"id": 1, "name": "anne"})"}, {0, "2", R"({"id": 2, "name": "bo"})"}});
  EXPECT_EQ(batch_text(out), (std::vector<std::string>{"+1(1, 'anne')", "-1(1, 'ann')"}));
  out = ingest(*s, {{0, "{\"id\": 1}", std::nullopt}, {0, "\"2\"", std::nullopt}, {0, "3", std::nullopt}});
  EXPECT_EQ(batch_text(out), (std::vector<std::string>{"-1(1, 'anne')", "-1(2, 'bo')"}));
  // The key fills in a primary key the value leaves out.
  out = ingest(*s, {{0, "5", R"({"name": "cy"})"}, {0, std::nullopt, std::nullopt}});
  EXPECT_EQ(batch_text(out), (std::vector<std::string>{"+1(5, 'cy')"}));
  EXPECT_EQ(dead.size(), 1u);  // the tombstone without a key
  EXPECT_EQ(s->advance_watermark(), end_of_time);
  write_batch wb;
  s->flush(wb);
  EXPECT_EQ(wb.ops().size(), 4u);  // keys 1, 2, 3 (a tombstone for an absent key erases nothing) and 5
}

}  // namespace
}  // namespace sluice::stream
