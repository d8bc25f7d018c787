// sql/session.cc — the reference batch session (see session.h).
#include "sql/session.h"

#include <fmt/format.h>

#include <algorithm>
#include <unordered_set>

#include "sql/bind.h"
#include "sql/functions.h"
#include "sql/parse.h"
#include "sql/pg_catalog.h"
#include "sql/rows_query.h"
#include "sql/session_statements.h"

namespace sluice::sql {
namespace {

query_result tag_only(std::string tag) { return query_result{{}, {}, std::move(tag)}; }

std::string kind_tag(relation_kind kind) {
  std::string name(relation_kind_name(kind));
  std::transform(name.begin(), name.end(), name.begin(), [](unsigned char c) { return std::toupper(c); });
  return name;
}

bool reads(const plan& p, std::string_view name) {
  auto scanned = scanned_relations(p);
  return std::find(scanned.begin(), scanned.end(), name) != scanned.end();
}

}  // namespace

const relation_info* batch_session::catalog_view::find(std::string_view name) const {
  auto it = session.relations_.find(name);
  return it == session.relations_.end() ? nullptr : &it->second.info;
}

std::vector<const relation_info*> batch_session::catalog_view::list() const {
  std::vector<const relation_info*> out;
  for (const auto& [_, e] : session.relations_) out.push_back(&e.info);
  return out;
}

const std::vector<row>* batch_session::rows_view::find(std::string_view name) const {
  if (auto system = session.system_rows_.find(name); system != session.system_rows_.end())
    return &system->second;
  auto it = session.relations_.find(name);
  return it == session.relations_.end() ? nullptr : &it->second.rows;
}

sql_result<query_result> batch_session::execute(std::string_view sql) {
  // Errors are values below; this only turns a surprise (bad_alloc, a library's exception) into an
  // error for this query instead of taking the process down.
  try {
    return execute_all(sql);
  } catch (const eval_error& e) {
    return sql_fail(e);
  } catch (const std::exception& e) {
    return sql_fail(sqlstate::internal_error, e.what());
  }
}

sql_result<query_result> batch_session::execute_all(std::string_view sql) {
  auto statements = parse_statements(sql);
  if (!statements) return tl::unexpected(statements.error());
  query_result last = tag_only("EMPTY");
  for (const statement& stmt : *statements) {
    auto result = run(stmt);
    if (!result) return result;
    last = std::move(*result);
  }
  return last;
}

void batch_session::refresh_views() {
  for (const std::string& name : view_order_) {
    entry& view = relations_.at(name);
    auto rows = execute_batch(*view.view_plan, rows_, limits_);
    view.rows = rows ? std::move(*rows) : std::vector<row>{};
  }
}

sql_result<query_result> batch_session::run_query(const query_tree& query) {
  auto bound = bind_select(*query, catalog_);
  if (!bound) return tl::unexpected(bound.error());
  refresh_views();
  system_rows_.clear();
  for (const std::string& name : scanned_relations(*bound)) {
    if (is_system_relation(name)) system_rows_[name] = system_rows(name, catalog_.list());
  }
  auto rows = execute_batch(*bound, rows_, limits_);
  if (!rows) return tl::unexpected(rows.error());
  std::string tag = fmt::format("SELECT {}", rows->size());
  return query_result{bound->output, std::move(*rows), tag};
}

sql_result<query_result> batch_session::create(relation_info info, bool if_not_exists) {
  std::string tag = "CREATE " + kind_tag(info.kind);
  if (relations_.count(info.name) != 0) {
    if (if_not_exists) return tag_only(tag);
    return sql_fail(sqlstate::duplicate_table, fmt::format("relation \"{}\" already exists", info.name));
  }
  std::string name = info.name;
  relations_[name] = entry{std::move(info), {}, nullptr};
  return tag_only(tag);
}

sql_result<query_result> batch_session::create_view(const create_view_stmt& stmt) {
  if (relations_.count(stmt.name) != 0 && stmt.if_not_exists) return tag_only("CREATE MATERIALIZED VIEW");
  auto bound = bind_select(*stmt.query, catalog_, query_use::materialized);
  if (!bound) return tl::unexpected(bound.error());
  relation_info info;
  info.name = stmt.name;
  info.kind = relation_kind::view;
  info.columns = bound->output;
  info.definition = stmt.definition;
  auto created = create(std::move(info), false);
  if (!created) return created;
  relations_[stmt.name].view_plan = std::make_shared<plan>(std::move(*bound));
  view_order_.push_back(stmt.name);
  return created;
}

sql_result<query_result> batch_session::insert(const insert_stmt& stmt) {
  auto it = relations_.find(stmt.table);
  if (it == relations_.end() || it->second.info.kind == relation_kind::view) {
    return sql_fail(sqlstate::undefined_table, fmt::format("relation \"{}\" does not exist", stmt.table),
                    stmt.position);
  }
  const relation_info& table = it->second.info;
  auto run = [this](const query_tree& q) { return run_query(q); };
  auto proposed = rows_for_insert(stmt, table, run);
  if (!proposed) return tl::unexpected(proposed.error());
  auto& stored = it->second.rows;
  auto rows_by_key = [&](const std::vector<row>& keys) -> sql_result<std::vector<row>> {
    std::unordered_set<row, row_hash, row_equal> wanted(keys.begin(), keys.end());
    std::vector<row> out;
    for (const row& r : stored) {
      if (wanted.count(primary_key_of(table, r)) != 0) out.push_back(r);
    }
    return out;
  };
  auto rows = resolve_insert_conflicts(stmt, table, std::move(*proposed), rows_by_key, run);
  if (!rows) return tl::unexpected(rows.error());
  auto same_key = [&](const row& x, const row& y) {
    return primary_key_of(table, x) == primary_key_of(table, y);
  };
  for (const row& r : *rows) {
    auto old = table.primary_key.empty()
                   ? stored.end()
                   : std::find_if(stored.begin(), stored.end(), [&](const row& s) { return same_key(s, r); });
    if (old != stored.end()) stored.erase(old);  // an updated row moves last, as the engine's view lists it
    stored.push_back(r);
  }
  return returning_result(stmt.query->sql, stmt.returning, table, stmt.alias, *rows,
                          fmt::format("INSERT 0 {}", rows->size()), run);
}

// DELETE and UPDATE remove (or replace) one stored row for each row the statement's SELECT returns.
sql_result<query_result> batch_session::modify(const modify_stmt& stmt) {
  auto it = relations_.find(stmt.table);
  if (it == relations_.end()) {
    return sql_fail(sqlstate::undefined_table, fmt::format("relation \"{}\" does not exist", stmt.table),
                    stmt.position);
  }
  if (it->second.info.kind != relation_kind::table) {
    return sql_fail(sqlstate::wrong_object_type,
                    fmt::format("cannot {} {} \"{}\"", stmt.update ? "update" : "delete from",
                                relation_kind_name(it->second.info.kind), stmt.table),
                    stmt.position);
  }
  auto run = [this](const query_tree& q) { return run_query(q); };
  auto changes = rows_to_modify(stmt, it->second.info, run);
  if (!changes) return tl::unexpected(changes.error());
  std::vector<row>& stored = it->second.rows;
  std::vector<row> added;
  for (row_update& u : *changes) {
    auto found = std::find_if(stored.begin(), stored.end(),
                              [&](const row& r) { return compare_rows(r, u.before) == 0; });
    if (found == stored.end()) continue;
    stored.erase(found);
    if (stmt.update) added.push_back(u.after);
  }
  stored.insert(stored.end(), std::make_move_iterator(added.begin()), std::make_move_iterator(added.end()));
  return returning_result(stmt.query->sql, stmt.returning, it->second.info, stmt.alias,
                          modified_rows(stmt, *changes), modify_tag(stmt, changes->size()), run);
}

sql_result<query_result> batch_session::drop(const drop_stmt& stmt) {
  std::string tag = "DROP " + kind_tag(stmt.kind);
  auto it = relations_.find(stmt.name);
  if (it == relations_.end() || it->second.info.kind != stmt.kind) {
    if (stmt.if_exists) return tag_only(tag);
    return sql_fail(sqlstate::undefined_table,
                    fmt::format("{} \"{}\" does not exist", relation_kind_name(stmt.kind), stmt.name));
  }
  for (const std::string& view : view_order_) {
    if (view == stmt.name || !reads(*relations_.at(view).view_plan, stmt.name)) continue;
    if (!stmt.cascade) {
      return sql_fail(sqlstate::dependent_objects_still_exist,
                      fmt::format("cannot drop {} {} because other objects depend on it",
                                  relation_kind_name(stmt.kind), stmt.name));
    }
    auto dropped = drop(drop_stmt{relation_kind::view, view, true, true});
    if (!dropped) return dropped;
    return drop(stmt);  // view_order_ changed; start over
  }
  relations_.erase(stmt.name);
  view_order_.erase(std::remove(view_order_.begin(), view_order_.end(), stmt.name), view_order_.end());
  return tag_only(tag);
}

sql_result<query_result> batch_session::explain_query(const explain_stmt& stmt) {
  auto bound = bind_select(*(stmt.view ? stmt.view->query : stmt.query), catalog_);
  if (!bound) return tl::unexpected(bound.error());
  return explain_result(*bound);
}

sql_result<query_result> batch_session::show(const show_relations_stmt& stmt) {
  std::vector<std::string> names;
  for (const auto& [name, e] : relations_) {
    if (e.info.kind == stmt.kind) names.push_back(name);
  }
  return show_relations_result(names);
}

sql_result<query_result> batch_session::describe(const describe_stmt& stmt) {
  auto it = relations_.find(stmt.name);
  if (it == relations_.end()) {
    return sql_fail(sqlstate::undefined_table, fmt::format("relation \"{}\" does not exist", stmt.name),
                    stmt.position);
  }
  return describe_result(it->second.info);
}

sql_result<query_result> batch_session::run(const statement& stmt) {
  if (auto* s = std::get_if<select_stmt>(&stmt)) return run_query(s->query);
  if (auto* s = std::get_if<create_source_stmt>(&stmt)) return create(s->relation, s->if_not_exists);
  if (auto* s = std::get_if<create_table_stmt>(&stmt)) return create(s->relation, s->if_not_exists);
  if (auto* s = std::get_if<create_view_stmt>(&stmt)) return create_view(*s);
  if (auto* s = std::get_if<create_sink_stmt>(&stmt)) {
    if (!s->from.empty() && catalog_.find(s->from) == nullptr) {
      return sql_fail(sqlstate::undefined_table, fmt::format("relation \"{}\" does not exist", s->from));
    }
    relation_info info;
    info.name = s->name;
    info.kind = relation_kind::sink;
    info.options = s->options;
    return create(std::move(info), s->if_not_exists);
  }
  if (auto* s = std::get_if<drop_stmt>(&stmt)) return drop(*s);
  if (auto* s = std::get_if<show_relations_stmt>(&stmt)) return show(*s);
  if (auto* s = std::get_if<show_variable_stmt>(&stmt)) return settings_.show(*s);
  if (auto* s = std::get_if<set_stmt>(&stmt)) return settings_.set(*s);
  if (auto* s = std::get_if<transaction_stmt>(&stmt)) return transaction_result(*s);
  if (auto* s = std::get_if<describe_stmt>(&stmt)) return describe(*s);
  if (auto* s = std::get_if<explain_stmt>(&stmt)) return explain_query(*s);
  if (auto* s = std::get_if<create_index_stmt>(&stmt)) return create_index_result(*s, catalog_);
  if (auto* s = std::get_if<insert_stmt>(&stmt)) return insert(*s);
  if (auto* s = std::get_if<modify_stmt>(&stmt)) return modify(*s);
  return sql_fail(sqlstate::feature_not_supported, "statement is not supported");
}

}  // namespace sluice::sql
