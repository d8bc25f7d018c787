// engine/engine_session.cc — one client's statements: DDL through the engine state, pull queries over
// views' snapshots (and sources' topics), INSERT through the topics (then waiting until the views have
// read it).
#include <fmt/format.h>

#include <unordered_set>

#include "engine/engine_state.h"
#include "sql/bind.h"
#include "sql/execute.h"
#include "sql/parse.h"
#include "sql/pg_catalog.h"
#include "sql/rows_query.h"
#include "sql/session_statements.h"
#include "stream/json_sink.h"

namespace sluice::engine {
namespace {

using sql::sql_fail;
namespace sqlstate = sql::sqlstate;

// The rows a pull query reads: snapshots of the views (and tables) it scans, and the events of the
// sources it names, taken before it runs.
class snapshot_rows final : public sql::relation_rows {
 public:
  const std::vector<sql::row>* find(std::string_view relation) const override {
    auto it = rows.find(relation);
    return it == rows.end() ? nullptr : &it->second;
  }
  std::map<std::string, std::vector<sql::row>, std::less<>> rows;
};

constexpr auto insert_visibility_timeout = std::chrono::seconds(30);
// How long a pull query waits for its views to catch up with what was appended before it; past
// that it answers with what the views hold (a view far behind, e.g. just created over a big topic).
constexpr auto freshness_wait = std::chrono::seconds(10);

}  // namespace

std::vector<sql::sql_result<sql::query_result>> engine_session::execute_each(std::string_view sql) {
  std::vector<sql::sql_result<sql::query_result>> out;
  auto statements = sql::parse_statements(sql);
  if (!statements) {
    out.push_back(tl::unexpected(statements.error()));
    return out;
  }
  for (const auto& stmt : *statements) {
    out.push_back(run(stmt));
    if (!out.back()) break;
  }
  return out;
}

sql::sql_result<sql::query_result> engine_session::execute(std::string_view sql) {
  auto results = execute_each(sql);
  if (results.empty()) return sql::query_result{{}, {}, ""};
  return std::move(results.back());
}

// SHOW CHECKPOINTS and SHOW PIPELINES: the engine's own state, as rows (the same numbers as
// GET /api/pipelines and the metrics). Nullopt for any other SHOW, which is a setting.
static std::optional<sql::query_result> show_engine_state(engine& e, const std::string& name) {
  using sql::data_type;
  using sql::value;
  if (name != "checkpoints" && name != "pipelines") return std::nullopt;
  pipeline_graph g = e.describe_pipelines();
  if (name == "checkpoints") {
    sql::query_result out{{{"last_checkpoint", data_type::bigint},
                           {"taken_at", data_type::timestamptz},
                           {"last_duration_ms", data_type::double_precision},
                           {"checkpoints_taken", data_type::bigint},
                           {"failures", data_type::bigint},
                           {"restored_from", data_type::bigint}},
                          {},
                          "SHOW"};
    out.rows.push_back({value::bigint(static_cast<std::int64_t>(g.last_checkpoint)),
                        g.last_checkpoint_ms ? value::timestamptz(g.last_checkpoint_ms * 1000) : value(),
                        value::double_precision(g.last_checkpoint_seconds * 1000),
                        value::bigint(static_cast<std::int64_t>(g.checkpoints)),
                        value::bigint(static_cast<std::int64_t>(g.checkpoint_failures)),
                        value::bigint(static_cast<std::int64_t>(g.restored_from))});
    return out;
  }
  sql::query_result out{{{"view", data_type::text},
                         {"rows", data_type::bigint},
                         {"state_bytes", data_type::bigint},
                         {"operators", data_type::bigint},
                         {"records_in", data_type::bigint},
                         {"inputs", data_type::text}},
                        {},
                        "SHOW"};
  for (const auto& v : g.views) {
    std::uint64_t records = 0;
    std::size_t operators = 0;
    for (const auto& op : v.operators) {
      if (op.kind == "Source") {
        records += op.rows_in;
      } else {
        ++operators;
      }
    }
    std::string inputs;
    for (const auto& in : v.inputs) inputs += (inputs.empty() ? "" : ", ") + in;
    out.rows.push_back({value::text(v.name), value::bigint(static_cast<std::int64_t>(v.rows)),
                        value::bigint(static_cast<std::int64_t>(v.state_bytes)),
                        value::bigint(static_cast<std::int64_t>(operators)),
                        value::bigint(static_cast<std::int64_t>(records)), value::text(inputs)});
  }
  return out;
}

sql::sql_result<sql::schema> engine_session::describe_columns(std::string_view sql) {
  auto stmt = sql::parse_statement(sql);
  if (!stmt) return tl::unexpected(stmt.error());
  if (auto* s = std::get_if<sql::select_stmt>(&*stmt)) {
    std::lock_guard lock(engine_.state_->mu);
    auto bound = sql::bind_select(*s->query, *engine_.state_);
    if (!bound) return tl::unexpected(bound.error());
    return bound->output;
  }
  if (auto* s = std::get_if<sql::show_variable_stmt>(&*stmt)) {
    if (auto shown = show_engine_state(engine_, s->name)) return shown->columns;
    return sql::schema{{s->name, sql::data_type::text}};
  }
  // RETURNING's columns: its list over no rows.
  auto returning_columns = [&](const std::string& table, const std::string& alias,
                               const std::string& returning,
                               const std::string& text) -> sql::sql_result<sql::schema> {
    auto info = writable_relation(table, "write to", -1);
    if (!info) return tl::unexpected(info.error());
    auto result = sql::returning_result(text, returning, *info, alias, {}, {},
                                        [this](const sql::query_tree& q) { return pull_query(q); });
    if (!result) return tl::unexpected(result.error());
    return result->columns;
  };
  if (auto* s = std::get_if<sql::insert_stmt>(&*stmt))
    return returning_columns(s->table, s->alias, s->returning, s->query->sql);
  if (auto* s = std::get_if<sql::modify_stmt>(&*stmt))
    return returning_columns(s->table, s->alias, s->returning, s->query->sql);
  // SHOW, DESCRIBE and EXPLAIN return rows too: run them (they change nothing) to learn the columns.
  if (std::holds_alternative<sql::show_relations_stmt>(*stmt) ||
      std::holds_alternative<sql::describe_stmt>(*stmt) || std::holds_alternative<sql::explain_stmt>(*stmt)) {
    auto result = run(*stmt);
    if (!result) return tl::unexpected(result.error());
    return result->columns;
  }
  return sql::schema{};
}

namespace {

// Waits, briefly, until the views over `relations` have read every record their topics held on
// entry (a view created a moment ago included). REQUIRES: `lock` holds state.mu.
void wait_for_views(engine_state& state, std::unique_lock<std::mutex>& lock,
                    const std::vector<std::string>& relations) {
  auto targets = state.end_offsets(relations);
  if (state.reached(targets)) return;
  state.wake_worker();
  state.progress.wait_for(lock, freshness_wait, [&] { return state.reached(targets); });
}

}  // namespace

sql::sql_result<sql::query_result> engine_session::pull_query(const sql::query_tree& query) {
  engine_state& state = *engine_.state_;
  snapshot_rows rows;
  sql::plan plan;
  std::vector<sql::relation_info> sources;  // read from their topics, after the lock
  {
    std::unique_lock lock(state.mu);
    auto bound = sql::bind_select(*query, state);
    if (!bound) return tl::unexpected(bound.error());
    plan = std::move(*bound);
    std::vector<std::string> scanned = sql::scanned_relations(plan);
    // A query sees every record appended to its views' topics before it started (a view created a
    // moment ago included): wait, briefly, until the views have read that far.
    wait_for_views(state, lock, scanned);
    for (const auto& name : scanned) {
      if (sql::is_system_relation(name)) {
        rows.rows[name] = sql::system_rows(name, state.list());
        continue;
      }
      if (state.find(name) == nullptr) {
        return sql_fail(sqlstate::undefined_table, fmt::format("relation \"{}\" does not exist", name));
      }
      auto view = state.views.find(name);
      if (view != state.views.end()) {
        rows.rows[name] = view->second->pipeline->view().snapshot();
      } else if (const sql::relation_info& info = state.relations.at(name);
                 info.kind == sql::relation_kind::source) {
        sources.push_back(info);
      } else {
        return sql_fail(sqlstate::feature_not_supported,
                        fmt::format("cannot read {} \"{}\" directly: create a materialized view over it",
                                    sql::relation_kind_name(info.kind), name));
      }
    }
  }
  for (const sql::relation_info& info : sources) {
    auto scanned = scan_source(state.logs, info);
    if (!scanned) return tl::unexpected(scanned.error());
    rows.rows[info.name] = std::move(*scanned);
  }
  auto result = sql::execute_batch(plan, rows);
  if (!result) return tl::unexpected(result.error());
  std::string tag = fmt::format("SELECT {}", result->size());
  return sql::query_result{plan.output, std::move(*result), std::move(tag)};
}

sql::sql_result<sql::relation_info> engine_session::writable_relation(const std::string& name,
                                                                      const char* verb, int position) {
  engine_state& state = *engine_.state_;
  std::lock_guard lock(state.mu);
  const sql::relation_info* found = state.find(name);
  if (found == nullptr) {
    return sql_fail(sqlstate::undefined_table, fmt::format("relation \"{}\" does not exist", name), position);
  }
  if (found->kind != sql::relation_kind::source && found->kind != sql::relation_kind::table) {
    return sql_fail("42809",
                    fmt::format("cannot {} {} \"{}\"", verb, sql::relation_kind_name(found->kind), name),
                    position);
  }
  return *found;
}

sql::sql_result<void> engine_session::write_and_wait(const sql::relation_info& info,
                                                     const std::vector<output_record>& records) {
  engine_state& state = *engine_.state_;
  auto topic = topic_of(info);
  topic_writer writer(state.logs, topic, state.options.default_partitions);
  if (auto written = writer.write(records); !written) {
    return sql_fail(sqlstate::internal_error,
                    "cannot append to topic " + topic + ": " + written.error().describe());
  }
  if (!engine_.wait_caught_up(insert_visibility_timeout)) {
    return sql_fail("57014", "the rows were written but views did not catch up in time");
  }
  return {};
}

// INSERT INTO a source or table appends JSON records to its topic, as a producer would, then waits
// until every view has read them: a SELECT after an INSERT sees it.
sql::sql_result<sql::query_result> engine_session::insert(const sql::insert_stmt& stmt) {
  auto info = writable_relation(stmt.table, "insert into", stmt.position);
  if (!info) return tl::unexpected(info.error());
  auto run = [this](const sql::query_tree& q) { return pull_query(q); };
  auto proposed = sql::rows_for_insert(stmt, *info, run);
  if (!proposed) return tl::unexpected(proposed.error());
  // The table's rows under the proposed keys, once its view has read what its topic held when the
  // statement began (as a pull query would see them): a scan of the view that copies only those rows.
  auto rows_by_key = [&](const std::vector<sql::row>& keys) -> sql::sql_result<std::vector<sql::row>> {
    engine_state& state = *engine_.state_;
    std::unique_lock lock(state.mu);
    auto view = state.views.find(info->name);
    if (view == state.views.end()) return std::vector<sql::row>{};  // a source: no keys to meet
    wait_for_views(state, lock, {info->name});
    std::unordered_set<sql::row, sql::row_hash, sql::row_equal> wanted(keys.begin(), keys.end());
    return view->second->pipeline->view().rows_where(
        [&](const sql::row& r) { return wanted.count(sql::primary_key_of(*info, r)) != 0; });
  };
  auto rows = sql::resolve_insert_conflicts(stmt, *info, std::move(*proposed), rows_by_key, run);
  if (!rows) return tl::unexpected(rows.error());
  stream::json_sink_encoder encoder(info->columns, info->primary_key);
  std::vector<output_record> records;
  auto now = wall_clock_ms();
  for (const auto& r : *rows) {
    std::optional<std::string> key;
    if (!info->primary_key.empty()) key = encoder.key_json(r);
    records.push_back({key, encoder.row_json(r), now, {}});
  }
  if (auto written = write_and_wait(*info, records); !written) return tl::unexpected(written.error());
  return sql::returning_result(stmt.query->sql, stmt.returning, *info, stmt.alias, *rows,
                               fmt::format("INSERT 0 {}", rows->size()), run);
}

// DELETE and UPDATE on a table write what a producer would: a tombstone for each deleted key, the new
// row under its key for each updated one (and a tombstone for its old key when the key changed).
// Only a table with a primary key has rows to address; a source is a stream of events.
sql::sql_result<sql::query_result> engine_session::modify(const sql::modify_stmt& stmt) {
  const char* verb = stmt.update ? "update" : "delete from";
  auto info = writable_relation(stmt.table, verb, stmt.position);
  if (!info) return tl::unexpected(info.error());
  if (info->kind != sql::relation_kind::table) {
    return sql_fail("42809",
                    fmt::format("cannot {} source \"{}\": a source is a stream of events", verb, stmt.table),
                    stmt.position);
  }
  if (info->primary_key.empty()) {
    return sql_fail(
        sqlstate::feature_not_supported,
        fmt::format("cannot {} table \"{}\": a table without a primary key is append-only", verb, stmt.table),
        stmt.position);
  }
  auto run = [this](const sql::query_tree& q) { return pull_query(q); };
  auto changes = sql::rows_to_modify(stmt, *info, run);
  if (!changes) return tl::unexpected(changes.error());
  stream::json_sink_encoder encoder(info->columns, info->primary_key);
  std::vector<output_record> records;
  auto now = wall_clock_ms();
  for (const sql::row_update& u : *changes) {
    std::string old_key = encoder.key_json(u.before);
    if (!stmt.update || encoder.key_json(u.after) != old_key)
      records.push_back({old_key, std::nullopt, now, {}});
    if (stmt.update) records.push_back({encoder.key_json(u.after), encoder.row_json(u.after), now, {}});
  }
  if (auto written = write_and_wait(*info, records); !written) return tl::unexpected(written.error());
  return sql::returning_result(stmt.query->sql, stmt.returning, *info, stmt.alias,
                               sql::modified_rows(stmt, *changes), sql::modify_tag(stmt, changes->size()),
                               run);
}

sql::sql_result<sql::query_result> engine_session::run(const sql::statement& stmt) {
  engine_state& state = *engine_.state_;
  if (auto* s = std::get_if<sql::show_variable_stmt>(&stmt)) {
    if (auto shown = show_engine_state(engine_, s->name)) return std::move(*shown);
  }
  if (auto* s = std::get_if<sql::select_stmt>(&stmt)) return pull_query(s->query);
  if (auto* s = std::get_if<sql::insert_stmt>(&stmt)) return insert(*s);
  if (auto* s = std::get_if<sql::modify_stmt>(&stmt)) return modify(*s);
  if (auto* s = std::get_if<sql::show_variable_stmt>(&stmt)) return settings_.show(*s);
  if (auto* s = std::get_if<sql::set_stmt>(&stmt)) return settings_.set(*s);
  if (auto* s = std::get_if<sql::transaction_stmt>(&stmt)) return sql::transaction_result(*s);
  std::lock_guard lock(state.mu);
  if (auto* s = std::get_if<sql::create_source_stmt>(&stmt))
    return state.create_source(s->relation, s->if_not_exists, true);
  if (auto* s = std::get_if<sql::create_table_stmt>(&stmt))
    return state.create_source(s->relation, s->if_not_exists, true);
  if (auto* s = std::get_if<sql::create_view_stmt>(&stmt)) return state.create_view(*s, true);
  if (auto* s = std::get_if<sql::create_sink_stmt>(&stmt)) return state.create_sink(*s, true);
  if (auto* s = std::get_if<sql::drop_stmt>(&stmt)) return state.drop(*s);
  if (auto* s = std::get_if<sql::create_index_stmt>(&stmt)) return sql::create_index_result(*s, state);
  if (auto* s = std::get_if<sql::show_relations_stmt>(&stmt)) {
    std::vector<std::string> names;
    for (const auto& name : state.creation_order) {
      if (state.relations.at(name).kind == s->kind) names.push_back(name);
    }
    std::sort(names.begin(), names.end());
    return sql::show_relations_result(names);
  }
  if (auto* s = std::get_if<sql::describe_stmt>(&stmt)) {
    const sql::relation_info* info = state.find(s->name);
    if (info == nullptr) {
      return sql_fail(sqlstate::undefined_table, fmt::format("relation \"{}\" does not exist", s->name),
                      s->position);
    }
    return sql::describe_result(*info);
  }
  if (auto* s = std::get_if<sql::explain_stmt>(&stmt)) {
    auto bound = sql::bind_select(*(s->view ? s->view->query : s->query), state);
    if (!bound) return tl::unexpected(bound.error());
    return sql::explain_result(*bound);
  }
  return sql_fail(sqlstate::feature_not_supported, "statement is not supported");
}

}  // namespace sluice::engine
