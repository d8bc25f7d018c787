// Plans compiled into pipelines and driven end to end with JSON records.
#include "stream/compiler.h"

#include <gtest/gtest.h>

#include "stream/test_util.h"

namespace sluice::stream {
namespace {

using namespace testing;
using sql::data_type;
using sql::plan_kind;

class CompilerTest : public ::testing::Test {
 protected:
  CompilerTest() {
    sql::relation_info events;
    events.name = "events";
    events.columns =
        columns({{"ts", data_type::timestamp}, {"k", data_type::text}, {"n", data_type::bigint}});
    events.watermark = sql::watermark_spec{0, 0};
    catalog.add(events);
    sql::relation_info plain = events;
    plain.name = "plain";
    plain.watermark.reset();
    catalog.add(plain);
    sql::relation_info orders;
    orders.name = "orders";
    orders.columns = columns({{"id", data_type::bigint}, {"customer_id", data_type::bigint}});
    catalog.add(orders);
    sql::relation_info customers;
    customers.name = "customers";
    customers.kind = sql::relation_kind::table;
    customers.columns = columns({{"id", data_type::bigint}, {"name", data_type::text}});
    customers.primary_key = {0};
    catalog.add(customers);
  }

  const sql::relation_info& rel(const char* name) { return *catalog.find(name); }

  // SELECT window_start, window_end, k, count(*) FROM <window over rel> GROUP BY 1, 2, 3
  sql::plan windowed_count(const char* relation, sql::window_kind kind, std::int64_t size,
                           std::int64_t slide) {
    sql::schema wout =
        concat(rel(relation).columns,
               columns({{"window_start", data_type::timestamp}, {"window_end", data_type::timestamp}}));
    sql::plan w = unary(plan_kind::window, scan(rel(relation)), wout);
    w.window = {kind, 0, size, slide, 0};
    sql::plan a = unary(plan_kind::aggregate, std::move(w),
                        columns({{"window_start", data_type::timestamp},
                                 {"window_end", data_type::timestamp},
                                 {"k", data_type::text},
                                 {"count", data_type::bigint}}));
    a.group_by = {col(3, data_type::timestamp), col(4, data_type::timestamp), col(1, data_type::text)};
    a.aggregates = {agg(sql::aggregate_fn::count_star, {})};
    return a;
  }

  sql::plan enrichment(sql::join_type type) {
    sql::plan j;
    j.kind = plan_kind::join;
    j.join = type;
    j.inputs = {scan(rel("orders")), scan(rel("customers"))};
    j.output = concat(rel("orders").columns, rel("customers").columns);
    j.left_keys = {col(1)};
    j.right_keys = {col(0)};
    return j;
  }

  // orders JOIN orders ON customer_id = customer_id
  sql::plan orders_self_join() {
    sql::plan j;
    j.kind = plan_kind::join;
    j.inputs = {scan(rel("orders")), scan(rel("orders"))};
    j.output = concat(rel("orders").columns, rel("orders").columns);
    j.left_keys = {col(1)};
    j.right_keys = {col(1)};
    return j;
  }

  std::unique_ptr<pipeline> compile_ok(const sql::plan& p) {
    auto compiled = compile(p, catalog, store.get());
    EXPECT_TRUE(compiled) << (compiled ? "" : compiled.error().message);
    return compiled ? std::move(*compiled) : nullptr;
  }

  static void ingest(pipeline& p, const char* relation,
                     std::vector<std::pair<std::optional<std::string>, std::optional<std::string>>> kv) {
    std::vector<record> records;
    for (auto& [k, v] : kv) {
      record r;
      if (k) r.key = *k;
      if (v) r.value = *v;
      records.push_back(r);
    }
    ASSERT_TRUE(p.ingest(relation, records));
  }

  test_catalog catalog;
  std::unique_ptr<state_store> store = make_memory_store();
};

TEST_F(CompilerTest, OrderByAndLimitAreRefusedInViews) {
  sql::plan s = unary(plan_kind::sort, scan(rel("events")), rel("events").columns);
  auto r = compile(s, catalog, store.get());
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, sql::sqlstate::feature_not_supported);
  sql::plan l = unary(plan_kind::limit, scan(rel("events")), rel("events").columns);
  EXPECT_EQ(compile(l, catalog, store.get()).error().code, sql::sqlstate::feature_not_supported);
}

// A view's window calls are evaluated partition by partition, so they must share one PARTITION BY.
TEST_F(CompilerTest, WindowCallsWithDifferentPartitionsAreRefusedInViews) {
  sql::plan o = unary(plan_kind::over, scan(rel("events")), {});
  o.output = concat(rel("events").columns, columns({{"a", data_type::bigint}, {"b", data_type::bigint}}));
  sql::window_call by_key, by_value;
  by_key.partition_by = {col(1)};
  by_value.partition_by = {col(2)};
  o.window_calls = {by_key, by_key};
  EXPECT_TRUE(compile(o, catalog, store.get()));
  o.window_calls = {by_key, by_value};
  auto r = compile(o, catalog, store.get());
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, sql::sqlstate::feature_not_supported);
  EXPECT_NE(r.error().message.find("PARTITION BY"), std::string::npos);
}

TEST_F(CompilerTest, WindowWithoutWatermarkIsRefused) {
  EXPECT_TRUE(compile(enrichment(sql::join_type::right), catalog, store.get()));
  EXPECT_TRUE(compile(enrichment(sql::join_type::full), catalog, store.get()));
  auto r =
      compile(windowed_count("plain", sql::window_kind::tumble, 10 * sec, 10 * sec), catalog, store.get());
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("WATERMARK"), std::string::npos);
}

TEST_F(CompilerTest, TumblingCountFromJsonEventsEmitsWhenTheWatermarkPasses) {
  auto p = compile_ok(windowed_count("events", sql::window_kind::tumble, 10 * sec, 10 * sec));
  ASSERT_TRUE(p);
  std::vector<late_event> late;
  p->diag().on_late_event = [&](const late_event& e) { late.push_back(e); };
  ingest(*p, "events",
         {{std::nullopt, R"({"ts": 1000, "k": "a"})"},
          {std::nullopt, R"({"ts": 2000, "k": "a"})"},
          {std::nullopt, R"({"ts": 9999, "k": "b"})"}});
  EXPECT_TRUE(p->view().snapshot().empty());
  ingest(*p, "events", {{std::nullopt, R"({"ts": 10000, "k": "a"})"}});
  EXPECT_EQ(sorted_text(p->view().snapshot()),
            (std::vector<std::string>{"('1970-01-01 00:00:00', '1970-01-01 00:00:10', 'a', 2)",
                                      "('1970-01-01 00:00:00', '1970-01-01 00:00:10', 'b', 1)"}));
  ingest(*p, "events", {{std::nullopt, R"({"ts": 3000, "k": "a"})"}});
  EXPECT_EQ(late.size(), 1u);
  EXPECT_EQ(p->view().size(), 2u);
}

TEST_F(CompilerTest, IdlePartitionReleasesTheWindowOnTick) {
  auto now = std::chrono::steady_clock::time_point{};
  source_options options{0, std::chrono::milliseconds(500), [&] { return now; }};
  auto compiled = compile(windowed_count("events", sql::window_kind::tumble, 10 * sec, 10 * sec), catalog,
                          store.get(), options);
  ASSERT_TRUE(compiled);
  pipeline& p = **compiled;
  std::vector<record> records = {{0, std::nullopt, R"({"ts": 1000, "k": "a"})"},
                                 {1, std::nullopt, R"({"ts": 2000, "k": "a"})"}};
  ASSERT_TRUE(p.ingest("events", records));
  now += std::chrono::milliseconds(300);
  records = {{0, std::nullopt, R"({"ts": 15000, "k": "a"})"}};
  ASSERT_TRUE(p.ingest("events", records));
  EXPECT_TRUE(p.view().snapshot().empty());  // partition 1 is at 2 s
  ASSERT_TRUE(p.tick());
  EXPECT_TRUE(p.view().snapshot().empty());
  now += std::chrono::milliseconds(200);  // partition 1 silent for 500 ms: idle
  ASSERT_TRUE(p.tick());
  EXPECT_EQ(sorted_text(p.view().snapshot()),
            std::vector<std::string>{"('1970-01-01 00:00:00', '1970-01-01 00:00:10', 'a', 2)"});
  EXPECT_EQ(p.watermark("events"), 15 * sec);
}

TEST_F(CompilerTest, DataErrorInAViewGoesToDeadLettersAndTheViewGoesOn) {
  sql::plan pr = unary(plan_kind::project, scan(rel("orders")), columns({{"q", data_type::bigint}}));
  pr.exprs = {div(lit(I(100)), col(1))};
  auto p = compile_ok(pr);
  ASSERT_TRUE(p);
  std::vector<dead_letter> dead;
  p->diag().on_dead_letter = [&](const dead_letter& d) { dead.push_back(d); };
  ingest(*p, "orders",
         {{std::nullopt, R"({"id": 1, "customer_id": 0})"},
          {std::nullopt, R"({"id": 2, "customer_id": 4})"},
          {std::nullopt, R"({"id": "x"})"}});
  EXPECT_EQ(sorted_text(p->view().snapshot()), std::vector<std::string>{"(25)"});
  ASSERT_EQ(dead.size(), 2u);
  EXPECT_EQ(dead[0].error, "invalid input syntax for type bigint: \"x\"");
  EXPECT_EQ(dead[1].error, "division by zero");
}

TEST_F(CompilerTest, EnrichmentJoinStaysExactUnderCustomerUpdatesAndDeletes) {
  auto p = compile_ok(enrichment(sql::join_type::left));
  ASSERT_TRUE(p);
  ingest(*p, "customers", {{"1", R"({"id": 1, "name": "ann"})"}});
  ingest(*p, "orders",
         {{std::nullopt, R"({"id": 100, "customer_id": 1})"},
          {std::nullopt, R"({"id": 101, "customer_id": 2})"}});
  EXPECT_EQ(sorted_text(p->view().snapshot()),
            (std::vector<std::string>{"(100, 1, 1, 'ann')", "(101, 2, NULL, NULL)"}));
  ingest(*p, "customers", {{"1", R"({"id": 1, "name": "anne"})"}, {"2", R"({"id": 2, "name": "bo"})"}});
  EXPECT_EQ(sorted_text(p->view().snapshot()),
            (std::vector<std::string>{"(100, 1, 1, 'anne')", "(101, 2, 2, 'bo')"}));
  ingest(*p, "customers", {{"1", std::nullopt}});
  EXPECT_EQ(sorted_text(p->view().snapshot()),
            (std::vector<std::string>{"(100, 1, NULL, NULL)", "(101, 2, 2, 'bo')"}));
  // The store holds the view as of the last batch boundary.
  view_sink restored(p->view().schema(), state_prefix(0));
  ASSERT_TRUE(restored.restore(*store));
  EXPECT_EQ(sorted_text(restored.snapshot()), sorted_text(p->view().snapshot()));
}

TEST_F(CompilerTest, SelfJoinFeedsBothScans) {
  auto p = compile_ok(orders_self_join());
  ASSERT_TRUE(p);
  ingest(
      *p, "orders",
      {{std::nullopt, R"({"id": 1, "customer_id": 5})"}, {std::nullopt, R"({"id": 2, "customer_id": 5})"}});
  EXPECT_EQ(p->view().size(), 4u);
}

TEST_F(CompilerTest, EventTimeColumnIsTrackedThroughProjections) {
  sql::plan pr = unary(plan_kind::project, scan(rel("events")),
                       columns({{"k", data_type::text}, {"t", data_type::timestamp}}));
  pr.exprs = {col(1, data_type::text), col(0, data_type::timestamp)};
  EXPECT_EQ(event_time_column(pr, catalog), 1);
  EXPECT_EQ(event_time_column(windowed_count("events", sql::window_kind::hop, 10 * sec, 5 * sec), catalog),
            1);
  EXPECT_FALSE(event_time_column(scan(rel("plain")), catalog));
}

TEST_F(CompilerTest, OnlyInsertingDataflowsAreRecognised) {
  EXPECT_TRUE(only_inserts(scan(rel("events")), catalog));
  EXPECT_TRUE(only_inserts(windowed_count("events", sql::window_kind::hop, 10 * sec, 5 * sec), catalog));
  EXPECT_FALSE(only_inserts(scan(rel("customers")), catalog));  // a table upserts
  EXPECT_FALSE(only_inserts(enrichment(sql::join_type::inner), catalog));
  sql::plan counts = unary(plan_kind::aggregate, scan(rel("orders")),
                           columns({{"customer_id", data_type::bigint}, {"count", data_type::bigint}}));
  counts.group_by = {col(1)};
  counts.aggregates = {agg(sql::aggregate_fn::count_star, {})};
  EXPECT_FALSE(only_inserts(counts, catalog));  // a group's row is updated
}

// max(count) per window over the per-window counts (Nexmark q5's right side): grouped by the windows'
// end, each group gets all its rows when its window closes, so it emits once, carries the window's
// end as its event time, and a join on it may forget rows. Grouped without the end, it updates.
TEST_F(CompilerTest, AnAggregateOfClosedWindowsByTheirEndIsAWindowToo) {
  sql::plan per_window =
      unary(plan_kind::aggregate, windowed_count("events", sql::window_kind::hop, 10 * sec, 5 * sec),
            columns({{"window_end", data_type::timestamp}, {"most", data_type::bigint}}));
  per_window.group_by = {col(1, data_type::timestamp)};  // the counts' window_end
  per_window.aggregates = {agg(sql::aggregate_fn::max, {col(3)})};
  EXPECT_TRUE(only_inserts(per_window, catalog));
  EXPECT_EQ(event_time_column(per_window, catalog), 0);

  sql::plan j;
  j.kind = plan_kind::join;
  j.join = sql::join_type::inner;
  j.inputs = {windowed_count("events", sql::window_kind::hop, 10 * sec, 5 * sec), per_window};
  j.output = concat(j.inputs[0].output, j.inputs[1].output);
  j.left_keys = {col(1, data_type::timestamp)};
  j.right_keys = {col(0, data_type::timestamp)};
  EXPECT_TRUE(join_expiry_for(j, 0, catalog));
  EXPECT_TRUE(join_expiry_for(j, 1, catalog));

  sql::plan per_key = per_window;
  per_key.group_by = {col(2, data_type::text)};  // by k: a group gains rows window after window
  per_key.output = columns({{"k", data_type::text}, {"most", data_type::bigint}});
  EXPECT_FALSE(only_inserts(per_key, catalog));
  EXPECT_FALSE(event_time_column(per_key, catalog));
}

TEST_F(CompilerTest, SourcesDecodeOnlyTheColumnsTheDataflowReads) {
  using read = std::map<std::string, std::vector<bool>>;
  // SELECT n FROM plain WHERE k = 'x': ts is neither selected nor tested.
  sql::plan f = unary(plan_kind::filter, scan(rel("plain")), rel("plain").columns);
  f.predicate.kind = sql::expr_kind::is_null;
  f.predicate.type = data_type::boolean;
  f.predicate.args = {col(1, data_type::text)};
  sql::plan pr = unary(plan_kind::project, std::move(f), columns({{"n", data_type::bigint}}));
  pr.exprs = {col(2)};
  EXPECT_EQ(columns_read(pr).relations, (read{{"plain", {false, true, true}}}));
  // A window reads its time column; the count reads nothing more, the group key k.
  EXPECT_EQ(columns_read(windowed_count("events", sql::window_kind::tumble, 10 * sec, 10 * sec)).relations,
            (read{{"events", {true, true, false}}}));
  // A join reads its keys on each side; both scans of a self-join add up.
  sql::plan ids = unary(plan_kind::project, orders_self_join(), columns({{"id", data_type::bigint}}));
  ids.exprs = {col(2)};
  read_columns self_join = columns_read(ids);
  EXPECT_EQ(self_join.relations, (read{{"orders", {true, true}}}));
  // …while each scan's consumer is given only what it reads: the left side's id is not.
  EXPECT_EQ(self_join.scans.at(&ids.inputs[0].inputs[0]), (std::vector<bool>{false, true}));
  EXPECT_EQ(self_join.scans.at(&ids.inputs[0].inputs[1]), (std::vector<bool>{true, true}));
  EXPECT_EQ(columns_read(enrichment(sql::join_type::left)).relations,
            (read{{"orders", {true, true}}, {"customers", {true, true}}}));
}

TEST_F(CompilerTest, UnreadColumnsAreLeftNullButStillChecked) {
  sql::plan pr = unary(plan_kind::project, scan(rel("plain")), columns({{"n", data_type::bigint}}));
  pr.exprs = {col(2)};
  auto p = compile_ok(pr);
  ASSERT_TRUE(p);
  ingest(*p, "plain",
         {{std::nullopt, R"({"ts": 1000, "k": "kept out", "n": 7})"},
          {std::nullopt, R"({"ts": "not a time", "k": "x", "n": 8})"},  // malformed though unread
          {std::nullopt, R"({"ts": 1000, "k": [1], "n": 9})"}});
  EXPECT_EQ(sorted_text(p->view().snapshot()), std::vector<std::string>{"(7)"});
  EXPECT_EQ(p->diag().dead_letters(), 2u);
}

// plain a JOIN plain b ON a.k = b.k, selecting a.n and b.ts: the two scans read different columns of
// one decoded row, and whichever of them gets a copy of the batch gets the columns it reads.
TEST_F(CompilerTest, EachScanOfASelfJoinGetsTheColumnsItReads) {
  sql::plan j;
  j.kind = plan_kind::join;
  j.inputs = {scan(rel("plain")), scan(rel("plain"))};
  j.output = concat(rel("plain").columns, rel("plain").columns);
  j.left_keys = {col(1, data_type::text)};
  j.right_keys = {col(1, data_type::text)};
  sql::plan pr = unary(plan_kind::project, std::move(j),
                       columns({{"n", data_type::bigint}, {"ts", data_type::timestamp}}));
  pr.exprs = {col(2), col(3, data_type::timestamp)};
  auto p = compile_ok(pr);
  ASSERT_TRUE(p);
  ingest(*p, "plain",
         {{std::nullopt, R"({"ts": 1000, "k": "x", "n": 7})"},
          {std::nullopt, R"({"ts": 2000, "k": "x", "n": 8})"}});
  EXPECT_EQ(sorted_text(p->view().snapshot()),
            (std::vector<std::string>{"(7, '1970-01-01 00:00:01')", "(7, '1970-01-01 00:00:02')",
                                      "(8, '1970-01-01 00:00:01')", "(8, '1970-01-01 00:00:02')"}));
}

TEST_F(CompilerTest, IntervalJoinConditionsLetRowsExpire) {
  // events a JOIN events b ON a.k = b.k AND a.ts BETWEEN b.ts - 5 s AND b.ts (a: columns 0-2, b: 3-5)
  sql::plan j;
  j.kind = plan_kind::join;
  j.join = sql::join_type::inner;
  j.inputs = {scan(rel("events")), scan(rel("events"))};
  j.output = concat(rel("events").columns, rel("events").columns);
  j.left_keys = {col(1, data_type::text)};
  j.right_keys = {col(1, data_type::text)};
  auto ts = [](int c) { return col(c, data_type::timestamp); };
  auto cmp = [](const char* op, sql::expr a, sql::expr b) {
    return call(nullptr, op, {std::move(a), std::move(b)}, data_type::boolean);
  };
  sql::expr lower =
      call(nullptr, "-", {ts(3), lit(sql::value::interval_of({0, 0, 5 * sec}))}, data_type::timestamp);
  j.residual.kind = sql::expr_kind::and_op;
  j.residual.args = {cmp(">=", ts(0), lower), cmp("<=", ts(0), ts(3))};
  auto left = join_expiry_for(j, 0, catalog);
  ASSERT_TRUE(left);
  EXPECT_EQ(left->column, 0);       // a.ts
  EXPECT_EQ(left->time_column, 3);  // bounded by b's event time, shifted by 5 s
  EXPECT_EQ(left->bound.name, "-");
  auto right = join_expiry_for(j, 1, catalog);
  ASSERT_TRUE(right);
  EXPECT_EQ(right->column, 0);  // b.ts, in b's own row
  EXPECT_EQ(right->time_column, 0);

  // An equality key on the other side's event time bounds as well (windows joined on their end).
  sql::plan on_time = j;
  on_time.left_keys = {ts(0)};
  on_time.right_keys = {ts(0)};
  on_time.residual = lit(B(true));
  auto by_key = join_expiry_for(on_time, 1, catalog);
  ASSERT_TRUE(by_key);
  EXPECT_EQ(by_key->column, 0);
  EXPECT_EQ(by_key->time_column, 0);  // a.ts, in the joined row

  // Without a watermark on the other side, or with a bound that is not monotone in it, nothing expires.
  j.inputs[1] = scan(rel("plain"));
  EXPECT_FALSE(join_expiry_for(j, 0, catalog));
  j.inputs[1] = scan(rel("events"));
  j.residual.args = {cmp(">=", ts(0), call(nullptr, "*", {ts(3), lit(I(2))}, data_type::timestamp))};
  EXPECT_FALSE(join_expiry_for(j, 0, catalog));
}

TEST_F(CompilerTest, ViewKeysAreGroupKeysOrPrimaryKeys) {
  EXPECT_EQ(view_key_columns(windowed_count("events", sql::window_kind::tumble, sec, sec), catalog),
            (std::vector<int>{0, 1, 2}));
  EXPECT_EQ(view_key_columns(scan(rel("customers")), catalog), std::vector<int>{0});
  EXPECT_TRUE(view_key_columns(enrichment(sql::join_type::inner), catalog).empty());
}

}  // namespace
}  // namespace sluice::stream
