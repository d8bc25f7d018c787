#include "stream/join.h"

#include <gtest/gtest.h>

#include <map>
#include <random>

#include "stream/test_util.h"

namespace sluice::stream {
namespace {

using namespace testing;

// orders(id, customer_id) JOIN customers(id, name) ON o.customer_id = c.id
class JoinTest : public ::testing::Test {
 protected:
  void make(sql::join_type type, sql::expr residual = lit(B(true))) {
    join_spec spec{type, {col(1)}, {col(0)}, std::move(residual), 2, {}, false, 2};
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

// The residual reads the right side's id before the left side's: it is evaluated over just those
// columns, and a pair it fails on is reported whole.
TEST_F(JoinTest, ResidualReadsItsColumnsFromBothSidesAndReportsAFailingPairWhole) {
  make(sql::join_type::inner, gt(col(2), div(lit(I(100)), col(0))));  // c.id > 100 / o.id
  std::vector<dead_letter> letters;
  diag.on_dead_letter = [&](const dead_letter& d) { letters.push_back(d); };
  EXPECT_EQ(customers({{{I(10), T("ann")}, 1}}), v{});
  EXPECT_EQ(orders({{{I(20), I(10)}, 1}, {{I(5), I(10)}, 1}, {{I(0), I(10)}, 1}}),
            v{"+1(20, 10, 10, 'ann')"});
  ASSERT_EQ(letters.size(), 1u);
  EXPECT_EQ(letters[0].relation, "join");
  EXPECT_EQ(letters[0].error, "division by zero");
  EXPECT_EQ(letters[0].payload, "(0, 10, 10, 'ann')");
  EXPECT_EQ(customers({{{I(10), T("ann")}, -1}}), v{"-1(20, 10, 10, 'ann')"});
  EXPECT_EQ(letters.size(), 2u);  // the pair fails again as the customer leaves
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

TEST_F(JoinTest, RightJoinPadsUnmatchedRightRows) {
  make(sql::join_type::right);
  EXPECT_EQ(customers({{{I(10), T("ann")}, 1}}), v{"+1(NULL, NULL, 10, 'ann')"});
  EXPECT_EQ(orders({{{I(1), I(10)}, 1}}), (v{"+1(1, 10, 10, 'ann')", "-1(NULL, NULL, 10, 'ann')"}));
  EXPECT_EQ(orders({{{I(2), I(10)}, 1}}), v{"+1(2, 10, 10, 'ann')"});  // already matched
  EXPECT_EQ(orders({{{I(9), I(11)}, 1}}), v{});  // unmatched left rows are not part of a RIGHT join
  EXPECT_EQ(orders({{{I(1), I(10)}, -1}}), v{"-1(1, 10, 10, 'ann')"});
  EXPECT_EQ(orders({{{I(2), I(10)}, -1}}), (v{"+1(NULL, NULL, 10, 'ann')", "-1(2, 10, 10, 'ann')"}));
}

TEST_F(JoinTest, FullJoinPadsBothSides) {
  make(sql::join_type::full);
  EXPECT_EQ(orders({{{I(1), I(10)}, 1}}), v{"+1(1, 10, NULL, NULL)"});
  EXPECT_EQ(customers({{{I(11), T("bo")}, 1}}), v{"+1(NULL, NULL, 11, 'bo')"});
  EXPECT_EQ(customers({{{I(10), T("ann")}, 1}}), (v{"+1(1, 10, 10, 'ann')", "-1(1, 10, NULL, NULL)"}));
  EXPECT_EQ(orders({{{I(2), I(11)}, 1}}), (v{"+1(2, 11, 11, 'bo')", "-1(NULL, NULL, 11, 'bo')"}));
  // NULL keys match nothing, on either side.
  EXPECT_EQ(orders({{{I(3), N()}, 1}}), v{"+1(3, NULL, NULL, NULL)"});
  EXPECT_EQ(customers({{{N(), T("nobody")}, 1}}), v{"+1(NULL, NULL, NULL, 'nobody')"});
  // Deleting a matched row pads the other side's row again.
  EXPECT_EQ(customers({{{I(10), T("ann")}, -1}}), (v{"+1(1, 10, NULL, NULL)", "-1(1, 10, 10, 'ann')"}));
  EXPECT_EQ(orders({{{I(2), I(11)}, -1}}), (v{"+1(NULL, NULL, 11, 'bo')", "-1(2, 11, 11, 'bo')"}));
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

// A join told that its inputs only insert stores equal rows apart and never looks a row up. Should a
// retraction arrive after all, it indexes its rows (merging equal ones) and goes on exactly like a
// join that expected retractions, in its output and in what it stores.
TEST(InsertOnlyJoin, AnUnexpectedRetractionKeepsOutputAndStateExact) {
  join_spec spec{sql::join_type::inner, {col(1)}, {col(0)}, lit(B(true)), 2, {}, false};
  join_operator general(spec, state_prefix(1), nullptr);
  spec.inputs_only_insert = true;
  join_operator insert_only(spec, state_prefix(1), nullptr);
  auto store_of = [](join_operator& op) {
    auto store = make_memory_store();
    write_batch wb;
    op.flush(wb);
    EXPECT_TRUE(store->write(wb));
    return store;
  };
  auto general_store = store_of(general), insert_only_store = store_of(insert_only);
  std::map<std::string, std::int64_t> from_general, from_insert_only;
  auto push = [&](int port, sql::change_batch in) {
    for (join_operator* op : {&general, &insert_only}) {
      sql::change_batch copy = in, out;
      op->on_changes(port, copy, out);
      auto& into = op == &general ? from_general : from_insert_only;
      for (const sql::change& c : out) into[row_text(c.values)] += c.weight;
      std::erase_if(into, [](const auto& e) { return e.second == 0; });
      write_batch wb;
      op->flush(wb);
      EXPECT_TRUE((op == &general ? general_store : insert_only_store)->write(wb));
    }
    EXPECT_EQ(from_insert_only, from_general);
  };
  push(0, {{{I(1), I(10)}, 1}});
  push(0, {{{I(1), I(10)}, 1}});  // the same order again
  push(1, {{{I(10), T("ann")}, 1}});
  EXPECT_EQ(from_general, (std::map<std::string, std::int64_t>{{"(1, 10, 10, 'ann')", 2}}));
  push(0, {{{I(1), I(10)}, -1}});
  push(1, {{{I(10), T("ann")}, -1}, {{I(10), T("bo")}, 1}});
  EXPECT_EQ(from_general, (std::map<std::string, std::int64_t>{{"(1, 10, 10, 'bo')", 1}}));
  auto contents = [](state_store& store) {
    std::map<std::string, std::string> kv;
    EXPECT_TRUE(store.scan_prefix("", [&](std::string_view k, std::string_view v) {
      kv[std::string(v)] = std::string(k);  // by value: the two number their rows differently
      return true;
    }));
    return kv;
  };
  EXPECT_EQ(contents(*insert_only_store).size(), contents(*general_store).size());
  // Restored, the join goes on from the same rows.
  join_operator restored(spec, state_prefix(1), nullptr);
  ASSERT_TRUE(restored.restore(*insert_only_store));
  sql::change_batch in = {{{I(10), T("bo")}, -1}}, out;
  restored.on_changes(1, in, out);
  EXPECT_EQ(batch_text(out), std::vector<std::string>{"-1(1, 10, 10, 'bo')"});
}

sql::value fn_ge(const sql::value* a, std::size_t) { return B(compare(a[0], a[1]) >= 0); }
sql::value fn_le(const sql::value* a, std::size_t) { return B(compare(a[0], a[1]) <= 0); }
sql::value fn_minus(const sql::value* a, std::size_t) { return TS(a[0].as_micros() - a[1].as_bigint()); }

std::size_t stored_keys(join_operator& op) {
  auto store = make_memory_store();
  write_batch wb;
  op.flush(wb);
  EXPECT_TRUE(store->write(wb));
  std::size_t n = 0;
  EXPECT_TRUE(store->scan_prefix("", [&](std::string_view, std::string_view) { return ++n > 0; }));
  return n;
}

// Over left (id, k, t) ++ right (k, t): the bound r.t - 5 s, and l.t BETWEEN r.t - 5 s AND r.t.
struct interval_condition {
  sql::expr bound;
  sql::expr residual;
};
interval_condition left_within_5s_before_right() {
  using sql::data_type;
  interval_condition c;
  c.bound = call(fn_minus, "-", {col(4, data_type::timestamp), lit(I(5 * sec))}, data_type::timestamp);
  c.residual.kind = sql::expr_kind::and_op;
  c.residual.type = data_type::boolean;
  c.residual.args = {
      call(fn_ge, ">=", {col(2, data_type::timestamp), c.bound}, data_type::boolean),
      call(fn_le, "<=", {col(2, data_type::timestamp), col(4, data_type::timestamp)}, data_type::boolean)};
  return c;
}

// An interval join, l.t BETWEEN r.t - 5 s AND r.t, over streams that arrive out of order within the
// watermark's delay: forgetting expired rows changes the state, never the output.
TEST(IntervalJoin, ForgettingRowsBehindTheWatermarkKeepsTheOutputExact) {
  using sql::data_type;
  auto [bound, residual] = left_within_5s_before_right();
  for (std::uint64_t seed = 1; seed <= 10; ++seed) {
    std::mt19937_64 rng(seed);
    join_spec spec{sql::join_type::inner, {col(1)}, {col(0)}, residual, 2, {}, false};
    join_operator keeps_all(spec, state_prefix(1), nullptr);
    spec.inputs_only_insert = true;
    spec.expiry[0] = join_expiry{0, 2, bound, 4, data_type::timestamp};
    spec.expiry[1] = join_expiry{1, 1, col(2, data_type::timestamp), 2, data_type::timestamp};
    join_operator forgets(spec, state_prefix(1), nullptr);
    std::map<std::string, std::int64_t> expected, got;
    auto collect = [](std::map<std::string, std::int64_t>& into, const sql::change_batch& out) {
      for (const sql::change& c : out) into[row_text(c.values)] += c.weight;
    };
    std::int64_t now = 0, watermark = no_watermark;
    for (int step = 0; step < 400; ++step) {
      now += static_cast<std::int64_t>(rng() % (sec / 2));
      std::int64_t t = now - static_cast<std::int64_t>(rng() % (3 * sec));
      if (t < watermark) continue;  // late: the source drops it
      int port = static_cast<int>(rng() % 2);
      sql::row r = port == 0 ? sql::row{I(step), I(static_cast<std::int64_t>(rng() % 3)), TS(t)}
                             : sql::row{I(static_cast<std::int64_t>(rng() % 3)), TS(t)};
      for (join_operator* op : {&keeps_all, &forgets}) {
        sql::change_batch in = {{r, 1}}, out;
        op->on_changes(port, in, out);
        collect(op == &keeps_all ? expected : got, out);
      }
      watermark = std::max(watermark, now - 3 * sec);
      sql::change_batch none;
      forgets.on_watermark(watermark, none);
      EXPECT_TRUE(none.empty());
    }
    std::erase_if(expected, [](const auto& e) { return e.second == 0; });
    std::erase_if(got, [](const auto& e) { return e.second == 0; });
    EXPECT_FALSE(expected.empty());
    EXPECT_EQ(got, expected) << "seed " << seed;
    EXPECT_LT(stored_keys(forgets) * 4, stored_keys(keeps_all)) << "seed " << seed;
  }
}

// The same interval join, its state flushed to a store every few steps and the join killed now and
// then: a new join restores the last flush and is fed again what came after it, as a restart replays
// its sources from the checkpoint. The output equals the join that never forgets, never crashed.
// One row in ten lies an hour ahead, so most chunks keep a row long after the others expired;
// rewriting sparse chunks keeps the stored rows within twice the live ones all the same.
TEST(IntervalJoin, ChunkedStateRestoresExactlyAndStaysNearTheLiveRows) {
  using sql::data_type;
  auto [bound, residual] = left_within_5s_before_right();
  join_spec spec{sql::join_type::inner, {col(1)}, {col(0)}, residual, 2, {}, false};
  for (std::uint64_t seed = 1; seed <= 3; ++seed) {
    std::mt19937_64 rng(seed);
    join_operator keeps_all(spec, state_prefix(1), nullptr);
    join_spec forgetting = spec;
    forgetting.inputs_only_insert = true;
    forgetting.expiry[0] = join_expiry{0, 2, bound, 4, data_type::timestamp};
    forgetting.expiry[1] = join_expiry{1, 1, col(2, data_type::timestamp), 2, data_type::timestamp};
    auto forgets = std::make_unique<join_operator>(forgetting, state_prefix(1), nullptr);
    auto store = make_memory_store();
    std::map<std::string, std::int64_t> expected, got, got_at_flush;
    auto collect = [](std::map<std::string, std::int64_t>& into, const sql::change_batch& out) {
      for (const sql::change& c : out) into[row_text(c.values)] += c.weight;
    };
    struct input {
      int port;
      sql::row row;
      std::int64_t watermark;
    };
    std::vector<input> since_flush;
    auto feed = [&](const input& in) {
      sql::change_batch batch = {{in.row, 1}}, out;
      forgets->on_changes(in.port, batch, out);
      forgets->on_watermark(in.watermark, out);
      collect(got, out);
    };
    int crashes = 0;
    std::int64_t now = 0, watermark = no_watermark;
    for (int step = 0; step < 8000; ++step) {
      now += static_cast<std::int64_t>(rng() % (sec / 2));
      std::int64_t t =
          rng() % 10 == 0 ? now + 3600 * sec : now - static_cast<std::int64_t>(rng() % (3 * sec));
      if (t < watermark) continue;  // late: the source drops it
      int port = static_cast<int>(rng() % 2);
      std::int64_t key = static_cast<std::int64_t>(rng() % 30);
      sql::row r = port == 0 ? sql::row{I(step), I(key), TS(t)} : sql::row{I(key), TS(t)};
      watermark = std::max(watermark, now - 3 * sec);
      sql::change_batch in = {{r, 1}}, out;
      keeps_all.on_changes(port, in, out);
      collect(expected, out);
      since_flush.push_back({port, std::move(r), watermark});
      feed(since_flush.back());
      if (rng() % 10 == 0) {
        write_batch wb;
        forgets->flush(wb);
        ASSERT_TRUE(store->write(wb));
        got_at_flush = got;
        since_flush.clear();
      } else if (rng() % 400 == 0) {
        ++crashes;
        forgets = std::make_unique<join_operator>(forgetting, state_prefix(1), nullptr);
        ASSERT_TRUE(forgets->restore(*store));
        got = got_at_flush;
        for (const input& again : since_flush) feed(again);
      }
    }
    std::erase_if(expected, [](const auto& e) { return e.second == 0; });
    std::erase_if(got, [](const auto& e) { return e.second == 0; });
    EXPECT_GT(crashes, 5) << "seed " << seed;
    EXPECT_GT(expected.size(), 1000u) << "seed " << seed;
    EXPECT_EQ(got, expected) << "seed " << seed;
    write_batch wb;
    forgets->flush(wb);
    ASSERT_TRUE(store->write(wb));
    // Restored without expiry, a join keeps every row the store holds, expired or not.
    join_spec keeps_every_row = spec;
    keeps_every_row.inputs_only_insert = true;
    join_operator reread(keeps_every_row, state_prefix(1), nullptr);
    ASSERT_TRUE(reread.restore(*store));
    EXPECT_GT(forgets->stored_rows(), 500u) << "seed " << seed;
    EXPECT_LE(reread.stored_rows(), 2 * forgets->stored_rows() + 1024) << "seed " << seed;
  }
}

}  // namespace
}  // namespace sluice::stream
