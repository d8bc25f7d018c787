// engine/engine_monitor.cc — what the engine reports about its dataflows (engine::describe_pipelines):
// read under the engine's lock, between the worker's rounds, so every counter is at a batch boundary.
#include <algorithm>
#include <cstdint>

#include "engine/engine_state.h"
#include "stream/state_store.h"

namespace sluice::engine {
namespace {

// A table has no event time: the pipeline hands downstream the end of time, which is no watermark
// to a reader.
std::int64_t reported_watermark(std::int64_t w) { return w == INT64_MAX ? INT64_MIN : w; }

pipeline_graph::node node_of(const stream::pipeline::node_stats& s) {
  pipeline_graph::node n;
  n.id = s.id;
  auto colon = s.label.find(": ");
  n.kind = s.label.substr(0, colon);
  if (colon != std::string::npos) n.detail = s.label.substr(colon + 2);
  n.inputs = s.inputs;
  n.rows_in = s.rows_in;
  n.rows_out = s.rows_out;
  n.watermark = reported_watermark(s.watermark);
  return n;
}

std::string option_or(const sql::relation_info& info, const std::string& name, std::string fallback) {
  auto it = info.options.find(name);
  return it == info.options.end() ? fallback : it->second;
}

}  // namespace

pipeline_graph engine_state::describe_pipelines() {
  pipeline_graph g;
  std::map<std::string, pipeline_graph::source> sources;
  for (const std::string& name : creation_order) {
    const sql::relation_info& info = relations.at(name);
    if (info.kind == sql::relation_kind::source || info.kind == sql::relation_kind::table) {
      sources[name] = {name, std::string(sql::relation_kind_name(info.kind)), topic_of(info),
                       option_or(info, "format", "json")};
    }
  }
  for (const std::string& name : creation_order) {
    auto it = views.find(name);
    const sql::relation_info& info = relations.at(name);
    if (it == views.end() || info.kind == sql::relation_kind::table) continue;
    materialization& m = *it->second;
    pipeline_graph::view v;
    v.name = name;
    v.sql = info.definition;
    v.inputs.assign(m.depends_on.begin(), m.depends_on.end());
    v.rows = m.pipeline->view().size();
    v.state_bytes = m.store->approximate_size("", "") + m.pipeline->view().log_bytes();
    for (const auto& s : m.pipeline->stats()) {
      v.operators.push_back(node_of(s));
      const auto& op = v.operators.back();
      if (op.kind != "Source") continue;
      auto src = sources.find(op.detail);
      if (src == sources.end()) continue;
      src->second.watermark = std::max(src->second.watermark, op.watermark);
      src->second.records_in = std::max(src->second.records_in, op.rows_in);
      src->second.late_events = std::max(src->second.late_events, m.late_events[op.detail]);
      src->second.dead_letters = std::max(src->second.dead_letters, m.dead_letters[op.detail]);
    }
    g.views.push_back(std::move(v));
  }
  // A table's own materialization reads it: its counts are the table's.
  for (auto& [name, src] : sources) {
    auto it = views.find(name);
    if (it == views.end()) continue;
    for (const auto& s : it->second->pipeline->stats()) {
      if (s.label != "Source: " + name) continue;
      src.records_in = std::max(src.records_in, s.rows_in);
      src.watermark = std::max(src.watermark, reported_watermark(s.watermark));
    }
    src.dead_letters = std::max(src.dead_letters, it->second->dead_letters[name]);
  }
  for (const std::string& name : creation_order) {
    if (auto src = sources.find(name); src != sources.end()) g.sources.push_back(src->second);
    auto sink = sinks.find(name);
    if (sink == sinks.end()) continue;
    const sql::relation_info& info = relations.at(name);
    g.sinks.push_back({name, sink->second->view, topic_of(info), option_or(info, "format", "json"),
                       sink->second->records_out});
  }
  using seconds = std::chrono::duration<double>;
  g.state_commits = commit_stats.count;
  g.last_commit_seconds = std::chrono::duration_cast<seconds>(commit_stats.last).count();
  g.commit_seconds_total = std::chrono::duration_cast<seconds>(commit_stats.total).count();
  g.checkpoints = checkpoint_stats.count;
  g.checkpoint_failures = checkpoint_stats.failures;
  if (last_checkpoint) {
    g.last_checkpoint = last_checkpoint->sequence;
    g.last_checkpoint_ms = last_checkpoint->created_ms;
  }
  g.last_checkpoint_seconds = std::chrono::duration_cast<seconds>(checkpoint_stats.last).count();
  g.checkpoint_seconds_total = std::chrono::duration_cast<seconds>(checkpoint_stats.total).count();
  g.restored_from = restored_from;
  return g;
}

pipeline_graph engine::describe_pipelines() {
  std::lock_guard lock(state_->mu);
  return state_->describe_pipelines();
}

}  // namespace sluice::engine
