#include "stream/aggregate.h"

#include <gtest/gtest.h>

#include "sql/numeric.h"
#include "stream/grouping_sets.h"
#include "stream/test_util.h"

namespace sluice::stream {
namespace {

using namespace testing;
using sql::aggregate_fn;
using sql::data_type;

class AggregateTest : public ::testing::Test {
 protected:
  sql::change_batch run(sql::change_batch in) {
    sql::change_batch out;
    op->on_changes(0, in, out);
    return out;
  }
  diagnostics diag;
  std::unique_ptr<aggregate_operator> op;
};

// Input rows: (group, x).
TEST_F(AggregateTest, MinMaxSurviveDeletesOfTheExtremes) {
  op = std::make_unique<aggregate_operator>(
      std::vector<sql::expr>{col(0)},
      std::vector<sql::aggregate_call>{agg(aggregate_fn::min, {col(1)}), agg(aggregate_fn::max, {col(1)}),
                                       agg(aggregate_fn::count_star, {})},
      state_prefix(1), &diag);
  EXPECT_EQ(batch_text(run({{{I(1), I(5)}, 1}, {{I(1), I(3)}, 1}, {{I(1), I(9)}, 1}, {{I(1), I(3)}, 1}})),
            (std::vector<std::string>{"+1(1, 3, 9, 4)"}));
  // Deleting one of two 3s keeps the minimum.
  EXPECT_EQ(batch_text(run({{{I(1), I(3)}, -1}})),
            (std::vector<std::string>{"+1(1, 3, 9, 3)", "-1(1, 3, 9, 4)"}));
  EXPECT_EQ(batch_text(run({{{I(1), I(3)}, -1}, {{I(1), I(9)}, -1}})),
            (std::vector<std::string>{"+1(1, 5, 5, 1)", "-1(1, 3, 9, 3)"}));
  // The last row goes: the group disappears.
  EXPECT_EQ(batch_text(run({{{I(1), I(5)}, -1}})), (std::vector<std::string>{"-1(1, 5, 5, 1)"}));
}

// Input rows: (group, name). Values leave the text as their rows are retracted; DISTINCT lists each once.
TEST_F(AggregateTest, StringAggFollowsRetractions) {
  sql::aggregate_call names = agg(aggregate_fn::string_agg, {col(1, data_type::text)}, data_type::text);
  names.separator = ",";
  sql::aggregate_call distinct_desc = names;
  distinct_desc.distinct = true;
  distinct_desc.descending = true;
  op = std::make_unique<aggregate_operator>(std::vector<sql::expr>{col(0)},
                                            std::vector<sql::aggregate_call>{names, distinct_desc},
                                            state_prefix(1), &diag);
  EXPECT_EQ(batch_text(run({{{I(1), T("bo")}, 1}, {{I(1), T("ann")}, 1}, {{I(1), T("bo")}, 1}})),
            (std::vector<std::string>{"+1(1, 'ann,bo,bo', 'bo,ann')"}));
  EXPECT_EQ(batch_text(run({{{I(1), T("bo")}, -1}, {{I(1), N()}, 1}})),
            (std::vector<std::string>{"+1(1, 'ann,bo', 'bo,ann')", "-1(1, 'ann,bo,bo', 'bo,ann')"}));
  EXPECT_EQ(batch_text(run({{{I(1), T("ann")}, -1}, {{I(1), T("bo")}, -1}})),
            (std::vector<std::string>{"+1(1, NULL, NULL)", "-1(1, 'ann,bo', 'bo,ann')"}));
}

TEST_F(AggregateTest, CountSumAvgIgnoreNullsAndRetract) {
  op = std::make_unique<aggregate_operator>(
      std::vector<sql::expr>{col(0)},
      std::vector<sql::aggregate_call>{agg(aggregate_fn::count, {col(1)}), agg(aggregate_fn::sum, {col(1)}),
                                       agg(aggregate_fn::avg, {col(1)}, data_type::double_precision),
                                       agg(aggregate_fn::count, {col(1)}, data_type::bigint, true)},
      state_prefix(1), &diag);
  EXPECT_EQ(batch_text(run({{{I(1), I(2)}, 1}, {{I(1), I(4)}, 1}, {{I(1), N()}, 1}, {{I(1), I(4)}, 1}})),
            (std::vector<std::string>{"+1(1, 3, 10, 3.3333333333333335, 2)"}));
  EXPECT_EQ(batch_text(run({{{I(1), I(2)}, -1}, {{I(1), I(4)}, -2}})),
            (std::vector<std::string>{"+1(1, 0, NULL, NULL, 0)", "-1(1, 3, 10, 3.3333333333333335, 2)"}));
}

TEST_F(AggregateTest, VarianceAndBooleans) {
  op = std::make_unique<aggregate_operator>(
      std::vector<sql::expr>{},
      std::vector<sql::aggregate_call>{
          agg(aggregate_fn::var_samp, {col(1)}, data_type::double_precision),
          agg(aggregate_fn::stddev_pop, {col(1)}, data_type::double_precision),
          agg(aggregate_fn::bool_and, {gt(col(1), lit(I(1)))}, data_type::boolean),
          agg(aggregate_fn::bool_or, {gt(col(1), lit(I(3)))}, data_type::boolean)},
      state_prefix(1), &diag);
  sql::change_batch start;
  op->on_start(start);
  EXPECT_EQ(batch_text(start), (std::vector<std::string>{"+1(NULL, NULL, NULL, NULL)"}));
  auto out = run({{{I(0), I(2)}, 1}, {{I(0), I(4)}, 1}, {{I(0), I(6)}, 1}, {{I(0), I(1)}, 1}});
  EXPECT_EQ(batch_text(out), (std::vector<std::string>{"+1(4.916666666666667, 1.920286436967152, f, t)",
                                                       "-1(NULL, NULL, NULL, NULL)"}));
  out = run({{{I(0), I(1)}, -1}, {{I(0), I(6)}, -1}});
  EXPECT_EQ(batch_text(out),
            (std::vector<std::string>{"+1(2, 1, t, t)", "-1(4.916666666666667, 1.920286436967152, f, t)"}));
}

TEST_F(AggregateTest, GlobalAggregateKeepsItsRowWhenEmpty) {
  op = std::make_unique<aggregate_operator>(
      std::vector<sql::expr>{}, std::vector<sql::aggregate_call>{agg(aggregate_fn::count_star, {})},
      state_prefix(1), &diag);
  sql::change_batch start;
  op->on_start(start);
  EXPECT_EQ(batch_text(start), (std::vector<std::string>{"+1(0)"}));
  EXPECT_EQ(batch_text(run({{{I(1)}, 1}})), (std::vector<std::string>{"+1(1)", "-1(0)"}));
  EXPECT_EQ(batch_text(run({{{I(1)}, -1}})), (std::vector<std::string>{"+1(0)", "-1(1)"}));
}

TEST_F(AggregateTest, GlobalAggregateRestoredBeforeAnyInputKeepsItsGroup) {
  auto store = make_memory_store();
  auto make = [&] {
    return std::make_unique<aggregate_operator>(
        std::vector<sql::expr>{}, std::vector<sql::aggregate_call>{agg(aggregate_fn::count_star, {})},
        state_prefix(1), &diag);
  };
  op = make();
  sql::change_batch start;
  op->on_start(start);
  write_batch wb;
  op->flush(wb);
  ASSERT_TRUE(store->write(wb));
  op = make();
  ASSERT_TRUE(op->restore(*store));
  EXPECT_EQ(batch_text(run({{{I(1)}, 1}})), (std::vector<std::string>{"+1(1)", "-1(0)"}));
}

TEST_F(AggregateTest, UnchangedResultEmitsNothing) {
  op = std::make_unique<aggregate_operator>(
      std::vector<sql::expr>{col(0)}, std::vector<sql::aggregate_call>{agg(aggregate_fn::max, {col(1)})},
      state_prefix(1), &diag);
  run({{{I(1), I(9)}, 1}});
  EXPECT_TRUE(run({{{I(1), I(2)}, 1}}).empty());
}

TEST_F(AggregateTest, StateRestoresFromTheStore) {
  auto make = [&] {
    return std::make_unique<aggregate_operator>(
        std::vector<sql::expr>{col(0)},
        std::vector<sql::aggregate_call>{agg(aggregate_fn::min, {col(1)}), agg(aggregate_fn::sum, {col(1)})},
        state_prefix(1), &diag);
  };
  auto store = make_memory_store();
  op = make();
  run({{{I(1), I(5)}, 1}, {{I(1), I(3)}, 1}, {{I(2), I(7)}, 1}, {{I(2), I(7)}, -1}});
  write_batch wb;
  op->flush(wb);
  ASSERT_TRUE(store->write(wb));
  op = make();
  ASSERT_TRUE(op->restore(*store));
  EXPECT_EQ(batch_text(run({{{I(1), I(3)}, -1}})), (std::vector<std::string>{"+1(1, 5, 5)", "-1(1, 3, 8)"}));
}

// Input rows: (group, price numeric). Sums stay exact under retractions and across a restore, and
// avg divides them as Postgres's numeric avg does.
TEST_F(AggregateTest, NumericSumAndAvgAreExactThroughRetractionsAndRestores) {
  auto num = [](const char* text) { return sql::value::numeric_of(sql::numeric_from_text(text)); };
  auto make = [&] {
    sql::expr price = col(1, data_type::numeric);
    return std::make_unique<aggregate_operator>(
        std::vector<sql::expr>{col(0)},
        std::vector<sql::aggregate_call>{agg(aggregate_fn::sum, {price}, data_type::numeric),
                                         agg(aggregate_fn::avg, {price}, data_type::numeric),
                                         agg(aggregate_fn::sum, {price}, data_type::numeric, true),
                                         agg(aggregate_fn::max, {price}, data_type::numeric)},
        state_prefix(1), &diag);
  };
  op = make();
  EXPECT_EQ(batch_text(run({{{I(1), num("0.10")}, 1}, {{I(1), num("0.20")}, 1}, {{I(1), num("0.10")}, 1}})),
            (std::vector<std::string>{"+1(1, 0.40, 0.13333333333333333333, 0.30, 0.20)"}));
  EXPECT_EQ(batch_text(run({{{I(1), num("0.20")}, -1}})),
            (std::vector<std::string>{"+1(1, 0.20, 0.10000000000000000000, 0.10, 0.10)",
                                      "-1(1, 0.40, 0.13333333333333333333, 0.30, 0.20)"}));
  auto store = make_memory_store();
  write_batch wb;
  op->flush(wb);
  ASSERT_TRUE(store->write(wb));
  op = make();
  ASSERT_TRUE(op->restore(*store));
  EXPECT_EQ(batch_text(run({{{I(1), num("1.005")}, 1}})),
            (std::vector<std::string>{"+1(1, 1.205, 0.40166666666666666667, 1.105, 1.005)",
                                      "-1(1, 0.20, 0.10000000000000000000, 0.10, 0.10)"}));
}

// Over insert-only input min and max keep only the extreme: results match the multiset's, the
// stored group holds one value per call, and a restored group goes on from it.
TEST_F(AggregateTest, InsertOnlyMinMaxKeepOnlyTheExtreme) {
  auto make = [&] {
    return std::make_unique<aggregate_operator>(
        std::vector<sql::expr>{col(0)},
        std::vector<sql::aggregate_call>{agg(aggregate_fn::min, {col(1)}), agg(aggregate_fn::max, {col(1)}),
                                         agg(aggregate_fn::count, {col(1)}, data_type::bigint, true)},
        state_prefix(1), &diag, /*input_only_inserts=*/true);
  };
  auto store = make_memory_store();
  op = make();
  EXPECT_EQ(batch_text(run({{{I(1), I(5)}, 1}, {{I(1), I(3)}, 1}, {{I(1), N()}, 1}, {{I(1), I(9)}, 2}})),
            (std::vector<std::string>{"+1(1, 3, 9, 3)"}));
  EXPECT_EQ(batch_text(run({{{I(1), I(4)}, 1}, {{I(1), I(3)}, 1}})),
            (std::vector<std::string>{"+1(1, 3, 9, 4)", "-1(1, 3, 9, 3)"}));
  write_batch wb;
  op->flush(wb);
  ASSERT_TRUE(store->write(wb));
  // One group entry, whose multisets hold min and max alone (the DISTINCT count keeps all four).
  std::size_t entries = 0;
  std::string stored;
  ASSERT_TRUE(store->scan_prefix(state_prefix(1), [&](std::string_view, std::string_view v) {
    ++entries;
    stored = v;
    return true;
  }));
  EXPECT_EQ(entries, 1U);
  group_state state;
  ASSERT_TRUE(aggregate_functions({agg(aggregate_fn::min, {col(1)}), agg(aggregate_fn::max, {col(1)}),
                                   agg(aggregate_fn::count, {col(1)}, data_type::bigint, true)})
                  .deserialize(stored, state));
  EXPECT_EQ(state.accs[0].values.size(), 1U);
  EXPECT_EQ(state.accs[1].values.size(), 1U);
  EXPECT_EQ(state.accs[2].values.size(), 4U);
  op = make();
  ASSERT_TRUE(op->restore(*store));
  EXPECT_EQ(batch_text(run({{{I(1), I(1)}, 1}, {{I(1), I(12)}, 1}})),
            (std::vector<std::string>{"+1(1, 1, 12, 6)", "-1(1, 3, 9, 4)"}));
  EXPECT_TRUE(run({{{I(1), I(9)}, 1}, {{I(1), I(12)}, 1}}).empty());
}

// A group with many distinct values: a flush after a small batch writes the group's running fields
// and the multiset entries that batch changed, and nothing else; a restore reads both back.
TEST_F(AggregateTest, FlushWritesOnlyTheChangedDistinctValues) {
  scoped_inline_values_limit limit(64);
  auto make = [&] {
    return std::make_unique<aggregate_operator>(
        std::vector<sql::expr>{col(0)},
        std::vector<sql::aggregate_call>{agg(aggregate_fn::count, {col(1)}, data_type::bigint, true),
                                         agg(aggregate_fn::sum, {col(1)}, data_type::bigint, true),
                                         agg(aggregate_fn::max, {col(1)}), agg(aggregate_fn::count_star, {})},
        state_prefix(1), &diag);
  };
  auto store = make_memory_store();
  op = make();
  sql::change_batch in;
  for (std::int64_t x = 0; x < 1000; ++x) in.push_back({{I(1), I(x)}, 1});
  EXPECT_EQ(batch_text(run(std::move(in))), (std::vector<std::string>{"+1(1, 1000, 499500, 999, 1000)"}));
  write_batch first;
  op->flush(first);
  EXPECT_EQ(first.ops().size(), 1u + 3 * 1000);  // the group, then each value of three multisets
  ASSERT_TRUE(store->write(first));

  // A new value, a value deleted and a value's weight raised: three entries per multiset change.
  EXPECT_EQ(batch_text(run({{{I(1), I(1000)}, 1}, {{I(1), I(5)}, -1}, {{I(1), I(7)}, 1}})),
            (std::vector<std::string>{"+1(1, 1000, 500495, 1000, 1001)", "-1(1, 1000, 499500, 999, 1000)"}));
  write_batch second;
  op->flush(second);
  std::size_t puts = 0, erases = 0;
  for (const write_batch::op& o : second.ops()) (o.value ? puts : erases) += 1;
  EXPECT_EQ(puts, 1u + 3 * 2);  // the group; 1000 and 7 in each multiset
  EXPECT_EQ(erases, 3u);        // 5 in each multiset
  ASSERT_TRUE(store->write(second));
  write_batch idle;
  op->flush(idle);
  EXPECT_TRUE(idle.empty());

  op = make();
  ASSERT_TRUE(op->restore(*store));
  EXPECT_EQ(batch_text(run({{{I(1), I(1000)}, -1}, {{I(1), I(7)}, -1}})),
            (std::vector<std::string>{"+1(1, 999, 499495, 999, 999)", "-1(1, 1000, 500495, 1000, 1001)"}));
  EXPECT_EQ(batch_text(run({{{I(1), I(7)}, -1}})),
            (std::vector<std::string>{"+1(1, 998, 499488, 999, 998)", "-1(1, 999, 499495, 999, 999)"}));
}

// Small multisets stay in the group's value (one write per flush); a group that grew past the limit
// and then lost all its rows leaves no entry behind, even when it comes back before the flush.
TEST_F(AggregateTest, SmallMultisetsStayInlineAndLargeOnesLeaveNoEntriesBehind) {
  scoped_inline_values_limit limit(64);
  auto make = [&] {
    return std::make_unique<aggregate_operator>(
        std::vector<sql::expr>{col(0)},
        std::vector<sql::aggregate_call>{agg(aggregate_fn::count, {col(1)}, data_type::bigint, true)},
        state_prefix(1), &diag);
  };
  auto store = make_memory_store();
  auto flush = [&] {
    write_batch wb;
    op->flush(wb);
    EXPECT_TRUE(store->write(wb));
    return wb.ops().size();
  };
  auto stored = [&] {
    std::size_t n = 0;
    EXPECT_TRUE(
        store->scan_prefix(state_prefix(1), [&](std::string_view, std::string_view) { return ++n, true; }));
    return n;
  };
  op = make();
  run({{{I(1), I(1)}, 1}, {{I(1), I(2)}, 1}, {{I(1), I(3)}, 1}});
  EXPECT_EQ(flush(), 1u);
  sql::change_batch many, none;
  for (std::int64_t x = 0; x < 100; ++x) many.push_back({{I(2), I(x)}, 1});
  for (std::int64_t x = 0; x < 100; ++x) none.push_back({{I(2), I(x)}, -1});
  run(many);
  EXPECT_EQ(flush(), 1u + 100);
  EXPECT_EQ(stored(), 2u + 100);
  run(none);
  run({{{I(2), I(7)}, 1}});  // the group again, small
  flush();
  EXPECT_EQ(stored(), 2u);
  op = make();
  ASSERT_TRUE(op->restore(*store));
  EXPECT_EQ(batch_text(run({{{I(1), I(4)}, 1}, {{I(2), I(8)}, 1}})),
            (std::vector<std::string>{"+1(1, 4)", "+1(2, 2)", "-1(1, 3)", "-1(2, 1)"}));
}

// State written before multisets had their own entries (the group key right after the prefix) is
// refused rather than read as an empty operator.
TEST_F(AggregateTest, OlderStateFormatIsRefused) {
  auto store = make_memory_store();
  std::string key = state_prefix(1);
  append_row(key, {I(1)});
  ASSERT_TRUE(store->put(key, "x"));
  op = std::make_unique<aggregate_operator>(
      std::vector<sql::expr>{col(0)}, std::vector<sql::aggregate_call>{agg(aggregate_fn::count_star, {})},
      state_prefix(1), &diag);
  auto restored = op->restore(*store);
  ASSERT_FALSE(restored);
  EXPECT_EQ(restored.error().code, errc::corruption);
}

// ROLLUP (g): rows (g, x) expanded into sets {g} (0) and {} (1), then grouped by (g', set). The
// grand total's group exists without rows; every set follows a retraction.
TEST_F(AggregateTest, GroupingSetsFollowRetractions) {
  grouping_sets_operator expand({col(0)}, {{0}, {}}, &diag);
  op = std::make_unique<aggregate_operator>(
      std::vector<sql::expr>{col(2), col(3)},
      std::vector<sql::aggregate_call>{agg(aggregate_fn::sum, {col(1)}), agg(aggregate_fn::mode, {col(1)})},
      state_prefix(1), &diag, false, std::vector<sql::row>{{N(), I(1)}});
  auto through = [&](sql::change_batch in) {
    sql::change_batch expanded;
    expand.on_changes(0, in, expanded);
    return run(std::move(expanded));
  };
  sql::change_batch start;
  op->on_start(start);
  EXPECT_EQ(batch_text(start), (std::vector<std::string>{"+1(NULL, 1, NULL, NULL)"}));
  EXPECT_EQ(batch_text(through({{{I(1), I(5)}, 1}, {{I(2), I(5)}, 1}, {{I(1), I(3)}, 1}})),
            (std::vector<std::string>{"+1(1, 0, 8, 3)", "+1(2, 0, 5, 5)", "+1(NULL, 1, 13, 5)",
                                      "-1(NULL, 1, NULL, NULL)"}));
  EXPECT_EQ(batch_text(through({{{I(2), I(5)}, -1}})),
            (std::vector<std::string>{"+1(NULL, 1, 8, 3)", "-1(2, 0, 5, 5)", "-1(NULL, 1, 13, 5)"}));
  EXPECT_EQ(batch_text(through({{{I(1), I(5)}, -1}, {{I(1), I(3)}, -1}})),
            (std::vector<std::string>{"+1(NULL, 1, NULL, NULL)", "-1(1, 0, 8, 3)", "-1(NULL, 1, 8, 3)"}));
}

}  // namespace
}  // namespace sluice::stream
