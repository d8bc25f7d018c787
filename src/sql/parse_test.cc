#include "sql/parse.h"

#include <gtest/gtest.h>

namespace sluice::sql {
namespace {

template <typename T>
T parse_as(std::string_view sql) {
  auto stmt = parse_statement(sql);
  EXPECT_TRUE(stmt.has_value()) << sql << ": " << (stmt ? "" : stmt.error().message);
  if (!stmt || !std::holds_alternative<T>(*stmt)) {
    ADD_FAILURE() << sql << " parsed as variant " << (stmt ? stmt->index() : 99);
    return T{};
  }
  return std::get<T>(*stmt);
}

sql_error parse_error(std::string_view sql) {
  auto stmt = parse_statements(sql);
  EXPECT_FALSE(stmt.has_value()) << sql;
  return stmt ? sql_error{} : stmt.error();
}

TEST(Parse, CreateSourceWithWatermarkAndOptions) {
  auto s = parse_as<create_source_stmt>(
      "CREATE SOURCE IF NOT EXISTS orders (id bigint, price double precision, ts timestamp, "
      "WATERMARK FOR ts AS ts - INTERVAL '5' SECOND) WITH (topic = 'orders', format = 'json', "
      "scan.startup.mode = earliest)");
  EXPECT_TRUE(s.if_not_exists);
  EXPECT_EQ(s.relation.name, "orders");
  EXPECT_EQ(s.relation.kind, relation_kind::source);
  ASSERT_EQ(s.relation.columns.size(), 3u);
  EXPECT_EQ(s.relation.columns[1].type, data_type::double_precision);
  ASSERT_TRUE(s.relation.watermark.has_value());
  EXPECT_EQ(s.relation.watermark->column, 2);
  EXPECT_EQ(s.relation.watermark->delay_micros, 5'000'000);
  EXPECT_EQ(s.relation.options.at("topic"), "orders");
  EXPECT_EQ(s.relation.options.at("format"), "json");
  EXPECT_EQ(s.relation.options.at("scan.startup.mode"), "earliest");
  EXPECT_TRUE(s.relation.definition.starts_with("CREATE SOURCE IF NOT EXISTS orders"));
}

TEST(Parse, CreateTableWithPrimaryKey) {
  auto t = parse_as<create_table_stmt>(
      "CREATE TABLE users (id bigint, name text, PRIMARY KEY (id)) WITH (topic = 'users', format = 'csv');");
  EXPECT_EQ(t.relation.kind, relation_kind::table);
  EXPECT_EQ(t.relation.primary_key, std::vector<int>{0});
  EXPECT_EQ(t.relation.options.at("format"), "csv");
}

TEST(Parse, ViewsKeepTheirQueryText) {
  auto v = parse_as<create_view_stmt>(
      "CREATE MATERIALIZED VIEW IF NOT EXISTS v AS SELECT a, count(*) FROM t GROUP BY a;");
  EXPECT_EQ(v.name, "v");
  EXPECT_TRUE(v.if_not_exists);
  EXPECT_EQ(v.query_sql, "SELECT a, count(*) FROM t GROUP BY a");
  ASSERT_NE(v.query, nullptr);
}

TEST(Parse, Sinks) {
  auto from = parse_as<create_sink_stmt>("CREATE SINK s FROM v WITH (topic = 'out', format = 'json')");
  EXPECT_EQ(from.from, "v");
  EXPECT_EQ(from.options.at("topic"), "out");
  auto as = parse_as<create_sink_stmt>("CREATE SINK s AS SELECT a FROM t WHERE a > 1 WITH (topic = 'out')");
  EXPECT_EQ(as.query_sql, "SELECT a FROM t WHERE a > 1");
  ASSERT_NE(as.query, nullptr);
}

TEST(Parse, DropShowDescribe) {
  auto d = parse_as<drop_stmt>("DROP MATERIALIZED VIEW IF EXISTS v CASCADE");
  EXPECT_EQ(d.kind, relation_kind::view);
  EXPECT_TRUE(d.if_exists);
  EXPECT_TRUE(d.cascade);
  EXPECT_EQ(parse_as<drop_stmt>("drop sink s").kind, relation_kind::sink);
  EXPECT_EQ(parse_as<show_relations_stmt>("SHOW MATERIALIZED VIEWS").kind, relation_kind::view);
  EXPECT_EQ(parse_as<show_relations_stmt>("show sources").kind, relation_kind::source);
  EXPECT_EQ(parse_as<show_variable_stmt>("SHOW TimeZone").name, "timezone");
  EXPECT_EQ(parse_as<describe_stmt>("DESCRIBE orders").name, "orders");
}

TEST(Parse, SessionStatements) {
  auto set = parse_as<set_stmt>("SET application_name = 'psql'");
  EXPECT_EQ(set.name, "application_name");
  EXPECT_EQ(set.value, "psql");
  EXPECT_EQ(parse_as<set_stmt>("SET extra_float_digits TO 3").value, "3");
  EXPECT_EQ(parse_as<set_stmt>("SET TIME ZONE 'UTC'").value, "UTC");
  EXPECT_EQ(parse_as<transaction_stmt>("BEGIN").what, transaction_stmt::action::begin);
  EXPECT_EQ(parse_as<transaction_stmt>("COMMIT").what, transaction_stmt::action::commit);
  EXPECT_EQ(parse_as<transaction_stmt>("ROLLBACK").what, transaction_stmt::action::rollback);
}

TEST(Parse, Explain) {
  auto e = parse_as<explain_stmt>("EXPLAIN SELECT 1");
  EXPECT_FALSE(e.view.has_value());
  auto v = parse_as<explain_stmt>("EXPLAIN CREATE MATERIALIZED VIEW v AS SELECT 1");
  ASSERT_TRUE(v.view.has_value());
  EXPECT_EQ(v.view->name, "v");
}

TEST(Parse, SeveralStatements) {
  auto all = parse_statements("SELECT 1; CREATE SOURCE s (a bigint) WITH (topic = 't'); SHOW SOURCES;");
  ASSERT_TRUE(all.has_value());
  EXPECT_EQ(all->size(), 3u);
}

TEST(Parse, SyntaxErrorsHavePositions) {
  sql_error e = parse_error("SELECT * FROM FROM");
  EXPECT_EQ(e.code, "42601");
  EXPECT_EQ(e.message, "syntax error at or near \"FROM\"");
  EXPECT_EQ(e.position, 14);
  e = parse_error("SELEC 1");
  EXPECT_EQ(e.code, "42601");
  EXPECT_EQ(e.position, 0);
  // In the second statement, positions count from the start of the whole string.
  e = parse_error("SELECT 1; SELECT 1 +");
  EXPECT_EQ(e.position, 20);
  // Errors in the hand-parsed clauses too.
  e = parse_error("CREATE SOURCE s (a bigint) WITH (topic 'x')");
  EXPECT_EQ(e.message, "syntax error at or near \"'x'\"");
  EXPECT_EQ(e.position, 39);
  e = parse_error("CREATE SOURCE s (a bigint, WATERMARK FOR b AS b) WITH (topic = 'x')");
  EXPECT_EQ(e.code, "42703");
  EXPECT_EQ(e.position, 27);
  e = parse_error("CREATE SOURCE s (a bogus) WITH (topic = 'x')");
  EXPECT_EQ(e.message, "type \"bogus\" does not exist");
  EXPECT_EQ(e.position, 19);
}

}  // namespace
}  // namespace sluice::sql
