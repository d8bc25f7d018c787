#include "stream/window_aggregate.h"

#include <gtest/gtest.h>

#include "stream/test_util.h"

namespace sluice::stream {
namespace {

using namespace testing;
using sql::aggregate_fn;

// Input rows: (event time, key, x). Output: window_start, window_end, key, count(*), sum(x).
std::unique_ptr<window_aggregate_operator> make(sql::window_spec w, diagnostics* diag) {
  std::vector<window_key> keys(3);
  keys[0].source = window_key::kind::window_start;
  keys[1].source = window_key::kind::window_end;
  keys[2].e = col(1);
  return std::make_unique<window_aggregate_operator>(
      w, sql::data_type::timestamp, std::move(keys),
      std::vector<sql::aggregate_call>{agg(aggregate_fn::count_star, {}), agg(aggregate_fn::sum, {col(2)})},
      state_prefix(1), diag);
}

sql::change_batch feed(stream_operator& op, sql::change_batch in) {
  sql::change_batch out;
  op.on_changes(0, in, out);
  return out;
}

sql::change_batch at(stream_operator& op, std::int64_t watermark) {
  sql::change_batch out;
  op.on_watermark(watermark, out);
  return out;
}

std::string ts(std::int64_t s) { return TS(s * sec).to_text(); }

TEST(WindowAggregate, TumbleEmitsExactlyWhenTheWatermarkReachesTheEnd) {
  diagnostics diag;
  auto op = make({sql::window_kind::tumble, 0, 10 * sec, 10 * sec, 0}, &diag);
  EXPECT_TRUE(feed(*op, {{{TS(1 * sec), T("a"), I(1)}, 1},
                         {{TS(9 * sec), T("a"), I(2)}, 1},
                         {{TS(5 * sec), T("b"), I(4)}, 1},
                         {{TS(12 * sec), T("a"), I(8)}, 1}})
                  .empty());
  EXPECT_TRUE(at(*op, 10 * sec - 1).empty());
  auto out = at(*op, 10 * sec);
  EXPECT_EQ(batch_text(out), (std::vector<std::string>{"+1('" + ts(0) + "', '" + ts(10) + "', 'a', 2, 3)",
                                                       "+1('" + ts(0) + "', '" + ts(10) + "', 'b', 1, 4)"}));
  EXPECT_TRUE(at(*op, 15 * sec).empty());  // each window once
  EXPECT_EQ(batch_text(at(*op, 20 * sec)),
            (std::vector<std::string>{"+1('" + ts(10) + "', '" + ts(20) + "', 'a', 1, 8)"}));
  EXPECT_EQ(op->pane_count(), 0u);
}

TEST(WindowAggregate, RowForAnEmittedWindowIsLate) {
  diagnostics diag;
  std::vector<late_event> late;
  diag.on_late_event = [&](const late_event& e) { late.push_back(e); };
  auto op = make({sql::window_kind::tumble, 0, 10 * sec, 10 * sec, 0}, &diag);
  feed(*op, {{{TS(1 * sec), T("a"), I(1)}, 1}});
  at(*op, 10 * sec);
  feed(*op, {{{TS(2 * sec), T("a"), I(1)}, 1}, {{TS(11 * sec), T("a"), I(1)}, 1}});
  ASSERT_EQ(late.size(), 1u);
  EXPECT_EQ(late[0].event_time, 2 * sec);
  EXPECT_EQ(diag.late_events(), 1u);
}

TEST(WindowAggregate, RetractionsBeforeTheWindowFiresAreNetted) {
  diagnostics diag;
  auto op = make({sql::window_kind::tumble, 0, 10 * sec, 10 * sec, 0}, &diag);
  feed(*op, {{{TS(1 * sec), T("a"), I(1)}, 1}, {{TS(2 * sec), T("b"), I(5)}, 1}});
  feed(*op, {{{TS(1 * sec), T("a"), I(1)}, -1}});
  EXPECT_EQ(batch_text(at(*op, 10 * sec)),
            (std::vector<std::string>{"+1('" + ts(0) + "', '" + ts(10) + "', 'b', 1, 5)"}));
}

// HOP size 10s slide 2s: panes of 2s; each row updates one pane, each window merges 5 panes.
TEST(WindowAggregate, HopCombinesPerSlidePartials) {
  diagnostics diag;
  auto op = make({sql::window_kind::hop, 0, 10 * sec, 2 * sec, 0}, &diag);
  sql::change_batch in;
  for (int t = 0; t < 20; ++t) in.push_back({{TS(t * sec), T("k"), I(t)}, 1});
  feed(*op, std::move(in));
  EXPECT_EQ(op->pane_count(), 10u);  // not 20 rows × 5 windows
  auto out = at(*op, 10 * sec);
  // Windows ending at 2, 4, ..., 10 s: [-8,2) .. [0,10).
  EXPECT_EQ(batch_text(out), (std::vector<std::string>{
                                 "+1('" + ts(-8) + "', '" + ts(2) + "', 'k', 2, 1)",
                                 "+1('" + ts(-6) + "', '" + ts(4) + "', 'k', 4, 6)",
                                 "+1('" + ts(-4) + "', '" + ts(6) + "', 'k', 6, 15)",
                                 "+1('" + ts(-2) + "', '" + ts(8) + "', 'k', 8, 28)",
                                 "+1('" + ts(0) + "', '" + ts(10) + "', 'k', 10, 45)",
                             }));
  EXPECT_EQ(op->pane_count(), 9u);  // pane [0,2) is in no unfired window
  out = at(*op, 12 * sec);
  EXPECT_EQ(batch_text(out),
            (std::vector<std::string>{"+1('" + ts(2) + "', '" + ts(12) + "', 'k', 10, 65)"}));
}

TEST(WindowAggregate, HopWithSlideNotDividingSizeUsesGcdPanes) {
  diagnostics diag;
  auto op = make({sql::window_kind::hop, 0, 5 * sec, 2 * sec, 0}, &diag);  // panes of 1 s
  feed(
      *op,
      {{{TS(3 * sec), T("k"), I(1)}, 1}, {{TS(4 * sec), T("k"), I(2)}, 1}, {{TS(5 * sec), T("k"), I(4)}, 1}});
  auto out = at(*op, 8 * sec);
  EXPECT_EQ(batch_text(out), (std::vector<std::string>{"+1('" + ts(0) + "', '" + ts(5) + "', 'k', 2, 3)",
                                                       "+1('" + ts(2) + "', '" + ts(7) + "', 'k', 3, 7)"}));
}

TEST(WindowAggregate, FlushWritesPanesAndErasesFiredOnes) {
  diagnostics diag;
  auto op = make({sql::window_kind::tumble, 0, 10 * sec, 10 * sec, 0}, &diag);
  auto store = make_memory_store();
  feed(*op, {{{TS(1 * sec), T("a"), I(1)}, 1}, {{TS(11 * sec), T("a"), I(1)}, 1}});
  write_batch wb;
  op->flush(wb);
  ASSERT_TRUE(store->write(wb));
  auto count = [&] {
    int n = 0;
    EXPECT_TRUE(store->scan_prefix(state_prefix(1) + "g",
                                   [&](std::string_view, std::string_view) { return ++n, true; }));
    return n;
  };
  EXPECT_EQ(count(), 2);
  at(*op, 10 * sec);
  wb.clear();
  op->flush(wb);
  ASSERT_TRUE(store->write(wb));
  EXPECT_EQ(count(), 1);
}

// Catching up, panes come and go between two flushes: one never written costs no erase, while a pane
// written by an earlier flush is erased when it goes.
TEST(WindowAggregate, PaneDroppedBeforeAnyFlushWritesNothing) {
  diagnostics diag;
  auto op = make({sql::window_kind::hop, 0, 4 * sec, 2 * sec, 0}, &diag);
  feed(*op, {{{TS(1 * sec), T("a"), I(1)}, 1}, {{TS(3 * sec), T("b"), I(1)}, 1}});
  write_batch wb;
  op->flush(wb);
  EXPECT_EQ(wb.ops().size(), 2u);  // panes 0 and 2, one group each
  feed(*op, {{{TS(5 * sec), T("a"), I(1)}, 1}, {{TS(7 * sec), T("c"), I(1)}, 1}});
  EXPECT_EQ(at(*op, 8 * sec).size(), 7u);  // windows from -2, 0, 2 and 4: a; a, b; b, a; a, c
  EXPECT_EQ(op->pane_count(), 1u);         // only the pane at 6 s is left
  wb.clear();
  op->flush(wb);
  // The next window start, erases of the panes at 0 and 2 s, and the pane at 6 s; the pane at 4 s came
  // and went since the last flush.
  ASSERT_EQ(wb.ops().size(), 4u);
  int erased = 0;
  for (const auto& o : wb.ops()) erased += o.value ? 0 : 1;
  EXPECT_EQ(erased, 2);
}

// count(DISTINCT x) per window over more values than a group keeps inline: a flush writes a pane's
// changed multiset entries only, a restored operator reads them back, and a fired pane's entries are
// erased with it.
TEST(WindowAggregate, DistinctValuesAreStoredEntryByEntry) {
  scoped_inline_values_limit limit(64);
  diagnostics diag;
  auto make_distinct = [&] {
    std::vector<window_key> keys(1);
    keys[0].source = window_key::kind::window_start;
    return std::make_unique<window_aggregate_operator>(
        sql::window_spec{sql::window_kind::tumble, 0, 10 * sec, 10 * sec, 0}, sql::data_type::timestamp,
        std::move(keys),
        std::vector<sql::aggregate_call>{agg(aggregate_fn::count, {col(2)}, sql::data_type::bigint, true)},
        state_prefix(1), &diag);
  };
  auto store = make_memory_store();
  auto op = make_distinct();
  sql::change_batch in;
  for (int x = 0; x < 200; ++x) in.push_back({{TS(1 * sec), T("a"), I(x % 100)}, 1});
  feed(*op, std::move(in));
  write_batch wb;
  op->flush(wb);
  EXPECT_EQ(wb.ops().size(), 1u + 100);  // the pane's group and its 100 values (past the inline limit)
  ASSERT_TRUE(store->write(wb));
  feed(*op, {{{TS(2 * sec), T("a"), I(100)}, 1}, {{TS(3 * sec), T("a"), I(0)}, -1}});
  wb.clear();
  op->flush(wb);
  EXPECT_EQ(wb.ops().size(), 3u);  // the group, the new 100, and 0 (weight 2 → 1)
  ASSERT_TRUE(store->write(wb));

  op = make_distinct();
  ASSERT_TRUE(op->restore(*store));
  EXPECT_EQ(batch_text(at(*op, 10 * sec)), (std::vector<std::string>{"+1('" + ts(0) + "', 101)"}));
  wb.clear();
  op->flush(wb);
  EXPECT_EQ(wb.ops().size(), 1u + 1 + 101);  // the first unfired window, the group, its values
  ASSERT_TRUE(store->write(wb));
  int left = 0;
  ASSERT_TRUE(store->scan_prefix(state_prefix(1), [&](std::string_view k, std::string_view) {
    left += k != state_prefix(1) + "m";
    return true;
  }));
  EXPECT_EQ(left, 0);
}

}  // namespace
}  // namespace sluice::stream
