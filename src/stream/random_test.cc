// Randomized differential tests: random insert/delete/upsert streams through compiled plans; after
// every batch the view must equal the plan evaluated from scratch over all current input rows by a
// naive reference evaluator written independently of the operators.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <random>
#include <set>
#include <string_view>

#include "sql/grouping_sets.h"
#include "sql/window_functions.h"
#include "stream/accumulator.h"
#include "stream/compiler.h"
#include "stream/state_store.h"
#include "stream/test_util.h"

namespace sluice::stream {
namespace {

using namespace testing;
using sql::aggregate_fn;
using sql::data_type;
using sql::plan_kind;
using relations = std::map<std::string, std::vector<sql::row>>;

// ---- the reference evaluator ----

std::vector<sql::row> eval(const sql::plan& p, const relations& db);

sql::value naive_aggregate(const sql::aggregate_call& c, const std::vector<sql::row>& rows) {
  std::vector<sql::value> xs;
  for (const sql::row& r : rows) {
    sql::value v = c.args.empty() ? I(1) : sql::evaluate(c.args[0], r);
    if (!v.is_null()) xs.push_back(v);
  }
  if (c.distinct) {
    std::sort(xs.begin(), xs.end(), [](const auto& a, const auto& b) { return compare(a, b) < 0; });
    xs.erase(std::unique(xs.begin(), xs.end()), xs.end());
  }
  double n = static_cast<double>(xs.size());
  double sum = 0;
  for (const auto& x : xs) sum += x.type() == data_type::boolean ? 0 : x.numeric_as_double();
  auto var = [&](bool sample) -> sql::value {
    if (xs.size() < (sample ? 2u : 1u)) return {};
    double mean = sum / n, ss = 0;
    for (const auto& x : xs) ss += (x.numeric_as_double() - mean) * (x.numeric_as_double() - mean);
    return D(ss / (sample ? n - 1 : n));
  };
  switch (c.fn) {
    case aggregate_fn::count_star:
      return I(static_cast<std::int64_t>(rows.size()));
    case aggregate_fn::count:
      return I(static_cast<std::int64_t>(xs.size()));
    case aggregate_fn::sum:
      return xs.empty() ? sql::value() : I(static_cast<std::int64_t>(sum));
    case aggregate_fn::avg:
      return xs.empty() ? sql::value() : D(sum / n);
    case aggregate_fn::min:
    case aggregate_fn::max: {
      if (xs.empty()) return {};
      auto cmp = [](const auto& a, const auto& b) { return compare(a, b) < 0; };
      return c.fn == aggregate_fn::min ? *std::min_element(xs.begin(), xs.end(), cmp)
                                       : *std::max_element(xs.begin(), xs.end(), cmp);
    }
    case aggregate_fn::var_samp:
      return var(true);
    case aggregate_fn::stddev_pop: {
      sql::value v = var(false);
      return v.is_null() ? v : D(std::sqrt(v.as_double()));
    }
    case aggregate_fn::bool_and:
    case aggregate_fn::bool_or: {
      if (xs.empty()) return {};
      bool all = true, any = false;
      for (const auto& x : xs) all = all && x.as_bool(), any = any || x.as_bool();
      return B(c.fn == aggregate_fn::bool_and ? all : any);
    }
    default:
      ADD_FAILURE() << "aggregate not in the reference";
      return {};
  }
}

std::vector<sql::row> eval_aggregate(const sql::plan& p, const relations& db) {
  std::map<sql::row, std::vector<sql::row>,
           decltype([](const sql::row& a, const sql::row& b) { return sql::compare_rows(a, b) < 0; })>
      groups;
  for (sql::row& r : eval(p.inputs[0], db)) {
    sql::row key;
    for (const auto& e : p.group_by) key.push_back(sql::evaluate(e, r));
    groups[key].push_back(std::move(r));
  }
  for (const sql::row& key : sql::permanent_groups(p)) groups[key];  // no GROUP BY, or an empty set
  std::vector<sql::row> out;
  for (const auto& [key, rows] : groups) {
    sql::row r = key;
    for (const auto& c : p.aggregates) r.push_back(naive_aggregate(c, rows));
    out.push_back(std::move(r));
  }
  return out;
}

std::vector<sql::row> eval_join(const sql::plan& p, const relations& db) {
  std::vector<sql::row> left = eval(p.inputs[0], db), right = eval(p.inputs[1], db), out;
  std::vector<bool> right_matched(right.size(), false);
  for (const sql::row& l : left) {
    bool matched = false;
    for (std::size_t ri = 0; ri < right.size(); ++ri) {
      const sql::row& r = right[ri];
      bool eq = true;
      for (std::size_t i = 0; i < p.left_keys.size(); ++i) {
        sql::value a = sql::evaluate(p.left_keys[i], l), b = sql::evaluate(p.right_keys[i], r);
        eq = eq && !a.is_null() && !b.is_null() && compare(a, b) == 0;
      }
      sql::row joined = l;
      joined.insert(joined.end(), r.begin(), r.end());
      if (!eq || !sql::evaluate_predicate(p.residual, joined)) continue;
      matched = true;
      right_matched[ri] = true;
      out.push_back(std::move(joined));
    }
    if (!matched && (p.join == sql::join_type::left || p.join == sql::join_type::full)) {
      sql::row padded = l;
      padded.resize(l.size() + p.inputs[1].output.size());
      out.push_back(std::move(padded));
    }
  }
  for (std::size_t ri = 0; ri < right.size(); ++ri) {
    if (right_matched[ri] || (p.join != sql::join_type::right && p.join != sql::join_type::full)) continue;
    sql::row padded(p.inputs[0].output.size());
    padded.insert(padded.end(), right[ri].begin(), right[ri].end());
    out.push_back(std::move(padded));
  }
  return out;
}

std::vector<sql::row> eval(const sql::plan& p, const relations& db) {
  std::vector<sql::row> out;
  switch (p.kind) {
    case plan_kind::scan:
      return db.at(p.relation);
    case plan_kind::filter:
      for (sql::row& r : eval(p.inputs[0], db)) {
        if (sql::evaluate_predicate(p.predicate, r)) out.push_back(std::move(r));
      }
      return out;
    case plan_kind::project:
      for (const sql::row& r : eval(p.inputs[0], db)) {
        sql::row o;
        for (const auto& e : p.exprs) o.push_back(sql::evaluate(e, r));
        out.push_back(std::move(o));
      }
      return out;
    case plan_kind::distinct:
      out = eval(p.inputs[0], db);
      std::sort(out.begin(), out.end(),
                [](const auto& a, const auto& b) { return sql::compare_rows(a, b) < 0; });
      out.erase(std::unique(out.begin(), out.end(),
                            [](const auto& a, const auto& b) { return sql::compare_rows(a, b) == 0; }),
                out.end());
      return out;
    case plan_kind::aggregate:
      return eval_aggregate(p, db);
    case plan_kind::grouping_sets:
      for (const sql::row& r : eval(p.inputs[0], db)) {
        sql::row keys = sql::grouping_keys(p, r);
        for (std::size_t set = 0; set < p.grouping_sets.size(); ++set)
          out.push_back(sql::grouping_set_row(p, r, keys, set));
      }
      return out;
    case plan_kind::join:
      return eval_join(p, db);
    case plan_kind::over:  // the window values themselves: the one evaluator pull queries use too
      out = eval(p.inputs[0], db);
      sql::append_window_values(p.window_calls, out);
      return out;
    default:
      ADD_FAILURE() << "plan kind not in the reference";
      return out;
  }
}

// Equal as multisets; doubles within a relative 1e-9 (incremental sums round differently).
bool same_rows(std::vector<sql::row> a, std::vector<sql::row> b, std::string& why) {
  auto less = [](const auto& x, const auto& y) { return sql::compare_rows(x, y) < 0; };
  std::sort(a.begin(), a.end(), less);
  std::sort(b.begin(), b.end(), less);
  if (a.size() != b.size()) {
    why = "sizes " + std::to_string(a.size()) + " vs " + std::to_string(b.size());
    return false;
  }
  for (std::size_t i = 0; i < a.size(); ++i) {
    for (std::size_t j = 0; j < a[i].size(); ++j) {
      const sql::value &x = a[i][j], &y = b[i][j];
      bool ok = compare(x, y) == 0;
      if (!ok && x.type() == data_type::double_precision && y.type() == data_type::double_precision) {
        ok = std::abs(x.as_double() - y.as_double()) <= 1e-9 * std::max(1.0, std::abs(y.as_double()));
      }
      if (!ok) {
        why = row_text(a[i]) + " vs " + row_text(b[i]);
        return false;
      }
    }
  }
  return true;
}

// ---- the random streams ----

class RandomTest : public ::testing::TestWithParam<int> {
 protected:
  RandomTest() {
    // r changes by inserts and deletes, which only a table can (no primary key: every record is a
    // row of its own); s has r's columns but is a source, which only inserts, so operators over it
    // may take their insert-only paths.
    sql::relation_info r;
    r.name = "r";
    r.kind = sql::relation_kind::table;
    r.columns = columns({{"k", data_type::bigint}, {"x", data_type::bigint}});
    catalog.add(r);
    sql::relation_info s = r;
    s.name = "s";
    s.kind = sql::relation_kind::source;
    catalog.add(s);
    sql::relation_info t;
    t.name = "t";
    t.kind = sql::relation_kind::table;
    t.columns = columns({{"id", data_type::bigint}, {"name", data_type::text}});
    t.primary_key = {0};
    catalog.add(t);
  }

  // Odd seeds keep state in RocksDB, even ones in memory.
  std::unique_ptr<state_store> make_store() {
    if (GetParam() % 2 == 0) return make_memory_store();
    auto s = open_rocksdb_store(dir_.path() + "/db", dir_.path() + "/logs");
    EXPECT_TRUE(s);
    return std::move(*s);
  }

  // Runs `steps` random batches against `p`, checking the view after each. Now and then the
  // pipeline is dropped and compiled again over the same store, resuming from its state.
  void run(const sql::plan& p, int steps) {
    auto store = make_store();
    auto compiled = compile(p, catalog, store.get());
    ASSERT_TRUE(compiled) << compiled.error().message;
    std::unique_ptr<pipeline> owned = std::move(*compiled);
    std::mt19937_64 rng(static_cast<std::uint64_t>(GetParam()) * 7919 + 17);
    relations db = {{"r", {}}, {"s", {}}, {"t", {}}};
    std::map<std::int64_t, std::string> table;
    int restarts = 0;
    for (int step = 0; step < steps; ++step) {
      if (step % 50 == 25 || rng() % 40 == 0) {
        owned.reset();
        auto resumed = compile(p, catalog, store.get(), {}, true);
        ASSERT_TRUE(resumed) << resumed.error().message;
        owned = std::move(*resumed);
        ++restarts;
      }
      pipeline& pl = *owned;
      if (rng() % 3 == 0) {
        table_batch(pl, rng, table);
      } else if (reads(p, "s")) {
        source_batch(pl, rng, db["s"], "s");
      } else {
        source_batch(pl, rng, db["r"], "r");
      }
      db["t"].clear();
      for (auto& [id, name] : table) db["t"].push_back({I(id), T(name)});
      std::string why;
      ASSERT_TRUE(same_rows(pl.view().snapshot(), eval(p, db), why)) << "step " << step << ": " << why;
      ASSERT_EQ(pl.view().negative_rows(), 0u);
    }
    EXPECT_EQ(owned->diag().dead_letters(), 0u);
    EXPECT_GT(restarts, 0);
  }

  static bool reads(const sql::plan& p, std::string_view relation) {
    if (p.kind == plan_kind::scan && p.relation == relation) return true;
    return std::any_of(p.inputs.begin(), p.inputs.end(),
                       [&](const sql::plan& in) { return reads(in, relation); });
  }

  // Random inserts into `relation`, and deletes of present rows unless it is the insert-only s.
  void source_batch(pipeline& pl, std::mt19937_64& rng, std::vector<sql::row>& rows, const char* relation) {
    bool deletes = std::string_view(relation) != "s";
    sql::change_batch batch;
    for (std::size_t n = 1 + rng() % 8; n > 0; --n) {
      if (deletes && !rows.empty() && rng() % 5 < 2) {  // delete a present row
        std::size_t i = rng() % rows.size();
        batch.push_back({rows[i], -1});
        rows.erase(rows.begin() + static_cast<std::ptrdiff_t>(i));
      } else {
        sql::row r = {I(static_cast<std::int64_t>(rng() % 6)),
                      rng() % 7 == 0 ? N() : I(static_cast<std::int64_t>(rng() % 10))};
        rows.push_back(r);
        batch.push_back({std::move(r), 1});
      }
    }
    ASSERT_TRUE(pl.inject(relation, std::move(batch)));
  }

  void table_batch(pipeline& pl, std::mt19937_64& rng, std::map<std::int64_t, std::string>& table) {
    std::vector<std::string> keys, values;
    std::vector<record> records;
    for (std::size_t n = 1 + rng() % 3; n > 0; --n) {
      auto id = static_cast<std::int64_t>(rng() % 6);
      keys.push_back(std::to_string(id));
      if (rng() % 3 == 0) {
        values.emplace_back();
        table.erase(id);
      } else {
        std::string name = std::string(1, static_cast<char>('a' + rng() % 3));
        values.push_back("{\"id\": " + keys.back() + ", \"name\": \"" + name + "\"}");
        table[id] = name;
      }
    }
    for (std::size_t i = 0; i < keys.size(); ++i) {
      record rec;
      rec.key = keys[i];
      if (!values[i].empty()) rec.value = values[i];
      records.push_back(rec);
    }
    ASSERT_TRUE(pl.ingest("t", records));
  }

  const sql::relation_info& rel(const char* name) { return *catalog.find(name); }
  test_catalog catalog;
  temp_dir dir_;
};

TEST_P(RandomTest, FilterProject) {
  sql::plan f = unary(plan_kind::filter, scan(rel("r")), rel("r").columns);
  f.predicate = gt(col(1), lit(I(3)));
  sql::plan p =
      unary(plan_kind::project, std::move(f), columns({{"k", data_type::bigint}, {"y", data_type::bigint}}));
  p.exprs = {col(0), add(col(1), lit(I(1)))};
  run(p, 200);
}

TEST_P(RandomTest, GroupedAggregatesUnderDeletes) {
  sql::plan a = unary(plan_kind::aggregate, scan(rel("r")), {});
  a.group_by = {mod(col(0), lit(I(3)))};
  a.aggregates = {agg(aggregate_fn::count_star, {}),
                  agg(aggregate_fn::count, {col(1)}),
                  agg(aggregate_fn::sum, {col(1)}),
                  agg(aggregate_fn::avg, {col(1)}, data_type::double_precision),
                  agg(aggregate_fn::min, {col(1)}),
                  agg(aggregate_fn::max, {col(1)}),
                  agg(aggregate_fn::count, {col(1)}, data_type::bigint, true),
                  agg(aggregate_fn::sum, {col(1)}, data_type::bigint, true),
                  agg(aggregate_fn::var_samp, {col(1)}, data_type::double_precision),
                  agg(aggregate_fn::stddev_pop, {col(1)}, data_type::double_precision),
                  agg(aggregate_fn::bool_and, {gt(col(1), lit(I(5)))}, data_type::boolean),
                  agg(aggregate_fn::bool_or, {gt(col(1), lit(I(8)))}, data_type::boolean)};
  a.output.resize(1 + a.aggregates.size(), {"c", data_type::bigint});
  run(a, 300);
}

// The same over a source, which only inserts: min and max keep just the extreme.
TEST_P(RandomTest, GroupedAggregatesOverInserts) {
  sql::plan a = unary(plan_kind::aggregate, scan(rel("s")), {});
  a.group_by = {mod(col(0), lit(I(3)))};
  a.aggregates = {agg(aggregate_fn::count_star, {}), agg(aggregate_fn::min, {col(1)}),
                  agg(aggregate_fn::max, {col(1)}),
                  agg(aggregate_fn::count, {col(1)}, data_type::bigint, true)};
  a.output.resize(1 + a.aggregates.size(), {"c", data_type::bigint});
  run(a, 300);
}

// Every multiset aggregate, DISTINCT ones over two argument expressions, under deletes and restarts,
// stored inline and apart.
TEST_P(RandomTest, DistinctAggregatesUnderDeletes) {
  scoped_inline_values_limit limit(16);  // groups start inline and move apart as they grow
  sql::plan a = unary(plan_kind::aggregate, scan(rel("r")), {});
  a.group_by = {mod(col(0), lit(I(2)))};
  a.aggregates = {agg(aggregate_fn::count, {col(1)}, data_type::bigint, true),
                  agg(aggregate_fn::sum, {col(1)}, data_type::bigint, true),
                  agg(aggregate_fn::avg, {col(1)}, data_type::double_precision, true),
                  agg(aggregate_fn::var_samp, {col(1)}, data_type::double_precision, true),
                  agg(aggregate_fn::min, {col(1)}, data_type::bigint, true),
                  agg(aggregate_fn::max, {col(1)}, data_type::bigint, true),
                  agg(aggregate_fn::count, {mod(col(1), lit(I(4)))}, data_type::bigint, true),
                  agg(aggregate_fn::avg, {mod(col(1), lit(I(4)))}, data_type::double_precision, true),
                  agg(aggregate_fn::min, {col(1)}),
                  agg(aggregate_fn::max, {add(col(0), col(1))})};
  a.output.resize(1 + a.aggregates.size(), {"c", data_type::bigint});
  run(a, 300);
}

TEST_P(RandomTest, GlobalAggregate) {
  sql::plan a =
      unary(plan_kind::aggregate, scan(rel("r")),
            columns({{"n", data_type::bigint}, {"s", data_type::bigint}, {"m", data_type::bigint}}));
  a.aggregates = {agg(aggregate_fn::count_star, {}), agg(aggregate_fn::sum, {col(1)}),
                  agg(aggregate_fn::min, {col(1)}),
                  agg(aggregate_fn::count, {col(1)}, data_type::bigint, true)};
  a.output.resize(4, {"d", data_type::bigint});
  run(a, 200);
}

// ROLLUP (k % 3, y % 2): each grouping set's groups follow deletes, and the grand total keeps its
// row when every row is gone.
TEST_P(RandomTest, GroupingSetsUnderDeletes) {
  const sql::relation_info& r = rel("r");
  sql::plan e = unary(plan_kind::grouping_sets, scan(r), r.columns);
  e.group_by = {mod(col(0), lit(I(3))), mod(col(1), lit(I(2)))};
  e.grouping_sets = {{0, 1}, {0}, {}};
  for (const char* name : {"a", "b", "set"}) e.output.push_back({name, data_type::bigint});
  auto width = static_cast<int>(r.columns.size());
  sql::plan a = unary(plan_kind::aggregate, std::move(e), {});
  a.group_by = {col(width), col(width + 1), col(width + 2)};
  a.aggregates = {agg(aggregate_fn::count_star, {}), agg(aggregate_fn::sum, {col(1)}),
                  agg(aggregate_fn::min, {col(1)}), agg(aggregate_fn::max, {col(1)}),
                  agg(aggregate_fn::count, {col(1)}, data_type::bigint, true)};
  a.output.resize(3 + a.aggregates.size(), {"c", data_type::bigint});
  run(a, 300);
}

TEST_P(RandomTest, Distinct) {
  sql::plan pr = unary(plan_kind::project, scan(rel("r")), columns({{"k", data_type::bigint}}));
  pr.exprs = {col(0)};
  run(unary(plan_kind::distinct, std::move(pr), columns({{"k", data_type::bigint}})), 200);
}

sql::plan join_rt(const sql::relation_info& r, const sql::relation_info& t, sql::join_type type) {
  sql::plan j;
  j.kind = plan_kind::join;
  j.join = type;
  j.inputs = {scan(r), scan(t)};
  j.output = concat(r.columns, t.columns);
  j.left_keys = {col(0)};
  j.right_keys = {col(0)};
  return j;
}

TEST_P(RandomTest, InnerJoinWithResidual) {
  sql::plan j = join_rt(rel("r"), rel("t"), sql::join_type::inner);
  j.residual = gt(col(1), lit(I(2)));
  run(j, 250);
}

// Both outer sides under inserts, deletes, NULL keys and a residual that rejects some matches: the
// padding of each row must follow its matches exactly.
TEST_P(RandomTest, FullJoinWithResidual) {
  sql::plan j = join_rt(rel("r"), rel("t"), sql::join_type::full);
  j.residual = gt(col(1), lit(I(2)));
  run(j, 250);
}

TEST_P(RandomTest, RightJoin) { run(join_rt(rel("r"), rel("t"), sql::join_type::right), 250); }

TEST_P(RandomTest, LeftJoinThenAggregate) {
  sql::plan j = join_rt(rel("r"), rel("t"), sql::join_type::left);
  sql::plan a =
      unary(plan_kind::aggregate, std::move(j),
            columns({{"name", data_type::text}, {"n", data_type::bigint}, {"s", data_type::bigint}}));
  a.group_by = {col(3, data_type::text)};
  a.aggregates = {agg(aggregate_fn::count_star, {}), agg(aggregate_fn::sum, {col(1)})};
  run(a, 250);
}

// Window values per partition under inserts, deletes and NULLs: a change re-ranks its partition, and
// only the rows whose values changed may leave the operator (the view would otherwise drift).
TEST_P(RandomTest, WindowFunctionsUnderDeletes) {
  sql::plan o = unary(plan_kind::over, scan(rel("r")), {});
  o.output = concat(rel("r").columns, columns({{"rank", data_type::bigint},
                                               {"row_number", data_type::bigint},
                                               {"sum", data_type::bigint},
                                               {"lag", data_type::bigint}}));
  auto call = [](sql::window_fn fn, std::vector<sql::expr> args = {}) {
    sql::window_call c;
    c.fn = fn;
    c.partition_by = {mod(col(0), lit(I(3)))};
    c.order_by = {sql::sort_key{col(1), true, true}};
    c.args = std::move(args);
    return c;
  };
  sql::window_call sum = call(sql::window_fn::aggregate);
  sum.aggregate = agg(aggregate_fn::sum, {col(1)});
  sum.frame.units = sql::frame_units::rows;
  sum.frame.start = sql::frame_bound::preceding;
  sum.frame.start_offset = 1;
  o.window_calls = {call(sql::window_fn::rank), call(sql::window_fn::row_number), sum,
                    call(sql::window_fn::lag, {col(0)})};
  run(o, 200);
}

// Top 2 per partition of an insert-only input: the operator forgets rows ranked past 2 (ties share a
// rank, so more than two rows may pass), and the view must still equal the query.
TEST_P(RandomTest, TopNOverInserts) {
  sql::plan o = unary(plan_kind::over, scan(rel("s")), {});
  o.output = concat(rel("s").columns, columns({{"rank", data_type::bigint}}));
  sql::window_call rank;
  rank.fn = sql::window_fn::rank;
  rank.partition_by = {mod(col(0), lit(I(3)))};
  rank.order_by = {sql::sort_key{col(1), true, false}};
  o.window_calls = {rank};
  sql::plan f = unary(plan_kind::filter, std::move(o), {});
  f.output = f.inputs[0].output;
  f.predicate = gt(lit(I(3)), col(2));  // 3 > rank
  run(f, 200);
}

INSTANTIATE_TEST_SUITE_P(Seeds, RandomTest, ::testing::Range(0, 8));

}  // namespace
}  // namespace sluice::stream
