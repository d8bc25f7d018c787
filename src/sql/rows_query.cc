#include "sql/rows_query.h"

#include <fmt/format.h>

#include <algorithm>

#include "sql/functions.h"
#include "sql/parse.h"
#include "sql/pg_tree.h"

namespace sluice::sql {
namespace {

// `'text'::type`, or NULL::type: a value as SQL text that reads back as the same value.
std::string literal(const value& v, const column& c) {
  std::string type(type_name(c.type));
  return v.is_null() ? "NULL::" + type : quote_literal_text(v.to_text()) + "::" + type;
}

// (VALUES ([n,] v, …), …), or with no rows a SELECT of NULLs that returns none (the columns' types
// still bind).
std::string rows_text(const rows_relation& r, bool numbered) {
  const schema& columns = r.table->columns;
  auto row_text = [&](const row* values, std::size_t n) {
    std::string out = numbered ? fmt::format("{}", n) : "";
    for (std::size_t i = 0; i < columns.size(); ++i) {
      out += (out.empty() ? "" : ", ") + literal(values ? (*values)[i] : value(), columns[i]);
    }
    return out;
  };
  if (r.rows.empty()) return "(SELECT " + row_text(nullptr, 0) + " WHERE false)";
  std::string out = "(VALUES ";
  for (std::size_t n = 0; n < r.rows.size(); ++n)
    out += (n == 0 ? "(" : ", (") + row_text(r.rows[n], n) + ")";
  return out + ")";
}

std::string alias_text(const rows_relation& r, bool numbered) {
  std::string out = quote_identifier(r.alias) + "(" + (numbered ? row_number_column : "");
  for (std::size_t i = 0; i < r.table->columns.size(); ++i)
    out += (i == 0 && !numbered ? "" : ", ") + quote_identifier(r.table->columns[i].name);
  return out + ")";
}

}  // namespace

sql_result<query_tree> query_over_rows(const std::string& statement_text,
                                       const std::vector<rows_relation>& from, bool numbered,
                                       const std::string& targets, const std::string& where) {
  std::string first = quote_identifier(from.at(0).alias);
  std::string scaffold_text =
      numbered ? fmt::format("SELECT {}.{} FROM ", first, row_number_column) : "SELECT FROM ";
  for (std::size_t i = 0; i < from.size(); ++i) {
    if (i > 0) scaffold_text += " JOIN ";
    scaffold_text += rows_text(from[i], numbered) + " AS " + alias_text(from[i], numbered);
    if (i > 0) {
      scaffold_text +=
          fmt::format(" ON {0}.{2} = {1}.{2}", first, quote_identifier(from[i].alias), row_number_column);
    }
  }
  // Constants are read back from the text at their locations, so the scaffold is parsed where it
  // stands in the query's text: after the statement's, whose locations `targets` and `where` keep.
  auto scaffold = pg_parse(std::string(statement_text.size(), ' ') + "\n" + scaffold_text);
  if (!scaffold) return tl::unexpected(scaffold.error());
  pg_node select = pg::node_body((*scaffold)->statement);
  std::string target_list;
  if (numbered) target_list = simdjson::minify(pg::list(select, "targetList").front());
  if (!targets.empty()) target_list += (target_list.empty() ? "" : ",") + targets;
  std::string json = R"({"SelectStmt":{"targetList":[)" + target_list + R"(],"fromClause":[)" +
                     simdjson::minify(pg::list(select, "fromClause").front()) + "]";
  if (!where.empty()) json += R"(,"whereClause":)" + where;
  json += R"(,"limitOption":"LIMIT_OPTION_DEFAULT","op":"SETOP_NONE"}})";
  auto tree = std::make_shared<parse_tree>();
  tree->sql = statement_text + "\n" + scaffold_text;
  tree->json = std::move(json);
  auto doc = tree->parser->parse(tree->json);
  if (doc.error() != simdjson::SUCCESS) return sql_fail(sqlstate::internal_error, "unreadable parse tree");
  tree->statement = doc.value();
  tree->select = pg::node_body(tree->statement);
  return query_tree(tree);
}

sql_result<std::vector<set_item>> read_set_list(pg_node owner) {
  std::vector<set_item> out;
  for (pg_node t : pg::list(owner, "targetList")) {
    pg_node target = pg::node_body(t);
    int at = static_cast<int>(pg::integer(target, "location", -1));
    auto value = pg::field(target, "val");
    if (!value || pg::is(*value, "MultiAssignRef") || !pg::list(target, "indirection").empty())
      return sql_fail(sqlstate::feature_not_supported, "SET takes one column and one value at a time", at);
    if (pg::is(*value, "SetToDefault"))
      return sql_fail(sqlstate::feature_not_supported, "SET … = DEFAULT is not supported", at);
    out.push_back({std::string(pg::string(target, "name")),
                   R"({"ResTarget":{"val":)" + simdjson::minify(*value) + "}}", at});
  }
  return out;
}

sql_result<std::vector<std::size_t>> set_columns(const std::vector<std::string>& names,
                                                 const relation_info& table) {
  std::vector<std::size_t> out;
  for (const std::string& name : names) {
    int found = column_index(table.columns, name);
    if (found < 0) {
      return sql_fail(sqlstate::undefined_column,
                      fmt::format("column \"{}\" of relation \"{}\" does not exist", name, table.name));
    }
    auto at = static_cast<std::size_t>(found);
    if (std::find(out.begin(), out.end(), at) != out.end())
      return sql_fail(sqlstate::syntax_error,
                      fmt::format("multiple assignments to same column \"{}\"", name));
    out.push_back(at);
  }
  return out;
}

sql_result<query_result> returning_result(
    const std::string& statement_text, const std::string& returning, const relation_info& table,
    const std::string& alias, const std::vector<row>& rows, std::string tag,
    const std::function<sql_result<query_result>(const query_tree&)>& run_query) {
  if (returning.empty()) return query_result{{}, {}, std::move(tag)};
  rows_relation written{alias, &table, {}};
  for (const row& r : rows) written.rows.push_back(&r);
  auto query = query_over_rows(statement_text, {written}, false, returning);
  if (!query) return tl::unexpected(query.error());
  auto result = run_query(*query);
  if (!result) return tl::unexpected(result.error());
  result->tag = std::move(tag);
  return result;
}

}  // namespace sluice::sql
