#include "sql/session_statements.h"

#include <fmt/format.h>

#include <algorithm>

#include "sql/functions.h"
#include "sql/parse.h"
#include "sql/rows_query.h"

namespace sluice::sql {

sql_result<query_result> session_settings::show(const show_variable_stmt& stmt) const {
  auto it = values_.find(stmt.name);
  std::optional<std::string> v = it != values_.end() ? std::optional(it->second) : default_setting(stmt.name);
  if (!v) return sql_fail("42704", fmt::format("unrecognized configuration parameter \"{}\"", stmt.name));
  return query_result{{{stmt.name, data_type::text}}, {{value::text(*v)}}, "SHOW"};
}

query_result session_settings::set(const set_stmt& stmt) {
  if (stmt.reset) {
    values_.erase(stmt.name);
  } else {
    values_[stmt.name] = stmt.value;
  }
  return query_result{{}, {}, stmt.reset ? "RESET" : "SET"};
}

query_result transaction_result(const transaction_stmt& stmt) {
  switch (stmt.what) {
    case transaction_stmt::action::begin:
      return query_result{{}, {}, "BEGIN"};
    case transaction_stmt::action::commit:
      return query_result{{}, {}, "COMMIT"};
    case transaction_stmt::action::rollback:
      return query_result{{}, {}, "ROLLBACK"};
  }
  return query_result{{}, {}, "BEGIN"};
}

query_result show_relations_result(const std::vector<std::string>& names) {
  query_result out{{{"Name", data_type::text}}, {}, "SHOW"};
  for (const auto& name : names) out.rows.push_back({value::text(name)});
  return out;
}

query_result describe_result(const relation_info& info) {
  query_result out{{{"Name", data_type::text}, {"Type", data_type::text}}, {}, "DESCRIBE"};
  for (const column& c : info.columns) {
    out.rows.push_back({value::text(c.name), value::text(column_type_text(c))});
  }
  if (!info.primary_key.empty()) {
    std::string key;
    for (int i : info.primary_key)
      key += (key.empty() ? "" : ", ") + info.columns[static_cast<std::size_t>(i)].name;
    out.rows.push_back({value::text("primary key"), value::text(key)});
  }
  return out;
}

query_result explain_result(const plan& p) {
  query_result out{{{"QUERY PLAN", data_type::text}}, {}, "EXPLAIN"};
  std::string text = explain(p);
  std::size_t pos = 0;
  while (pos < text.size()) {
    std::size_t end = text.find('\n', pos);
    if (end == std::string::npos) end = text.size();
    out.rows.push_back({value::text(text.substr(pos, end - pos))});
    pos = end + 1;
  }
  return out;
}

namespace {

tl::unexpected<sql_error> no_such_column(const std::string& name, const std::string& table) {
  return sql_fail(sqlstate::undefined_column,
                  fmt::format("column \"{}\" of relation \"{}\" does not exist", name, table));
}

// `rows` rows of the table's DEFAULT values for the columns an INSERT leaves out (NULL where none is
// declared): one query evaluates them for every row, so gen_random_uuid() differs from row to row
// while now() is the statement's time, as in Postgres.
sql_result<std::vector<row>> default_values(
    const relation_info& table, const std::vector<int>& targets, std::size_t rows,
    const std::function<sql_result<query_result>(const query_tree&)>& run_query) {
  std::vector<row> out(rows, row(table.columns.size()));
  std::vector<std::size_t> columns;
  std::string select;
  for (std::size_t i = 0; i < table.defaults.size() && i < table.columns.size(); ++i) {
    bool given = std::find(targets.begin(), targets.end(), static_cast<int>(i)) != targets.end();
    if (given || table.defaults[i].empty()) continue;
    select += (select.empty() ? "SELECT " : ", ") + table.defaults[i];
    columns.push_back(i);
  }
  if (columns.empty() || rows == 0) return out;
  select += fmt::format(" FROM generate_series(1, {})", rows);
  auto parsed = parse_statement(select);
  if (!parsed) return tl::unexpected(parsed.error());
  auto* query = std::get_if<select_stmt>(&*parsed);
  if (query == nullptr) return sql_fail(sqlstate::syntax_error, "a DEFAULT is not an expression");
  auto result = run_query(query->query);
  if (!result) return tl::unexpected(result.error());
  try {
    for (std::size_t r = 0; r < rows; ++r) {
      for (std::size_t k = 0; k < columns.size(); ++k) {
        const column& c = table.columns[columns[k]];
        out[r][columns[k]] = apply_column_typmod(cast_value(result->rows.at(r)[k], c.type), c);
      }
    }
  } catch (const eval_error& error) {
    return sql_fail(error);
  }
  return out;
}

// VALUES (…, DEFAULT, …): the statement again, each DEFAULT replaced in its text by its column's
// DEFAULT expression (NULL without one). The statement itself when it has none.
sql_result<query_tree> defaults_in_values(const insert_stmt& stmt, const relation_info& table,
                                          const std::vector<int>& targets) {
  std::vector<std::pair<int, std::string>> replaced;  // where a DEFAULT keyword is, and what replaces it
  for (pg_node list : pg::list(stmt.query->select, "valuesLists")) {
    std::vector<pg_node> items = pg::list(pg::node_body(list), "items");
    for (std::size_t k = 0; k < items.size() && k < targets.size(); ++k) {
      if (!pg::is(items[k], "SetToDefault")) continue;
      auto column = static_cast<std::size_t>(targets[k]);
      bool declared = column < table.defaults.size() && !table.defaults[column].empty();
      replaced.emplace_back(pg::location(items[k]), declared ? "(" + table.defaults[column] + ")" : "NULL");
    }
  }
  if (replaced.empty()) return stmt.query;
  std::string text = stmt.query->sql;
  for (auto it = replaced.rbegin(); it != replaced.rend(); ++it)
    text.replace(static_cast<std::size_t>(it->first), std::string_view("default").size(), it->second);
  auto tree = pg_parse(text);
  if (!tree) return tl::unexpected(tree.error());
  (*tree)->select = pg::node_body(*pg::field(pg::node_body((*tree)->statement), "selectStmt"));
  return query_tree(*tree);
}

// RETURNING binds before anything is written, so a mistake in it writes nothing.
sql_result<void> check_returning(
    const std::string& text, const std::string& returning, const relation_info& table,
    const std::string& alias, const std::function<sql_result<query_result>(const query_tree&)>& run_query) {
  if (returning.empty()) return {};
  auto bound = returning_result(text, returning, table, alias, {}, {}, run_query);
  if (!bound) return tl::unexpected(bound.error());
  return {};
}

}  // namespace

sql_result<void> check_not_null(const relation_info& table, const row& r) {
  for (int i : table.not_null) {
    auto at = static_cast<std::size_t>(i);
    if (at < r.size() && r[at].is_null()) {
      return sql_fail("23502", fmt::format("null value in column \"{}\" of relation \"{}\" violates not-null "
                                           "constraint",
                                           table.columns[at].name, table.name));
    }
  }
  return {};
}

sql_result<std::vector<row>> rows_for_insert(
    const insert_stmt& stmt, const relation_info& table,
    const std::function<sql_result<query_result>(const query_tree&)>& run_query) {
  const schema& columns = table.columns;
  std::vector<int> targets;
  for (const std::string& name : stmt.columns) {
    int at = column_index(columns, name);
    if (at < 0) return no_such_column(name, stmt.table);
    targets.push_back(at);
  }
  if (targets.empty()) {
    for (std::size_t i = 0; i < columns.size(); ++i) targets.push_back(static_cast<int>(i));
  }
  auto query = defaults_in_values(stmt, table, targets);
  if (!query) return tl::unexpected(query.error());
  auto result = run_query(*query);
  if (!result) return tl::unexpected(result.error());
  if (result->columns.size() > targets.size()) {
    return sql_fail(sqlstate::syntax_error, "INSERT has more expressions than target columns");
  }
  // Without a column list, fewer values fill the first columns and the rest take their defaults.
  if (stmt.columns.empty()) targets.resize(result->columns.size());
  if (auto checked = check_returning(stmt.query->sql, stmt.returning, table, stmt.alias, run_query); !checked)
    return tl::unexpected(checked.error());
  auto defaults = default_values(table, targets, result->rows.size(), run_query);
  if (!defaults) return tl::unexpected(defaults.error());
  std::vector<row> rows;
  try {
    for (std::size_t n = 0; n < result->rows.size(); ++n) {
      const row& r = result->rows[n];
      row full = std::move((*defaults)[n]);
      for (std::size_t i = 0; i < r.size(); ++i) {
        auto at = static_cast<std::size_t>(targets[i]);
        full[at] = apply_column_typmod(cast_value(r[i], columns[at].type), columns[at]);
      }
      if (auto checked = check_not_null(table, full); !checked) return tl::unexpected(checked.error());
      rows.push_back(std::move(full));
    }
  } catch (const eval_error& error) {
    return sql_fail(error);
  }
  return rows;
}

sql_result<std::vector<row_update>> rows_to_modify(
    const modify_stmt& stmt, const relation_info& table,
    const std::function<sql_result<query_result>(const query_tree&)>& run_query) {
  const schema& columns = table.columns;
  auto found = set_columns(stmt.set_columns, table);
  if (!found) return tl::unexpected(found.error());
  const std::vector<std::size_t>& targets = *found;
  if (auto checked = check_returning(stmt.query->sql, stmt.returning, table, stmt.alias, run_query); !checked)
    return tl::unexpected(checked.error());
  auto result = run_query(stmt.query);
  if (!result) return tl::unexpected(result.error());
  std::vector<row_update> out;
  try {
    for (row& r : result->rows) {
      row_update u;
      u.before.assign(r.begin(), r.begin() + static_cast<std::ptrdiff_t>(columns.size()));
      if (stmt.update) {
        u.after = u.before;
        for (std::size_t i = 0; i < targets.size(); ++i) {
          const column& c = columns[targets[i]];
          u.after[targets[i]] = apply_column_typmod(cast_value(r[columns.size() + i], c.type), c);
        }
        if (auto checked = check_not_null(table, u.after); !checked) return tl::unexpected(checked.error());
      }
      out.push_back(std::move(u));
    }
  } catch (const eval_error& error) {
    return sql_fail(error);
  }
  return out;
}

sql_result<query_result> create_index_result(const create_index_stmt& stmt, const catalog_reader& catalog) {
  const relation_info* info = catalog.find(stmt.relation);
  if (info == nullptr) {
    return sql_fail(sqlstate::undefined_table, fmt::format("relation \"{}\" does not exist", stmt.relation),
                    stmt.position);
  }
  std::vector<int> indexed;
  for (const std::string& name : stmt.columns) {
    int at = column_index(info->columns, name);
    if (at < 0)
      return sql_fail(sqlstate::undefined_column, fmt::format("column \"{}\" does not exist", name));
    indexed.push_back(at);
  }
  std::vector<int> key = info->primary_key;
  std::sort(indexed.begin(), indexed.end());
  std::sort(key.begin(), key.end());
  if (stmt.unique && (key.empty() || indexed != key)) {
    return sql_fail(sqlstate::feature_not_supported,
                    "a unique index other than the primary key is not supported", stmt.position);
  }
  return query_result{{}, {}, "CREATE INDEX"};
}

std::vector<row> modified_rows(const modify_stmt& stmt, const std::vector<row_update>& changes) {
  std::vector<row> out;
  for (const row_update& u : changes) out.push_back(stmt.update ? u.after : u.before);
  return out;
}

std::string modify_tag(const modify_stmt& stmt, std::size_t rows) {
  if (stmt.truncate) return "TRUNCATE TABLE";
  return fmt::format("{} {}", stmt.update ? "UPDATE" : "DELETE", rows);
}

}  // namespace sluice::sql
