// sql/parse.cc — splits a query string into statements and routes each to the PostgreSQL grammar or
// to the streaming front (front.cc), then turns the grammar's statements into `statement` values.
#include "sql/parse.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <map>

#include "sql/front.h"
#include "sql/functions.h"
#include "sql/rows_query.h"

namespace sluice::sql {
namespace {

std::string trimmed(std::string_view s) {
  while (!s.empty() && (std::isspace(static_cast<unsigned char>(s.front())))) s.remove_prefix(1);
  while (!s.empty() && (std::isspace(static_cast<unsigned char>(s.back())) || s.back() == ';'))
    s.remove_suffix(1);
  return std::string(s);
}

std::string const_text(pg_node n) {
  pg_node body = pg::node_body(n);
  if (pg::is(n, "A_Const")) {
    if (auto s = pg::field(body, "sval")) return std::string(pg::string(*s, "sval"));
    if (auto f = pg::field(body, "fval")) return std::string(pg::string(*f, "fval"));
    if (auto i = pg::field(body, "ival")) return std::to_string(pg::integer(*i, "ival"));
    if (auto b = pg::field(body, "boolval")) return pg::flag(*b, "boolval") ? "on" : "off";
  }
  if (pg::is(n, "TypeCast")) return const_text(*pg::field(body, "arg"));
  return "";
}

sql_result<statement> from_set(pg_node body) {
  set_stmt out;
  out.name = pg::string(body, "name");
  std::transform(out.name.begin(), out.name.end(), out.name.begin(),
                 [](unsigned char c) { return std::tolower(c); });
  std::string_view kind = pg::string(body, "kind");
  if (kind == "VAR_SET_DEFAULT" || kind == "VAR_RESET" || kind == "VAR_RESET_ALL") {
    out.reset = true;
    if (kind == "VAR_RESET_ALL") out.name = "all";
    return out;
  }
  for (pg_node arg : pg::list(body, "args")) {
    if (!out.value.empty()) out.value += ", ";
    out.value += const_text(arg);
  }
  return out;
}

sql_result<statement> from_transaction(pg_node body, int position) {
  std::string_view kind = pg::string(body, "kind");
  if (kind == "TRANS_STMT_BEGIN" || kind == "TRANS_STMT_START")
    return transaction_stmt{transaction_stmt::action::begin};
  if (kind == "TRANS_STMT_COMMIT") return transaction_stmt{transaction_stmt::action::commit};
  if (kind == "TRANS_STMT_ROLLBACK") return transaction_stmt{transaction_stmt::action::rollback};
  return sql_fail(sqlstate::feature_not_supported, "savepoints and two-phase commit are not supported",
                  position);
}

// RETURNING's ResTarget nodes as JSON, joined by commas (rows_query.h evaluates them).
std::string returning_of(pg_node body) {
  std::string out;
  for (pg_node target : pg::list(body, "returningList"))
    out += (out.empty() ? "" : ",") + simdjson::minify(target);
  return out;
}

// The name a statement's target table goes by: its alias, else its name.
std::string alias_of(pg_node range_var) {
  if (auto alias = pg::field(range_var, "alias")) return std::string(pg::string(*alias, "aliasname"));
  return std::string(pg::string(range_var, "relname"));
}

sql_result<statement> from_insert(std::shared_ptr<parse_tree> tree, pg_node body) {
  insert_stmt out;
  pg_node rel = *pg::field(body, "relation");
  out.table = pg::string(rel, "relname");
  out.alias = alias_of(rel);
  out.position = static_cast<int>(pg::integer(rel, "location", -1));
  for (pg_node col : pg::list(body, "cols")) out.columns.emplace_back(pg::string(pg::node_body(col), "name"));
  out.returning = returning_of(body);
  // ON CONFLICT is resolved when the statement runs (resolve_insert_conflicts), against the table's rows.
  if (auto conflict = pg::field(body, "onConflictClause");
      conflict && pg::string(*conflict, "action") == "ONCONFLICT_UPDATE" && !pg::field(*conflict, "infer")) {
    return sql_fail(sqlstate::syntax_error,
                    "ON CONFLICT DO UPDATE requires inference specification or constraint name",
                    static_cast<int>(pg::integer(*conflict, "location", -1)));
  }
  auto select = pg::field(body, "selectStmt");
  if (!select)
    return sql_fail(sqlstate::feature_not_supported, "INSERT needs VALUES or SELECT", out.position);
  tree->select = pg::node_body(*select);
  out.query = std::move(tree);
  return out;
}

// DELETE and UPDATE become a SELECT over the table: `*`, then each SET value, under the statement's
// WHERE. The SELECT is built from the statement's own parse nodes, so its locations (and every error
// position) still point into the statement's text.
sql_result<statement> from_modify(const parse_tree& tree, pg_node body, bool update) {
  modify_stmt out;
  out.update = update;
  pg_node rel = *pg::field(body, "relation");
  out.table = pg::string(rel, "relname");
  out.alias = alias_of(rel);
  out.position = static_cast<int>(pg::integer(rel, "location", -1));
  out.returning = returning_of(body);
  const char* verb = update ? "UPDATE" : "DELETE";
  auto refuse = [&](const char* clause) {
    return sql_fail(sqlstate::feature_not_supported, fmt::format("{} … {} is not supported", verb, clause),
                    out.position);
  };
  if (!pg::list(body, update ? "fromClause" : "usingClause").empty())
    return refuse(update ? "FROM" : "USING");
  if (pg::field(body, "withClause")) return refuse("WITH");
  std::string targets = R"({"ResTarget":{"val":{"ColumnRef":{"fields":[{"A_Star":{}}]}}}})";
  auto items = read_set_list(body);
  if (!items) return tl::unexpected(items.error());
  for (set_item& item : *items) {
    out.set_columns.push_back(std::move(item.column));
    targets += "," + item.target;
  }
  std::string select = R"({"SelectStmt":{"targetList":[)" + targets + R"(],"fromClause":[{"RangeVar":)" +
                       simdjson::minify(rel) + "}]";
  if (auto where = pg::field(body, "whereClause")) select += R"(,"whereClause":)" + simdjson::minify(*where);
  select += R"(,"limitOption":"LIMIT_OPTION_DEFAULT","op":"SETOP_NONE"}})";
  auto query = std::make_shared<parse_tree>();
  query->sql = tree.sql;
  query->json = std::move(select);
  auto doc = query->parser->parse(query->json);
  if (doc.error() != simdjson::SUCCESS) return sql_fail(sqlstate::internal_error, "unreadable parse tree");
  query->statement = doc.value();
  query->select = pg::node_body(query->statement);
  out.query = std::move(query);
  return out;
}

// TRUNCATE t: DELETE FROM t, tagged as a TRUNCATE. One table at a time (no foreign keys, no sequences).
sql_result<statement> from_truncate(pg_node body) {
  std::vector<pg_node> relations = pg::list(body, "relations");
  if (relations.size() != 1) {
    return sql_fail(sqlstate::feature_not_supported, "TRUNCATE takes one table at a time",
                    relations.size() > 1 ? pg::location(relations[1]) : -1);
  }
  pg_node rel = pg::node_body(relations[0]);
  auto tree = pg_parse("DELETE FROM " + quote_identifier(std::string(pg::string(rel, "relname"))));
  if (!tree) return tl::unexpected(tree.error());
  auto deleted = from_modify(**tree, pg::node_body((*tree)->statement), false);
  if (!deleted) return deleted;
  auto& stmt = std::get<modify_stmt>(*deleted);
  stmt.truncate = true;
  stmt.position = pg::location(relations[0]);
  return deleted;
}

sql_result<statement> from_create_index(pg_node body) {
  create_index_stmt out;
  pg_node rel = *pg::field(body, "relation");
  out.relation = pg::string(rel, "relname");
  out.position = static_cast<int>(pg::integer(rel, "location", -1));
  out.unique = pg::flag(body, "unique");
  for (pg_node param : pg::list(body, "indexParams")) {
    std::string_view name = pg::string(pg::node_body(param), "name");
    if (name.empty()) {  // an expression: nothing to check it against but the binder, which an index skips
      return sql_fail(sqlstate::feature_not_supported, "indexes on expressions are not supported",
                      pg::location(param));
    }
    out.columns.emplace_back(name);
  }
  return out;
}

// A statement the PostgreSQL grammar knows.
sql_result<statement> parse_with_grammar(const std::string& text, int first_pos) {
  auto tree = pg_parse(text);
  if (!tree) return tl::unexpected(tree.error());
  pg_node stmt = (*tree)->statement;
  std::string_view type = pg::node_type(stmt);
  pg_node body = pg::node_body(stmt);
  (*tree)->statement = body;
  if (type == "SelectStmt") {
    (*tree)->select = body;
    return select_stmt{*tree, trimmed(text)};
  }
  if (type == "InsertStmt") return from_insert(*tree, body);
  if (type == "DeleteStmt" || type == "UpdateStmt") return from_modify(**tree, body, type == "UpdateStmt");
  if (type == "TruncateStmt") return from_truncate(body);
  if (type == "IndexStmt") return from_create_index(body);
  if (type == "VariableSetStmt") return from_set(body);
  if (type == "TransactionStmt") return from_transaction(body, first_pos);
  if (type == "VariableShowStmt") return show_variable_stmt{std::string(pg::string(body, "name"))};
  return sql_fail(sqlstate::feature_not_supported, fmt::format("statement is not supported: {}", type),
                  first_pos);
}

sql_result<statement> parse_one(std::string text);

sql_result<statement> parse_explain(std::string text, const std::vector<token>& tokens) {
  std::fill(text.begin() + tokens[0].pos, text.begin() + tokens[0].end, ' ');
  auto inner = parse_one(std::move(text));
  if (!inner) return inner;
  if (auto* select = std::get_if<select_stmt>(&*inner)) return explain_stmt{select->query, std::nullopt};
  if (auto* view = std::get_if<create_view_stmt>(&*inner)) return explain_stmt{view->query, *view};
  return sql_fail(sqlstate::feature_not_supported, "EXPLAIN supports SELECT and CREATE MATERIALIZED VIEW",
                  tokens[1].pos);
}

sql_result<statement> parse_one(std::string text) {
  std::vector<token> tokens = lex(text);
  while (tokens.size() > 1 && tokens[tokens.size() - 2].text == ";" &&
         tokens[tokens.size() - 2].kind == token_kind::symbol) {
    tokens.erase(tokens.end() - 2);
  }
  const std::string& first = tokens[0].text;
  const std::string& second = tokens[1].text;
  if (first == "create" && second == "source") return parse_create_relation(text, tokens, false);
  if (first == "create" && second == "table") return parse_create_relation(text, tokens, true);
  if (first == "create" && second == "sink") return parse_create_sink(text, tokens);
  if (first == "create" && second == "materialized") return parse_create_view(text, tokens);
  if (first == "create" && (second == "view" || second == "or")) return parse_create_plain_view(text, tokens);
  if (first == "drop") return parse_drop(tokens);
  if (first == "show") return parse_show(tokens);
  if (first == "describe" || first == "desc") return parse_describe(tokens);
  if (first == "explain") return parse_explain(std::move(text), tokens);
  return parse_with_grammar(text, tokens[0].pos);
}

}  // namespace

// Statements end at semicolons outside strings, quoted names and comments (the front's lexer knows
// those). libpg-query's own splitters drop statements that do not start with a keyword they know.
sql_result<std::vector<statement>> parse_statements(std::string_view sql) {
  std::string input(sql);
  std::vector<std::pair<std::size_t, std::size_t>> ranges;
  std::size_t begin = 0;
  for (const token& t : lex(input)) {
    if (t.kind == token_kind::end || (t.kind == token_kind::symbol && t.text == ";")) {
      ranges.emplace_back(begin, static_cast<std::size_t>(t.pos) - begin);
      begin = static_cast<std::size_t>(t.end);
    }
  }
  std::vector<statement> out;
  for (auto [at, size] : ranges) {
    if (lex(std::string_view(input).substr(at, size)).size() == 1) continue;  // only blanks and comments
    auto stmt = parse_one(std::string(at, ' ') + input.substr(at, size));
    if (!stmt) return tl::unexpected(stmt.error());
    out.push_back(std::move(*stmt));
  }
  return out;
}

sql_result<statement> parse_statement(std::string_view sql) {
  auto all = parse_statements(sql);
  if (!all) return tl::unexpected(all.error());
  if (all->size() != 1) {
    return sql_fail(sqlstate::syntax_error,
                    all->empty() ? "empty statement" : "expected exactly one statement");
  }
  return std::move(all->front());
}

std::string server_version_string() {
  return "PostgreSQL 15.4 (Sluice) on x86_64-pc-linux-gnu, compiled by g++, 64-bit";
}

std::optional<std::string> default_setting(std::string_view name) {
  static const std::map<std::string, std::string, std::less<>> settings = {
      {"application_name", ""},
      {"client_encoding", "UTF8"},
      {"client_min_messages", "notice"},
      {"datestyle", "ISO, MDY"},
      {"default_transaction_isolation", "read committed"},
      {"default_transaction_read_only", "off"},
      {"extra_float_digits", "1"},
      {"integer_datetimes", "on"},
      {"intervalstyle", "postgres"},
      {"is_superuser", "on"},
      {"lc_collate", "C"},
      {"lc_ctype", "C"},
      {"max_identifier_length", "63"},
      {"search_path", "\"$user\", public"},
      {"server_encoding", "UTF8"},
      {"server_version", "15.4"},
      {"server_version_num", "150004"},
      {"standard_conforming_strings", "on"},
      {"statement_timeout", "0"},
      {"timezone", "UTC"},
      {"transaction_isolation", "read committed"},
      {"transaction_read_only", "off"},
  };
  std::string key(name);
  std::transform(key.begin(), key.end(), key.begin(), [](unsigned char c) { return std::tolower(c); });
  auto it = settings.find(key);
  if (it == settings.end()) return std::nullopt;
  return it->second;
}

}  // namespace sluice::sql
