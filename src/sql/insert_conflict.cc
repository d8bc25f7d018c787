// sql/insert_conflict.cc — an INSERT against a table's primary key: 23505 for a key that is already
// there, or what ON CONFLICT says instead (DO NOTHING skips the row; DO UPDATE SET … [WHERE …] changes
// the old row, with EXCLUDED naming the row proposed).
//
// DO UPDATE's SET values and WHERE are the statement's own parse nodes, evaluated by one SELECT over
// two VALUES lists, the old rows under the table's name (or alias) and the proposed ones as
// `excluded`, joined by the conflict's number. So the expressions bind and evaluate exactly as in any
// query, and their error positions point into the INSERT's text.
#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <set>

#include "sql/cast.h"
#include "sql/pg_tree.h"
#include "sql/rows_query.h"
#include "sql/session_statements.h"

namespace sluice::sql {
namespace {

struct row_order {
  bool operator()(const row& a, const row& b) const { return compare_rows(a, b) < 0; }
};

std::string constraint_name(const relation_info& table) { return table.name + "_pkey"; }

// 23505, with Postgres's DETAIL: Key (a, b)=(1, x) already exists.
tl::unexpected<sql_error> duplicate_key(const relation_info& table, const row& key) {
  std::string names;
  std::string values;
  for (std::size_t i = 0; i < key.size(); ++i) {
    names += (i == 0 ? "" : ", ") + table.columns[static_cast<std::size_t>(table.primary_key[i])].name;
    values += (i == 0 ? "" : ", ") + (key[i].is_null() ? std::string("null") : key[i].to_text());
  }
  auto error = sql_fail(
      "23505", fmt::format("duplicate key value violates unique constraint \"{}\"", constraint_name(table)));
  error.value().detail = fmt::format("Key ({})=({}) already exists.", names, values);
  return error;
}

enum class conflict_action : std::uint8_t { error, nothing, update };

struct conflict_clause {
  conflict_action action = conflict_action::error;
  std::optional<pg_node> body;  // the OnConflictClause, when there is one
};

conflict_clause clause_of(const insert_stmt& stmt) {
  pg_node insert = stmt.query->statement;  // the InsertStmt's body
  auto body = pg::field(insert, "onConflictClause");
  if (!body) return {};
  std::string_view action = pg::string(*body, "action");
  return {action == "ONCONFLICT_UPDATE" ? conflict_action::update : conflict_action::nothing, body};
}

// The conflict target must name the primary key: its columns (in any order) or its constraint.
sql_result<void> check_target(const insert_stmt& stmt, const relation_info& table, pg_node clause) {
  auto infer = pg::field(clause, "infer");
  if (!infer) return {};
  auto no_match = [] {
    return sql_fail("42P10",
                    "there is no unique or exclusion constraint matching the ON CONFLICT specification");
  };
  if (std::string_view name = pg::string(*infer, "conname"); !name.empty()) {
    if (!table.primary_key.empty() && name == constraint_name(table)) return {};
    return sql_fail("42704",
                    fmt::format("constraint \"{}\" for table \"{}\" does not exist", name, stmt.table));
  }
  if (pg::field(*infer, "whereClause")) return no_match();
  std::vector<int> named;
  for (pg_node elem : pg::list(*infer, "indexElems")) {
    pg_node index_elem = pg::node_body(elem);
    std::string_view column = pg::string(index_elem, "name");
    int at = column.empty() ? -1 : column_index(table.columns, std::string(column));
    if (at < 0) {
      if (column.empty()) return no_match();  // an expression
      return sql_fail(sqlstate::undefined_column, fmt::format("column \"{}\" does not exist", column),
                      pg::location(elem));
    }
    named.push_back(at);
  }
  std::vector<int> key = table.primary_key;
  std::sort(named.begin(), named.end());
  named.erase(std::unique(named.begin(), named.end()), named.end());
  std::sort(key.begin(), key.end());
  if (key.empty() || named != key) return no_match();
  return {};
}

// SELECT old.row_number, <SET values> FROM <old rows> AS alias JOIN <proposed> AS excluded ON their
// row numbers [WHERE …]
sql_result<query_tree> update_query(const insert_stmt& stmt, const relation_info& table, pg_node clause,
                                    const std::vector<set_item>& items,
                                    const std::vector<const row*>& old_rows,
                                    const std::vector<const row*>& proposed) {
  std::string targets;
  for (const set_item& item : items) targets += (targets.empty() ? "" : ",") + item.target;
  std::string where;
  if (auto w = pg::field(clause, "whereClause")) where = simdjson::minify(*w);
  return query_over_rows(stmt.query->sql, {{stmt.alias, &table, old_rows}, {"excluded", &table, proposed}},
                         true, targets, where);
}

// The columns DO UPDATE sets, in order (set_columns' errors), and 0A000 for a key column: the row would
// move to another key, which the table cannot check here.
sql_result<std::vector<std::size_t>> update_columns(const relation_info& table,
                                                    const std::vector<set_item>& items) {
  std::vector<std::string> names;
  for (const set_item& item : items) names.push_back(item.column);
  auto columns = set_columns(names, table);
  if (!columns) return columns;
  for (std::size_t i = 0; i < items.size(); ++i) {
    auto key = std::find(table.primary_key.begin(), table.primary_key.end(), static_cast<int>((*columns)[i]));
    if (key != table.primary_key.end()) {
      return sql_fail(
          sqlstate::feature_not_supported,
          fmt::format("ON CONFLICT DO UPDATE cannot set primary key column \"{}\"", items[i].column),
          items[i].position);
    }
  }
  return columns;
}

}  // namespace

row primary_key_of(const relation_info& table, const row& r) {
  row key;
  for (int i : table.primary_key) key.push_back(r[static_cast<std::size_t>(i)]);
  return key;
}

sql_result<std::vector<row>> resolve_insert_conflicts(
    const insert_stmt& stmt, const relation_info& table, std::vector<row> proposed,
    const rows_by_key_fn& rows_by_key,
    const std::function<sql_result<query_result>(const query_tree&)>& run_query) {
  conflict_clause clause = clause_of(stmt);
  if (clause.body) {
    if (auto checked = check_target(stmt, table, *clause.body); !checked)
      return tl::unexpected(checked.error());
  }
  if (table.primary_key.empty()) return proposed;
  std::vector<row> keys;
  for (const row& r : proposed) keys.push_back(primary_key_of(table, r));
  auto current = rows_by_key(keys);
  if (!current) return tl::unexpected(current.error());
  std::map<row, const row*, row_order> existing;
  for (const row& r : *current) existing.emplace(primary_key_of(table, r), &r);

  std::set<row, row_order> affected;  // each key this statement inserted or updated
  std::vector<std::size_t> written;   // indexes into `proposed` written as they are
  std::vector<std::size_t> updates;   // indexes into `proposed` that update their old row
  std::vector<const row*> old_rows;
  for (std::size_t n = 0; n < proposed.size(); ++n) {
    row key = primary_key_of(table, proposed[n]);
    auto old = existing.find(key);
    bool conflict = affected.count(key) != 0 || old != existing.end();
    if (!conflict) {
      affected.insert(std::move(key));
      written.push_back(n);
      continue;
    }
    if (clause.action == conflict_action::error) return duplicate_key(table, key);
    if (clause.action == conflict_action::nothing) continue;
    if (affected.count(key) != 0) {
      auto error = sql_fail("21000", "ON CONFLICT DO UPDATE command cannot affect row a second time");
      error.value().hint =
          "Ensure that no rows proposed for insertion within the same command have duplicate "
          "constrained values.";
      return error;
    }
    affected.insert(std::move(key));
    updates.push_back(n);
    old_rows.push_back(old->second);
  }

  std::vector<std::pair<std::size_t, row>> out;  // (index into proposed, row to write)
  for (std::size_t n : written) out.emplace_back(n, std::move(proposed[n]));
  if (!updates.empty()) {
    auto items = read_set_list(*clause.body);
    if (!items) return tl::unexpected(items.error());
    auto targets = update_columns(table, *items);
    if (!targets) return tl::unexpected(targets.error());
    std::vector<const row*> excluded;
    for (std::size_t n : updates) excluded.push_back(&proposed[n]);
    auto query = update_query(stmt, table, *clause.body, *items, old_rows, excluded);
    if (!query) return tl::unexpected(query.error());
    auto result = run_query(*query);
    if (!result) return tl::unexpected(result.error());
    try {
      for (const row& r : result->rows) {
        auto k = static_cast<std::size_t>(r[0].as_bigint());
        row after = *old_rows.at(k);
        for (std::size_t i = 0; i < targets->size(); ++i) {
          const column& c = table.columns[(*targets)[i]];
          after[(*targets)[i]] = apply_column_typmod(cast_value(r[i + 1], c.type), c);
        }
        if (auto checked = check_not_null(table, after); !checked) return tl::unexpected(checked.error());
        out.emplace_back(updates[k], std::move(after));
      }
    } catch (const eval_error& error) {
      return sql_fail(error);
    }
  }
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  std::vector<row> rows;
  for (auto& [n, r] : out) rows.push_back(std::move(r));
  return rows;
}

}  // namespace sluice::sql
