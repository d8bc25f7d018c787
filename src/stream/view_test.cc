#include "stream/view.h"

#include <gtest/gtest.h>

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
