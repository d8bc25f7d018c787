// Stateless operators and consolidation.
#include <gtest/gtest.h>

#include "stream/distinct.h"
#include "stream/filter.h"
#include "stream/project.h"
#include "stream/set_operation.h"
#include "stream/test_util.h"
#include "stream/window_assign.h"

namespace sluice::stream {
namespace {

using namespace testing;

sql::change_batch run(stream_operator& op, sql::change_batch in) {
  sql::change_batch out;
  op.on_changes(0, in, out);
  return out;
}

TEST(Consolidate, SumsWeightsAndDropsZeros) {
  sql::change_batch b = {{{I(1)}, 1}, {{I(2)}, 1}, {{I(1)}, -1}, {{I(3)}, 2}, {{I(3)}, 1}, {{I(4)}, 0}};
  consolidate(b);
  EXPECT_EQ(batch_text(b), (std::vector<std::string>{"+1(2)", "+3(3)"}));
}

TEST(Filter, KeepsMatchingInsertsAndRetractions) {
  diagnostics diag;
  filter_operator f(gt(col(0), lit(I(10))), &diag);
  auto out = run(f, {{{I(5)}, 1}, {{I(11)}, 1}, {{I(12)}, -1}, {{N()}, 1}});
  EXPECT_EQ(batch_text(out), (std::vector<std::string>{"+1(11)", "-1(12)"}));
}

TEST(Filter, DataErrorGoesToDeadLetterAndPipelineGoesOn) {
  diagnostics diag;
  std::vector<dead_letter> letters;
  diag.on_dead_letter = [&](const dead_letter& d) { letters.push_back(d); };
  filter_operator f(gt(div(lit(I(100)), col(0)), lit(I(10))), &diag);
  auto out = run(f, {{{I(0)}, 1}, {{I(5)}, 1}});
  EXPECT_EQ(batch_text(out), (std::vector<std::string>{"+1(5)"}));
  ASSERT_EQ(letters.size(), 1u);
  EXPECT_EQ(letters[0].error, "division by zero");
  EXPECT_EQ(letters[0].payload, "(0)");
  EXPECT_EQ(diag.dead_letters(), 1u);
}

TEST(Project, ComputesExpressionsKeepingWeights) {
  diagnostics diag;
  project_operator p({col(1, sql::data_type::text), add(col(0), lit(I(1)))}, &diag);
  auto out = run(p, {{{I(1), T("a")}, 1}, {{I(2), T("b")}, -2}});
  EXPECT_EQ(batch_text(out), (std::vector<std::string>{"+1('a', 2)", "-2('b', 3)"}));
}

TEST(Project, ColumnPermutationMovesValues) {
  diagnostics diag;
  project_operator p({col(1, sql::data_type::text), col(0)}, &diag);
  auto out = run(p, {{{I(1), T("a")}, 1}});
  EXPECT_EQ(batch_text(out), (std::vector<std::string>{"+1('a', 1)"}));
}

// Columns kept in their order are moved within the input row, wider or narrower than the input.
TEST(Project, KeptColumnsInOrderAreBuiltInTheInputRow) {
  diagnostics diag;
  project_operator narrower({col(0, sql::data_type::text), col(3, sql::data_type::text)}, &diag);
  auto out = run(narrower, {{{T("a"), I(1), I(2), T("d")}, 1}, {{T("e"), I(5), I(6), T("h")}, -1}});
  EXPECT_EQ(batch_text(out), (std::vector<std::string>{"+1('a', 'd')", "-1('e', 'h')"}));
  project_operator wider({col(0, sql::data_type::text), add(col(2), lit(I(1))), col(3, sql::data_type::text),
                          lit(I(7)), add(col(1), lit(I(0)))},
                         &diag);
  out = run(wider, {{{T("a"), I(1), I(2), T("d")}, 2}});
  EXPECT_EQ(batch_text(out), (std::vector<std::string>{"+2('a', 3, 'd', 7, 1)"}));
}

TEST(WindowAssign, TumbleAppendsStartAndEnd) {
  diagnostics diag;
  sql::window_spec w{sql::window_kind::tumble, 0, 10 * sec, 10 * sec, 0};
  window_assign_operator op(w, sql::data_type::timestamp, &diag);
  auto out = run(op, {{{TS(0)}, 1}, {{TS(9 * sec)}, 1}, {{TS(10 * sec)}, -1}, {{TS(-1)}, 1}, {{N()}, 1}});
  EXPECT_EQ(batch_text(out),
            (std::vector<std::string>{
                "+1('1969-12-31 23:59:59.999999', '1969-12-31 23:59:50', '1970-01-01 00:00:00')",
                "+1('1970-01-01 00:00:00', '1970-01-01 00:00:00', '1970-01-01 00:00:10')",
                "+1('1970-01-01 00:00:09', '1970-01-01 00:00:00', '1970-01-01 00:00:10')",
                "-1('1970-01-01 00:00:10', '1970-01-01 00:00:10', '1970-01-01 00:00:20')"}));
  EXPECT_EQ(diag.dead_letters(), 1u);  // NULL event time
}

TEST(WindowAssign, HopPutsARowInEveryWindowContainingIt) {
  std::vector<std::int64_t> starts;
  sql::window_spec w{sql::window_kind::hop, 0, 10 * sec, 3 * sec, 1 * sec};
  for_each_window(w, 11 * sec, [&](std::int64_t s) { starts.push_back(s / sec); });
  EXPECT_EQ(starts, (std::vector<std::int64_t>{4, 7, 10}));  // [4,14) [7,17) [10,20)
  starts.clear();
  for_each_window(w, -5 * sec, [&](std::int64_t s) { starts.push_back(s / sec); });
  EXPECT_EQ(starts, (std::vector<std::int64_t>{-14, -11, -8, -5}));
}

TEST(Distinct, EmitsOnlyWhenPresenceChanges) {
  distinct_operator d(state_prefix(1));
  EXPECT_EQ(batch_text(run(d, {{{I(1)}, 1}, {{I(1)}, 1}, {{I(2)}, 1}})),
            (std::vector<std::string>{"+1(1)", "+1(2)"}));
  EXPECT_TRUE(run(d, {{{I(1)}, -1}}).empty());  // one copy of 1 remains
  EXPECT_EQ(batch_text(run(d, {{{I(1)}, -1}, {{I(2)}, -1}, {{I(3)}, 1}, {{I(3)}, -1}})),
            (std::vector<std::string>{"-1(1)", "-1(2)"}));
  write_batch wb;
  d.flush(wb);
  EXPECT_EQ(wb.ops().size(), 2u);  // rows 1 and 2 touched, both gone; 3 consolidated away
  for (const auto& op : wb.ops()) EXPECT_FALSE(op.value.has_value());
}

// EXCEPT ALL as both sides change, then restored from what it flushed: it goes on from the same counts.
TEST(SetOperation, ExceptAllFollowsBothSidesAndSurvivesARestore) {
  auto store = make_memory_store();
  auto push = [](set_operator& op, int port, sql::change_batch in) {
    sql::change_batch out;
    op.on_changes(port, in, out);
    return batch_text(out);
  };
  using v = std::vector<std::string>;
  set_operator op(sql::set_operation::except_all, state_prefix(1));
  EXPECT_EQ(push(op, 0, {{{I(1)}, 1}, {{I(1)}, 1}, {{I(2)}, 1}}), (v{"+1(2)", "+2(1)"}));
  EXPECT_EQ(push(op, 1, {{{I(1)}, 1}, {{I(3)}, 1}}), (v{"-1(1)"}));  // 3 is only on the right
  write_batch wb;
  op.flush(wb);
  ASSERT_TRUE(store->write(wb));
  set_operator restored(sql::set_operation::except_all, state_prefix(1));
  ASSERT_TRUE(restored.restore(*store));
  EXPECT_EQ(push(restored, 0, {{{I(3)}, 1}}), v{});  // cancelled by the right side's 3
  EXPECT_EQ(push(restored, 1, {{{I(1)}, -1}, {{I(2)}, 1}}), (v{"+1(1)", "-1(2)"}));
  EXPECT_EQ(push(restored, 0, {{{I(1)}, -2}}), (v{"-2(1)"}));
}

TEST(SetOperation, UnionAllPassesBothInputsThrough) {
  union_all_operator op;
  sql::change_batch left = {{{I(1)}, 1}}, right = {{{I(1)}, -1}, {{I(2)}, 1}}, out;
  op.on_changes(0, left, out);
  op.on_changes(1, right, out);
  EXPECT_EQ(batch_text(out), (std::vector<std::string>{"+1(1)", "+1(2)", "-1(1)"}));
}

}  // namespace
}  // namespace sluice::stream
