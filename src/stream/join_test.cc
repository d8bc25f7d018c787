#include "stream/join.h"

#include <gtest/gtest.h>

#include "stream/test_util.h"

namespace sluice::stream {
namespace {

using namespace testing;

// orders(id, customer_id) JOIN customers(id, name) ON o.customer_id = c.id
class JoinTest : public ::testing::Test {
 protected:
  void make(sql::join_type type, sql::expr residual = lit(B(true))) {
    join_spec spec{type, {col(1)}, {col(0)}, std::move(residual), 2};
    op = std::make_unique<join_operator>(std::move(spec), state_prefix(1), &diag);
  }
  std::vector<std::string> orders(sql::change_batch in) { return push(0, std::move(in)); }
  std::vector<std::string> customers(sql::change_batch in) { return push(1, std::move(in)); }
  std::vector<std::string> push(int port, sql::change_batch in) {
    sql::change_batch out;
    op->on_changes(port, in, out);
    return batch_text(out);
  }
  using v = std::vector<std::string>;
  diagnostics diag;
  std::unique_ptr<join_operator> op;
};

TEST_F(JoinTest, InnerJoinFollowsCustomerUpdatesAndDeletes) {
  make(sql::join_type::inner);
  EXPECT_EQ(orders({{{I(1), I(10)}, 1}}), v{});  // no customer yet
  EXPECT_EQ(customers({{{I(10), T("ann")}, 1}}), v{"+1(1, 10, 10, 'ann')"});
  EXPECT_EQ(orders({{{I(2), I(10)}, 1}, {{I(3), I(11)}, 1}}), v{"+1(2, 10, 10, 'ann')"});
  // The table side updates: −old, +new for every order of that customer.
  EXPECT_EQ(
      customers({{{I(10), T("ann")}, -1}, {{I(10), T("anne")}, 1}}),
      (v{"+1(1, 10, 10, 'anne')", "+1(2, 10, 10, 'anne')", "-1(1, 10, 10, 'ann')", "-1(2, 10, 10, 'ann')"}));
  EXPECT_EQ(customers({{{I(10), T("anne")}, -1}}), (v{"-1(1, 10, 10, 'anne')", "-1(2, 10, 10, 'anne')"}));
  EXPECT_EQ(orders({{{I(3), I(11)}, -1}}), v{});
}

TEST_F(JoinTest, LeftJoinPadsUnmatchedRowsAndRetractsThePadding) {
  make(sql::join_type::left);
  EXPECT_EQ(orders({{{I(1), I(10)}, 1}}), v{"+1(1, 10, NULL, NULL)"});
  EXPECT_EQ(customers({{{I(10), T("ann")}, 1}}), (v{"+1(1, 10, 10, 'ann')", "-1(1, 10, NULL, NULL)"}));
  // An update keeps one match at every step: no padding flickers out.
  EXPECT_EQ(customers({{{I(10), T("ann")}, -1}, {{I(10), T("bo")}, 1}}),
            (v{"+1(1, 10, 10, 'bo')", "-1(1, 10, 10, 'ann')"}));
  EXPECT_EQ(customers({{{I(10), T("bo")}, -1}}), (v{"+1(1, 10, NULL, NULL)", "-1(1, 10, 10, 'bo')"}));
  EXPECT_EQ(orders({{{I(1), I(10)}, -1}}), v{"-1(1, 10, NULL, NULL)"});
}

TEST_F(JoinTest, NullKeysNeverMatch) {
  make(sql::join_type::left);
  EXPECT_EQ(customers({{{N(), T("nobody")}, 1}}), v{});
  EXPECT_EQ(orders({{{I(1), N()}, 1}}), v{"+1(1, NULL, NULL, NULL)"});
}

TEST_F(JoinTest, ResidualConditionFiltersMatches) {
  make(sql::join_type::left, gt(col(0), lit(I(5))));  // o.id > 5
  EXPECT_EQ(customers({{{I(10), T("ann")}, 1}}), v{});
  EXPECT_EQ(orders({{{I(1), I(10)}, 1}, {{I(7), I(10)}, 1}}),
            (v{"+1(1, 10, NULL, NULL)", "+1(7, 10, 10, 'ann')"}));
  EXPECT_EQ(customers({{{I(10), T("ann")}, -1}}), (v{"+1(7, 10, NULL, NULL)", "-1(7, 10, 10, 'ann')"}));
}

TEST_F(JoinTest, StateIsWrittenAtFlush) {
  make(sql::join_type::inner);
  orders({{{I(1), I(10)}, 1}});
  customers({{{I(10), T("ann")}, 1}});
  write_batch wb;
  op->flush(wb);
  EXPECT_EQ(wb.ops().size(), 2u);
  customers({{{I(10), T("ann")}, -1}});
  wb.clear();
  op->flush(wb);
  ASSERT_EQ(wb.ops().size(), 1u);
  EXPECT_FALSE(wb.ops()[0].value.has_value());
}

}  // namespace
}  // namespace sluice::stream
