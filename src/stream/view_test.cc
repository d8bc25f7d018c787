#include "stream/view.h"

#include <gtest/gtest.h>

#include <random>

#include "stream/codec.h"
#include "stream/json_sink.h"
#include "stream/test_util.h"

namespace sluice::stream {
namespace {

using namespace testing;
using sql::data_type;

TEST(View, KeepsMultiplicitiesAndNotifiesConsolidatedBatches) {
  view_sink v(columns({{"k", data_type::bigint}}), state_prefix(0));
  std::vector<sql::change_batch> seen;
  EXPECT_TRUE(v.subscribe([&](const sql::change_batch& b) {
                 seen.push_back(b);
                 return true;
               }).empty());
  sql::change_batch b = {{{I(1)}, 1}, {{I(1)}, 1}, {{I(2)}, 1}, {{I(3)}, 1}, {{I(3)}, -1}};
  v.apply(b);
  EXPECT_EQ(sorted_text(v.snapshot()), (std::vector<std::string>{"(1)", "(1)", "(2)"}));
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(batch_text(seen[0]), (std::vector<std::string>{"+1(2)", "+2(1)"}));
  sql::change_batch nothing = {{{I(4)}, 1}, {{I(4)}, -1}};
  v.apply(nothing);
  EXPECT_EQ(seen.size(), 1u);  // an empty batch is not delivered
  EXPECT_EQ(v.size(), 3u);
}

TEST(View, RowsRestoreFromTheStore) {
  auto store = make_memory_store();
  view_sink v(columns({{"k", data_type::text}}), state_prefix(0));
  sql::change_batch b = {{{T("a")}, 2}, {{T("b")}, 1}};
  v.apply(b);
  sql::change_batch del = {{{T("b")}, -1}};
  v.apply(del);
  write_batch wb;
  v.flush(wb);
  ASSERT_TRUE(store->write(wb));
  view_sink again(columns({{"k", data_type::text}}), state_prefix(0));
  ASSERT_TRUE(again.restore(*store));
  EXPECT_EQ(sorted_text(again.snapshot()), (std::vector<std::string>{"('a')", "('a')"}));
}

TEST(View, AppendOnlyLayoutAppendsRowsToItsLog) {
  auto store = make_memory_store();
  view_sink v(columns({{"k", data_type::text}, {"n", data_type::bigint}}), state_prefix(0), true);
  ASSERT_TRUE(v.start(*store));
  std::vector<sql::change_batch> seen;
  v.subscribe([&](const sql::change_batch& b) {
    seen.push_back(b);
    return true;
  });
  sql::change_batch b = {{{T("a"), I(1)}, 1}, {{T("a"), I(1)}, 1}, {{T("b"), N()}, 2}};
  v.apply(b);
  EXPECT_EQ(v.size(), 4u);
  ASSERT_EQ(seen.size(), 1u);
  write_batch wb;
  v.flush(wb);
  ASSERT_EQ(wb.appends().size(), 1u);  // the arena's new bytes, as they are
  std::string expected;
  for (const sql::row& r :
       {sql::row{T("a"), I(1)}, sql::row{T("a"), I(1)}, sql::row{T("b"), N()}, sql::row{T("b"), N()}})
    append_row(expected, r);
  EXPECT_EQ(wb.appends()[0].bytes, expected);
  ASSERT_EQ(wb.ops().size(), 1u);  // and the log's length as of this flush
  ASSERT_TRUE(store->write(wb));
  wb.clear();
  v.flush(wb);
  EXPECT_TRUE(wb.empty());  // nothing new since the last flush

  view_sink again(v.schema(), state_prefix(0), true);
  ASSERT_TRUE(again.restore(*store));
  EXPECT_EQ(sorted_text(again.snapshot()), sorted_text(v.snapshot()));
  EXPECT_EQ(again.size(), 4u);
}

TEST(View, AppendOnlyLayoutReadsLargeLogsBackAndDropsWhatNoCheckpointCovered) {
  auto store = make_memory_store();
  view_sink v(columns({{"n", data_type::bigint}, {"pad", data_type::text}}), state_prefix(0), true);
  ASSERT_TRUE(v.start(*store));
  sql::change_batch b;  // 12 MB: several 4 MiB steps when the rows are read back
  for (std::int64_t i = 0; i < 40000; ++i) b.push_back({{I(i), T(std::string(300, 'x'))}, 1});
  v.apply(b);
  write_batch wb;
  v.flush(wb);
  ASSERT_EQ(wb.appends().size(), 1u);
  EXPECT_GT(wb.appends()[0].bytes.size(), 12'000'000u);
  ASSERT_TRUE(store->write(wb));
  sql::change_batch retract = {{{I(2000), T(std::string(300, 'x'))}, -1}};
  v.apply(retract);
  wb.clear();
  v.flush(wb);
  EXPECT_TRUE(wb.appends().empty());  // a retraction is a hole key, not log bytes
  ASSERT_TRUE(store->write(wb));
  // Rows appended to the log by a write whose keys never made it (a crash mid-checkpoint).
  sql::change_batch late = {{{I(-1), T("lost")}, 1}};
  v.apply(late);
  wb.clear();
  v.flush(wb);
  ASSERT_TRUE(wb.write_appends());

  view_sink again(v.schema(), state_prefix(0), true);
  ASSERT_TRUE(again.restore(*store));
  EXPECT_EQ(again.size(), 39999u);
  auto rows = sorted_text(again.snapshot());
  EXPECT_EQ(std::count(rows.begin(), rows.end(), "(-1, 'lost')"), 0);
  EXPECT_EQ(std::count(rows.begin(), rows.end(), "(2000, '" + std::string(300, 'x') + "')"), 0);
  sql::change_batch more = {{{I(5000), T("y")}, 1}};  // appends go on where the restored log ends
  again.apply(more);
  wb.clear();
  again.flush(wb);
  ASSERT_TRUE(store->write(wb));
  view_sink third(v.schema(), state_prefix(0), true);
  ASSERT_TRUE(third.restore(*store));
  EXPECT_EQ(third.size(), 40000u);
  EXPECT_EQ(sorted_text(third.snapshot()), sorted_text(again.snapshot()));
}

// A retraction is unusual for an append-only dataflow but must still be exact, before and after a
// flush and across a restore that finds the hole it leaves.
TEST(View, AppendOnlyLayoutAgreesWithTheGeneralOneUnderRandomChanges) {
  for (std::uint64_t seed = 1; seed <= 20; ++seed) {
    std::mt19937_64 rng(seed);
    auto store = make_memory_store();
    sql::schema schema = columns({{"k", data_type::bigint}, {"s", data_type::text}});
    view_sink general(schema, state_prefix(0));
    auto appended = std::make_unique<view_sink>(schema, state_prefix(1), true);
    ASSERT_TRUE(appended->start(*store));
    std::vector<sql::row> present;
    for (int step = 0; step < 60; ++step) {
      sql::change_batch batch;
      for (int i = std::uniform_int_distribution<int>(1, 5)(rng); i > 0; --i) {
        if (!present.empty() && rng() % 3 == 0) {
          std::size_t at = rng() % present.size();
          batch.push_back({present[at], -1});
          present.erase(present.begin() + static_cast<std::ptrdiff_t>(at));
        } else {
          sql::row r = {I(static_cast<std::int64_t>(rng() % 4)), rng() % 2 ? T("x") : N()};
          batch.push_back({r, 1});
          present.push_back(std::move(r));
        }
      }
      sql::change_batch copy = batch;
      general.apply(batch);
      appended->apply(copy);
      if (rng() % 4 == 0) {
        write_batch wb;
        general.flush(wb);
        appended->flush(wb);
        ASSERT_TRUE(store->write(wb));
        if (rng() % 2 == 0) {
          appended = std::make_unique<view_sink>(schema, state_prefix(1), true);
          ASSERT_TRUE(appended->restore(*store));
        }
      }
      ASSERT_EQ(sorted_text(appended->snapshot()), sorted_text(general.snapshot())) << "seed " << seed;
      ASSERT_EQ(appended->size(), present.size());
      ASSERT_EQ(appended->negative_rows(), 0u);
    }
  }
}

TEST(JsonSink, UpdatesBecomeUpsertsAndDeletesTombstones) {
  json_sink_encoder enc(columns({{"customer", data_type::text},
                                 {"total", data_type::bigint},
                                 {"avg", data_type::double_precision},
                                 {"at", data_type::timestamp},
                                 {"ok", data_type::boolean},
                                 {"doc", data_type::jsonb}}),
                        {0});
  sql::change_batch b = {
      {{T("ann"), I(5), D(2.5), TS(0), B(true), sql::value::jsonb("[1]")}, -1},
      {{T("ann"), I(7), D(3.5), TS(0), B(false), N()}, 1},
      {{T("b\"o"), I(1), D(1), TS(0), B(true), N()}, -1},
  };
  auto records = enc.encode(b);
  ASSERT_EQ(records.size(), 2u);
  EXPECT_EQ(records[0].key, R"({"customer":"ann"})");
  EXPECT_EQ(*records[0].value,
            R"({"customer":"ann","total":7,"avg":3.5,"at":"1970-01-01 00:00:00","ok":false,"doc":null})");
  EXPECT_EQ(records[1].key, R"({"customer":"b\"o"})");
  EXPECT_FALSE(records[1].value.has_value());
}

}  // namespace
}  // namespace sluice::stream
