#include "stream/aggregate.h"

#include <gtest/gtest.h>

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

}  // namespace
}  // namespace sluice::stream
