// Binder errors: Postgres's SQLSTATEs, messages and positions (0-based byte offsets).
#include "sql/bind.h"

#include <gtest/gtest.h>

#include <algorithm>

#include "sql/parse.h"

namespace sluice::sql {
namespace {

class test_catalog : public catalog_reader {
 public:
  test_catalog() {
    relation_info orders;
    orders.name = "orders";
    orders.columns = {{"id", data_type::bigint},
                      {"customer", data_type::text},
                      {"amount", data_type::double_precision},
                      {"ts", data_type::timestamp}};
    relations_.push_back(orders);
    relation_info customers;
    customers.name = "customers";
    customers.kind = relation_kind::table;
    customers.columns = {{"id", data_type::bigint}, {"name", data_type::text}};
    relations_.push_back(customers);
  }
  std::vector<const relation_info*> list() const override {
    std::vector<const relation_info*> out;
    for (const relation_info& r : relations_) out.push_back(&r);
    return out;
  }
  const relation_info* find(std::string_view name) const override {
    for (const relation_info& r : relations_) {
      if (r.name == name) return &r;
    }
    return nullptr;
  }

 private:
  std::vector<relation_info> relations_;
};

sql_result<plan> bind(std::string_view sql) {
  auto stmt = parse_statement(sql);
  if (!stmt) return tl::unexpected(stmt.error());
  test_catalog catalog;
  return bind_select(*std::get<select_stmt>(*stmt).query, catalog);
}

struct expected_error {
  const char* sql;
  const char* code;
  const char* message;
  int position;
};

class BindError : public testing::TestWithParam<expected_error> {};

TEST_P(BindError, MatchesPostgres) {
  const expected_error& want = GetParam();
  auto result = bind(want.sql);
  ASSERT_FALSE(result.has_value()) << want.sql;
  EXPECT_EQ(result.error().code, want.code) << want.sql;
  EXPECT_EQ(result.error().message, want.message) << want.sql;
  EXPECT_EQ(result.error().position, want.position) << want.sql;
}

INSTANTIATE_TEST_SUITE_P(
    Binder, BindError,
    testing::Values(
        expected_error{"SELECT * FROM nope", "42P01", "relation \"nope\" does not exist", 14},
        expected_error{"SELECT nope FROM orders", "42703", "column \"nope\" does not exist", 7},
        expected_error{"SELECT o.nope FROM orders o", "42703", "column o.nope does not exist", 7},
        expected_error{"SELECT id FROM orders, customers", "42702", "column reference \"id\" is ambiguous",
                       7},
        expected_error{"SELECT foo(id) FROM orders", "42883", "function foo(bigint) does not exist", 7},
        expected_error{"SELECT customer + 1 FROM orders", "42883", "operator does not exist: text + bigint",
                       16},
        expected_error{"SELECT -customer FROM orders", "42883", "operator does not exist: - text", 7},
        expected_error{
            "SELECT customer, count(*) FROM orders GROUP BY id", "42803",
            "column \"orders.customer\" must appear in the GROUP BY clause or be used in an aggregate "
            "function",
            7},
        expected_error{"SELECT id FROM orders WHERE id", "42804",
                       "argument of WHERE must be type boolean, not type bigint", 28},
        expected_error{"SELECT id FROM orders WHERE sum(id) > 1", "42803",
                       "aggregate functions are not allowed in WHERE", 28},
        expected_error{"SELECT 1 FROM orders WHERE ts > 'yesterday-ish'", "22007",
                       "invalid input syntax for type timestamp: \"yesterday-ish\"", 32},
        expected_error{"SELECT CASE WHEN true THEN 1 ELSE 'x'::text END", "42804",
                       "CASE types bigint and text cannot be matched", 34},
        expected_error{"SELECT x.id FROM orders", "42P01", "missing FROM-clause entry for table \"x\"", 7},
        expected_error{"SELECT * FROM (SELECT 1)", "42601", "subquery in FROM must have an alias", 14},
        expected_error{"SELECT id FROM orders ORDER BY 5", "42P10",
                       "ORDER BY position 5 is not in select list", 31},
        expected_error{"SELECT 'abc'::bigint", "22P02", "invalid input syntax for type bigint: \"abc\"", 7}));

// Queries inside streaming statements keep positions in the text the user sent.
TEST(Bind, PositionsInsideStreamingStatementsPointIntoTheOriginalText) {
  test_catalog catalog;
  std::string sql = "SELECT 1; CREATE SINK s AS SELECT nope FROM orders WITH (topic = 't')";
  auto stmts = parse_statements(sql);
  ASSERT_TRUE(stmts.has_value()) << stmts.error().message;
  auto bound = bind_select(*std::get<create_sink_stmt>((*stmts)[1]).query, catalog);
  ASSERT_FALSE(bound.has_value());
  EXPECT_EQ(bound.error().position, static_cast<int>(sql.find("nope")));
  sql = "EXPLAIN CREATE MATERIALIZED VIEW v AS SELECT id FROM orders WHERE customer + 1 > 0";
  auto explained = parse_statement(sql);
  ASSERT_TRUE(explained.has_value());
  bound = bind_select(*std::get<explain_stmt>(*explained).query, catalog);
  ASSERT_FALSE(bound.has_value());
  EXPECT_EQ(bound.error().message, "operator does not exist: text + bigint");
  EXPECT_EQ(bound.error().position, static_cast<int>(sql.find("+ 1")));
}

TEST(Bind, ResultColumnsAreNamedLikePostgres) {
  auto p = bind(
      "SELECT id, count(*), sum(amount) AS total, amount * 2, lower(customer), CAST(id AS text), "
      "CASE WHEN true THEN 1 END, coalesce(id, 0) FROM orders GROUP BY id, amount, customer");
  ASSERT_TRUE(p.has_value()) << p.error().message;
  std::vector<std::string> names;
  for (const column& c : p->output) names.push_back(c.name);
  EXPECT_EQ(names, (std::vector<std::string>{"id", "count", "total", "?column?", "lower", "id", "case",
                                             "coalesce"}));
}

TEST(Bind, UnknownLiteralsTakeTheOtherOperandsType) {
  auto p = bind("SELECT id FROM orders WHERE ts >= '2024-01-01' AND amount > '1.5'");
  ASSERT_TRUE(p.has_value()) << p.error().message;
  const plan& filter = p->inputs[0];
  ASSERT_EQ(filter.kind, plan_kind::filter);
  EXPECT_EQ(filter.predicate.args[0].args[1].type, data_type::timestamp);
  EXPECT_EQ(filter.predicate.args[1].args[1].type, data_type::double_precision);
}

TEST(Bind, NumericPromotionAndIntegerDivision) {
  // As in Postgres, 1.5 is numeric: bigint * numeric is numeric, and numeric meets double in double.
  auto p = bind("SELECT id / 2, id + amount, id * 1.5, amount * 1.5 FROM orders");
  ASSERT_TRUE(p.has_value());
  EXPECT_EQ(p->output[0].type, data_type::bigint);
  EXPECT_EQ(p->output[1].type, data_type::double_precision);
  EXPECT_EQ(p->output[2].type, data_type::numeric);
  EXPECT_EQ(p->output[3].type, data_type::double_precision);
}

TEST(Bind, JoinConditionsSplitIntoKeysResidualAndPushedFilters) {
  auto p = bind(
      "SELECT o.id FROM orders o JOIN customers c ON o.id = c.id AND o.amount > 5 AND c.name = o.customer "
      "AND o.customer < c.name");
  ASSERT_TRUE(p.has_value()) << p.error().message;
  const plan& join = p->inputs[0];
  ASSERT_EQ(join.kind, plan_kind::join);
  ASSERT_EQ(join.left_keys.size(), 2u);
  EXPECT_EQ(join.left_keys[0].column, 0);
  EXPECT_EQ(join.right_keys[0].column, 0);
  EXPECT_EQ(join.left_keys[1].column, 1);   // o.customer
  EXPECT_EQ(join.right_keys[1].column, 1);  // c.name, relative to the right input
  EXPECT_EQ(to_string(join.residual), "(o.customer < c.name)");
  ASSERT_EQ(join.inputs[0].kind, plan_kind::filter);  // the left-only condition filters before the join
  EXPECT_EQ(to_string(join.inputs[0].predicate), "(o.amount > 5)");
}

TEST(Bind, OuterJoinConditionsStayInTheJoin) {
  auto p = bind("SELECT 1 FROM orders o LEFT JOIN customers c ON o.id = c.id AND o.amount > 5");
  ASSERT_TRUE(p.has_value()) << p.error().message;
  const plan& join = p->inputs[0];
  EXPECT_EQ(join.left_keys.size(), 1u);
  EXPECT_EQ(to_string(join.residual), "(o.amount > 5)");
  EXPECT_EQ(join.inputs[0].kind, plan_kind::scan);
}

TEST(Bind, CommaJoinsTakeEqualitiesFromWhere) {
  auto p = bind("SELECT 1 FROM orders, customers WHERE orders.id = customers.id AND customers.name = 'x'");
  ASSERT_TRUE(p.has_value()) << p.error().message;
  const plan& join = p->inputs[0];
  ASSERT_EQ(join.kind, plan_kind::join);
  EXPECT_EQ(join.left_keys.size(), 1u);
  ASSERT_EQ(join.inputs[1].kind, plan_kind::filter);
  EXPECT_EQ(to_string(join.inputs[1].predicate), "(customers.name = 'x')");
}

TEST(Bind, WindowsAddStartAndEndColumns) {
  auto p = bind(
      "SELECT window_start, count(*) FROM TUMBLE(orders, ts, INTERVAL '5' MINUTE) GROUP BY window_start");
  ASSERT_TRUE(p.has_value()) << p.error().message;
  const plan* w = &*p;
  while (w->kind != plan_kind::window) w = &w->inputs[0];
  EXPECT_EQ(w->window.size_micros, 300'000'000);
  EXPECT_EQ(w->output.size(), 6u);
  EXPECT_EQ(w->output[4].name, "window_start");
  EXPECT_EQ(w->output[5].type, data_type::timestamp);
}

TEST(Bind, SubqueryErrorsPointAtTheSubqueryOrTheColumn) {
  struct {
    std::string sql;
    const char* code;
    const char* message;
    std::string at;  // the text the position points at
  } cases[] = {
      {"SELECT (SELECT id, name FROM customers)", "42601", "subquery must return only one column",
       "(SELECT id,"},
      {"SELECT 1 FROM orders WHERE id IN (SELECT id, name FROM customers)", "42601",
       "subquery has too many columns", "IN (SELECT"},
      {"SELECT customer, (SELECT count(*) FROM customers c WHERE c.id = o.id) FROM orders o GROUP BY "
       "customer",
       "42803", "subquery uses ungrouped column \"o.id\" from outer query", "o.id)"},
      {"SELECT (SELECT nope FROM customers) FROM orders", "42703", "column \"nope\" does not exist", "nope"},
      {"SELECT (SELECT c.id FROM customers c WHERE c.name = o.nope) FROM orders o", "42703",
       "column o.nope does not exist", "o.nope"},
  };
  for (const auto& c : cases) {
    auto result = sql::bind(c.sql);
    ASSERT_FALSE(result.has_value()) << c.sql;
    EXPECT_EQ(result.error().code, c.code) << c.sql;
    EXPECT_EQ(result.error().message, c.message) << c.sql;
    EXPECT_EQ(result.error().position, static_cast<int>(c.sql.find(c.at))) << c.sql;
  }
}

TEST(Bind, MaterializedViewsRefuseSubqueriesWithAHint) {
  auto stmt = parse_statement("SELECT id FROM orders WHERE id IN (SELECT id FROM customers)");
  ASSERT_TRUE(stmt.has_value());
  test_catalog catalog;
  auto result = bind_select(*std::get<select_stmt>(*stmt).query, catalog, query_use::materialized);
  ASSERT_FALSE(result.has_value());
  EXPECT_EQ(result.error().code, "0A000");
  EXPECT_NE(result.error().hint.find("JOIN"), std::string::npos);
}

TEST(Bind, SubqueriesReadOuterColumnsAsParameters) {
  auto p = bind(
      "SELECT EXISTS (SELECT 1 FROM customers), (SELECT max(name) FROM customers c WHERE c.id = o.id), "
      "(SELECT name AS n FROM customers LIMIT 1), id IN (SELECT id FROM customers) FROM orders o");
  ASSERT_TRUE(p.has_value()) << p.error().message;
  ASSERT_EQ(p->output.size(), 4u);
  EXPECT_EQ(p->output[0].name, "exists");
  EXPECT_EQ(p->output[1].name, "max");
  EXPECT_EQ(p->output[2].name, "n");
  EXPECT_EQ(p->output[3].name, "?column?");
  EXPECT_EQ(p->output[1].type, data_type::text);
  EXPECT_EQ(to_string(p->exprs[1]), "(SubPlan)");
  ASSERT_EQ(p->exprs[1].args.size(), 1u);  // o.id, passed in as the subquery's outer value
  EXPECT_EQ(to_string(p->exprs[1].args[0]), "o.id");
  EXPECT_EQ(to_string(p->exprs[3]), "(o.id = ANY(SubPlan))");
  std::string text = explain(*p);
  EXPECT_NE(text.find("SubPlan\n"), std::string::npos) << text;
  EXPECT_NE(text.find("(c.id = $o.id)"), std::string::npos) << text;
  std::vector<std::string> scanned = scanned_relations(*p);
  EXPECT_EQ(std::count(scanned.begin(), scanned.end(), "customers"), 4) << text;
}

}  // namespace
}  // namespace sluice::sql
