// engine/engine_ddl.cc — creating and dropping sources, tables, views and sinks.
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "base/json_string.h"
#include "engine/engine_state.h"
#include "sql/bind.h"
#include "sql/parse.h"
#include "storage/log_manager.h"
#include "stream/compiler.h"
#include "stream/prefixed_store.h"
#include "stream/source.h"

namespace sluice::engine {
namespace {

using sql::sql_fail;
namespace sqlstate = sql::sqlstate;

sql::query_result tag_only(std::string tag) { return sql::query_result{{}, {}, std::move(tag)}; }

sql::plan scan_of(const sql::relation_info& info) {
  sql::plan p;
  p.kind = sql::plan_kind::scan;
  p.output = info.columns;
  p.relation = info.name;
  p.scanned = info.kind;
  return p;
}

std::string kind_tag(sql::relation_kind kind) {
  switch (kind) {
    case sql::relation_kind::source:
      return "SOURCE";
    case sql::relation_kind::table:
      return "TABLE";
    case sql::relation_kind::view:
      return "MATERIALIZED VIEW";
    case sql::relation_kind::sink:
      return "SINK";
    case sql::relation_kind::system:
      return "SYSTEM CATALOG";
  }
  return "RELATION";
}

}  // namespace

std::string topic_of(const sql::relation_info& info) {
  auto it = info.options.find("topic");
  return it == info.options.end() ? info.name : it->second;
}

sql::sql_result<void> engine_state::ensure_topic(const std::string& topic) {
  if (logs.describe_topic(topic)) return {};
  auto created = logs.create_topic(topic, options.default_partitions, {});
  if (!created && created.error().code != errc::already_exists) {
    return sql_fail(sqlstate::internal_error,
                    fmt::format("cannot create topic \"{}\": {}", topic, created.error().describe()));
  }
  return {};
}

void engine_state::wire_diagnostics(materialization& m) {
  std::string view = m.name;
  m.pipeline->diag().on_dead_letter = [this, view, counts = &m.dead_letters](const stream::dead_letter& d) {
    ++(*counts)[d.relation];
    std::string value = "{\"view\":";
    append_json_string(value, view);
    value += ",\"relation\":";
    append_json_string(value, d.relation);
    value += fmt::format(",\"partition\":{},\"error\":", d.partition);
    append_json_string(value, d.error);
    value += ",\"payload\":";
    append_json_string(value, d.payload);
    value += "}";
    if (auto w = dead_letters.write({{view, value, wall_clock_ms(), {}}}); !w) {
      spdlog::error("view {}: cannot write a dead letter: {}", view, w.error().describe());
    }
  };
  m.pipeline->diag().on_late_event = [this, view, counts = &m.late_events](const stream::late_event& e) {
    ++(*counts)[e.relation];
    std::string value = "{\"view\":";
    append_json_string(value, view);
    value += ",\"relation\":";
    append_json_string(value, e.relation);
    value +=
        fmt::format(",\"partition\":{},\"event_time_us\":{},\"watermark_us\":{},\"reason\":", e.partition,
                    e.event_time, e.watermark);
    append_json_string(value, e.reason);
    value += ",\"payload\":";
    append_json_string(value, e.payload);
    value += "}";
    if (auto w = late_events.write({{view, value, wall_clock_ms(), {}}}); !w) {
      spdlog::error("view {}: cannot write a late event: {}", view, w.error().describe());
    }
  };
}

// A view over views reads their sources itself: each scan of a view becomes that view's plan (as
// Postgres expands a view in a query), so the dataflow sees the original events, watermarks and
// event-time columns, and its freshness and restart rebuild follow the base topics like any view's.
// The upstream view's work is repeated rather than shared — correct first; sharing is an optimization.
// Stored plans are already expanded, so one level of lookup expands any depth.
sql::plan engine_state::expand_views(sql::plan p) const {
  if (p.kind == sql::plan_kind::scan) {
    auto it = views.find(p.relation);
    const sql::relation_info* info = find(p.relation);
    if (it == views.end() || info == nullptr || info->kind != sql::relation_kind::view) return p;
    sql::plan expanded = it->second->plan;
    expanded.output = p.output;  // the scan's column names (same types)
    return expanded;
  }
  for (auto& input : p.inputs) input = expand_views(std::move(input));
  return p;
}

sql::sql_result<std::unique_ptr<materialization>> engine_state::materialize(const std::string& name,
                                                                            sql::plan plan,
                                                                            const std::string& definition) {
  auto m = std::make_unique<materialization>();
  m->name = name;
  for (const auto& relation : sql::scanned_relations(plan)) m->depends_on.insert(relation);
  plan = expand_views(std::move(plan));
  for (const auto& relation : sql::scanned_relations(plan)) {
    const sql::relation_info* info = find(relation);
    if (info == nullptr)
      return sql_fail(sqlstate::undefined_table, fmt::format("relation \"{}\" does not exist", relation));
    if (info->kind != sql::relation_kind::source && info->kind != sql::relation_kind::table) {
      return sql_fail(sqlstate::wrong_object_type,
                      fmt::format("a materialized view cannot read the {} \"{}\": read the view it writes",
                                  sql::relation_kind_name(info->kind), relation));
    }
    m->inputs[relation] = topic_of(*info);
  }
  settle_checkpoint();  // its thread may still be writing state under this name
  m->store = stream::make_prefixed_store(*store, view_store_prefix(name));
  // State restored from a checkpoint is resumed only if it was made by this very definition; any
  // other state under the name (a dropped namesake, a crash mid-DROP) is cleared.
  auto saved_definition = m->store->get(definition_key());
  if (!saved_definition) return sql_fail(sqlstate::internal_error, saved_definition.error().describe());
  m->resumed = *saved_definition == stored_definition(definition);
  if (!m->resumed) {
    if (auto cleared = m->store->erase_prefix(""); !cleared)
      return sql_fail(sqlstate::internal_error, cleared.error().describe());
  } else if (auto loaded = load_offsets(*m); !loaded) {
    return sql_fail(sqlstate::internal_error, loaded.error().describe());
  }
  stream::source_options source_options;
  source_options.allowed_lateness_micros = options.allowed_lateness_micros;
  source_options.idle_timeout = options.idle_timeout;
  auto pipeline = stream::compile(plan, *this, m->store.get(), source_options, m->resumed);
  if (!pipeline && m->resumed) {
    // State that does not restore (a row log lost with a dropped namesake, corruption) is rebuilt
    // from the topics rather than losing the view.
    spdlog::warn("view {}: its checkpointed state does not restore ({}); rebuilding it from its inputs", name,
                 pipeline.error().message);
    m->resumed = false;
    m->next_offset.clear();
    m->saved_offset.clear();
    if (auto cleared = m->store->erase_prefix(""); !cleared)
      return sql_fail(sqlstate::internal_error, cleared.error().describe());
    pipeline = stream::compile(plan, *this, m->store.get(), source_options, false);
  }
  if (!pipeline) return tl::unexpected(pipeline.error());
  if (!m->resumed) (*pipeline)->staged_writes().put(definition_key(), stored_definition(definition));
  m->pipeline = std::move(*pipeline);
  // State reaches the store once per checkpoint rather than once per batch: a group updated by every
  // batch is written once per checkpoint.
  m->pipeline->set_commit_each_batch(false);
  m->plan = std::move(plan);
  wire_diagnostics(*m);
  return m;
}

sql::sql_result<sql::query_result> engine_state::create_source(sql::relation_info info, bool if_not_exists,
                                                               bool record) {
  std::string tag = "CREATE " + kind_tag(info.kind);
  if (find(info.name) != nullptr) {
    if (if_not_exists) return tag_only(tag);
    return sql_fail(sqlstate::duplicate_table, fmt::format("relation \"{}\" already exists", info.name));
  }
  if (auto lateness = stream::allowed_lateness(info, 0); !lateness) return tl::unexpected(lateness.error());
  auto topic = topic_of(info);
  if (auto ok = ensure_topic(topic); !ok) return tl::unexpected(ok.error());
  std::string name = info.name;
  relations[name] = info;
  if (info.kind == sql::relation_kind::table) {
    auto m = materialize(name, scan_of(info), info.definition);
    if (!m) {
      relations.erase(name);
      return tl::unexpected(m.error());
    }
    views[name] = std::move(*m);
  }
  if (record) {
    if (auto saved = catalog.record_create(name, info.definition); !saved) {
      views.erase(name);
      relations.erase(name);
      return sql_fail(sqlstate::internal_error, "cannot save the catalog: " + saved.error().describe());
    }
  }
  creation_order.push_back(name);
  wake_worker();
  return tag_only(tag);
}

sql::sql_result<sql::query_result> engine_state::create_view(const sql::create_view_stmt& stmt, bool record) {
  if (find(stmt.name) != nullptr) {
    if (stmt.if_not_exists) return tag_only("CREATE MATERIALIZED VIEW");
    return sql_fail(sqlstate::duplicate_table, fmt::format("relation \"{}\" already exists", stmt.name));
  }
  auto bound = sql::bind_select(*stmt.query, *this, sql::query_use::materialized);
  if (!bound) return tl::unexpected(bound.error());
  sql::relation_info info;
  info.name = stmt.name;
  info.kind = sql::relation_kind::view;
  info.columns = bound->output;
  info.primary_key = stream::view_key_columns(*bound, *this);
  info.definition = stmt.definition;
  auto m = materialize(stmt.name, std::move(*bound), stmt.definition);
  if (!m) return tl::unexpected(m.error());
  if (record) {
    if (auto saved = catalog.record_create(stmt.name, stmt.definition); !saved) {
      return sql_fail(sqlstate::internal_error, "cannot save the catalog: " + saved.error().describe());
    }
  }
  relations[stmt.name] = std::move(info);
  views[stmt.name] = std::move(*m);
  creation_order.push_back(stmt.name);
  wake_worker();
  return tag_only("CREATE MATERIALIZED VIEW");
}

sql::sql_result<void> engine_state::subscribe_sink(sink_object& sink, bool resumed) {
  auto& view = views.at(sink.view)->pipeline->view();
  const sql::relation_info& info = relations.at(sink.owns_view ? sink.name : sink.view);
  sink.encoder = std::make_unique<stream::json_sink_encoder>(view.schema(), info.primary_key);
  auto active = sink.active;
  // Changes become records with their partition fixed now, so that a recovery can tell which of them
  // reached the topic. They wait in `pending` for the next checkpoint.
  auto write = [writer = sink.writer.get(), encoder = sink.encoder.get(), active, pending = sink.pending,
                name = sink.name](const sql::change_batch& batch) {
    if (!*active) return false;
    for (auto& r : encoder->encode(batch)) {
      output_record record{std::move(r.key), std::move(r.value), wall_clock_ms(), {}};
      auto partition = writer->partition_of(record);
      if (!partition) {
        spdlog::error("sink {}: {}", name, partition.error().describe());
        continue;
      }
      pending->push_back({*partition, std::move(record)});
    }
    return true;
  };
  // The sink starts with the view's current rows (unless it sent them before a restart), then
  // follows every change.
  auto rows = view.subscribe(write);
  if (resumed) return {};
  sql::change_batch initial;
  for (auto& r : rows) initial.push_back({std::move(r), 1});
  write(initial);
  return {};
}

sql::sql_result<sql::query_result> engine_state::create_sink(const sql::create_sink_stmt& stmt, bool record) {
  if (find(stmt.name) != nullptr) {
    if (stmt.if_not_exists) return tag_only("CREATE SINK");
    return sql_fail(sqlstate::duplicate_table, fmt::format("relation \"{}\" already exists", stmt.name));
  }
  auto format = stmt.options.find("format");
  if (format != stmt.options.end() && format->second != "json") {
    return sql_fail(sqlstate::feature_not_supported,
                    fmt::format("sink format \"{}\" is not supported (only json)", format->second));
  }
  auto sink = std::make_unique<sink_object>();
  sink->name = stmt.name;
  sql::relation_info info;
  info.name = stmt.name;
  info.kind = sql::relation_kind::sink;
  info.options = stmt.options;
  info.definition = stmt.definition;
  if (!stmt.from.empty()) {
    const sql::relation_info* from = find(stmt.from);
    if (from == nullptr || views.count(stmt.from) == 0) {
      return sql_fail(sqlstate::undefined_table,
                      fmt::format("materialized view or table \"{}\" does not exist", stmt.from));
    }
    sink->view = stmt.from;
    info.columns = from->columns;
    info.primary_key = from->primary_key;
  } else {
    auto bound = sql::bind_select(*stmt.query, *this, sql::query_use::materialized);
    if (!bound) return tl::unexpected(bound.error());
    info.columns = bound->output;
    info.primary_key = stream::view_key_columns(*bound, *this);
    auto m = materialize(stmt.name, std::move(*bound), stmt.definition);
    if (!m) return tl::unexpected(m.error());
    views[stmt.name] = std::move(*m);
    sink->view = stmt.name;
    sink->owns_view = true;
  }
  std::string topic = topic_of(info);
  if (auto ok = ensure_topic(topic); !ok) {
    if (sink->owns_view) views.erase(stmt.name);
    return tl::unexpected(ok.error());
  }
  sink->writer = std::make_unique<topic_writer>(logs, topic, options.default_partitions);
  if (record) {
    if (auto saved = catalog.record_create(stmt.name, stmt.definition); !saved) {
      if (sink->owns_view) views.erase(stmt.name);
      return sql_fail(sqlstate::internal_error, "cannot save the catalog: " + saved.error().describe());
    }
  }
  relations[stmt.name] = std::move(info);
  // A sink restored with its view resumes where the checkpoint left it; otherwise it starts with the
  // view's current rows.
  bool resumed =
      !record && views.at(sink->view)->resumed && sink_was_checkpointed(stmt.name, stmt.definition);
  if (auto subscribed = subscribe_sink(*sink, resumed); !subscribed)
    return tl::unexpected(subscribed.error());
  sinks[stmt.name] = std::move(sink);
  creation_order.push_back(stmt.name);
  wake_worker();
  return tag_only("CREATE SINK");
}

std::vector<std::string> engine_state::dependents(const std::string& name) const {
  std::vector<std::string> out;
  for (const auto& [view, m] : views) {
    if (view != name && m->depends_on.count(name) != 0) out.push_back(view);
  }
  for (const auto& [sink, s] : sinks) {
    if (!s->owns_view && s->view == name) out.push_back(sink);
  }
  return out;
}

void engine_state::drop_object(const std::string& name) {
  settle_checkpoint();  // its thread may still be writing the object's state
  if (auto sink = sinks.find(name); sink != sinks.end()) {
    *sink->second->active = false;  // the view may live on; its subscriber must go quiet
    sinks.erase(sink);
    if (auto erased = store->erase_prefix(sink_store_prefix(name)); !erased)
      spdlog::error("sink {}: clearing its state: {}", name, erased.error().describe());
  }
  if (auto view = views.find(name); view != views.end()) {
    if (auto removed = view->second->pipeline->remove_logs(); !removed)
      spdlog::error("view {}: removing its row log: {}", name, removed.error().describe());
    if (auto erased = view->second->store->erase_prefix(""); !erased)
      spdlog::error("view {}: clearing its state: {}", name, erased.error().describe());
  }
  views.erase(name);
  relations.erase(name);
  creation_order.erase(std::remove(creation_order.begin(), creation_order.end(), name), creation_order.end());
}

sql::sql_result<sql::query_result> engine_state::drop(const sql::drop_stmt& stmt) {
  std::string tag = "DROP " + kind_tag(stmt.kind);
  const sql::relation_info* info = find(stmt.name);
  if (info == nullptr || info->kind != stmt.kind) {
    if (stmt.if_exists) return tag_only(tag);
    return sql_fail(sqlstate::undefined_table,
                    fmt::format("{} \"{}\" does not exist", sql::relation_kind_name(stmt.kind), stmt.name));
  }
  auto depending = dependents(stmt.name);
  if (!depending.empty() && !stmt.cascade) {
    sql::sql_error error{
        sqlstate::dependent_objects_still_exist,
        fmt::format("cannot drop {} {} because other objects depend on it",
                    sql::relation_kind_name(stmt.kind), stmt.name),
        -1,
        fmt::format("{} depends on {} {}", depending.front(), sql::relation_kind_name(stmt.kind), stmt.name),
        "Use DROP ... CASCADE to drop the dependent objects too."};
    return tl::unexpected(error);
  }
  for (const auto& dependent : depending) {
    const sql::relation_info* d = find(dependent);
    if (d == nullptr) continue;
    auto dropped = drop(sql::drop_stmt{d->kind, dependent, true, true});
    if (!dropped) return dropped;
  }
  if (auto saved = catalog.record_drop(stmt.name); !saved) {
    return sql_fail(sqlstate::internal_error, "cannot save the catalog: " + saved.error().describe());
  }
  drop_object(stmt.name);
  return tag_only(tag);
}

result<void> engine_state::restore_catalog() {
  SLUICE_ASSIGN_OR_RETURN(auto entries, catalog.load());
  for (const auto& entry : entries) {
    auto parsed = sql::parse_statement(entry.statement);
    sql::sql_result<sql::query_result> created = sql_fail(sqlstate::internal_error, "not a CREATE statement");
    if (!parsed) {
      created = tl::unexpected(parsed.error());
    } else if (auto* s = std::get_if<sql::create_source_stmt>(&*parsed)) {
      created = create_source(s->relation, false, false);
    } else if (auto* t = std::get_if<sql::create_table_stmt>(&*parsed)) {
      created = create_source(t->relation, false, false);
    } else if (auto* v = std::get_if<sql::create_view_stmt>(&*parsed)) {
      created = create_view(*v, false);
    } else if (auto* k = std::get_if<sql::create_sink_stmt>(&*parsed)) {
      created = create_sink(*k, false);
    }
    if (!created) {
      spdlog::error("catalog: cannot restore {}: {} ({})", entry.name, created.error().message,
                    entry.statement);
    }
  }
  spdlog::info("catalog: {} objects restored", relations.size());
  if (auto removed = store->remove_unopened_logs(); !removed)
    spdlog::warn("sql state: removing row logs of views that are gone: {}", removed.error().describe());
  return {};
}

}  // namespace sluice::engine
