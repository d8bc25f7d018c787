#include "app/server_metrics.h"

#include <array>
#include <chrono>
#include <string>

#include "app/server_runtime.h"
#include "engine/engine.h"
#include "group/coordinator.h"
#include "net/server.h"
#include "pgwire/listener.h"
#include "storage/log_manager.h"

#ifndef SLUICE_VERSION
#define SLUICE_VERSION "unknown"
#endif

namespace sluice::app {
namespace {

using metrics::sample_writer;

void collect_partitions(const storage::log_manager& logs, sample_writer& out) {
  double disk = 0;
  for (const auto& topic : logs.list_topics()) {
    for (std::int32_t p = 0; p < topic.partitions; ++p) {
      auto log = logs.partition(topic.name, p);
      if (!log) continue;  // deleted meanwhile
      auto stats = log->stats();
      metrics::labels at{{"topic", topic.name}, {"partition", std::to_string(p)}};
      out.gauge("sluice_partition_log_start_offset", "First readable offset of the partition.", at,
                static_cast<double>(stats.log_start_offset));
      out.gauge("sluice_partition_log_end_offset", "Offset the partition's next record gets.", at,
                static_cast<double>(stats.end_offset));
      out.gauge("sluice_partition_size_bytes", "Bytes of the partition's segment files.", at,
                static_cast<double>(stats.size_bytes));
      disk += static_cast<double>(stats.size_bytes);
    }
  }
  out.gauge("sluice_disk_bytes", "Bytes of every partition's segment files.", {}, disk);
}

void collect_groups(const group::group_coordinator& groups, sample_writer& out) {
  constexpr std::array states{group::group_state::empty, group::group_state::preparing_rebalance,
                              group::group_state::completing_rebalance, group::group_state::stable,
                              group::group_state::dead};
  std::array<double, states.size()> by_state{};
  for (const auto& g : groups.list()) {
    auto summary = g->describe();
    for (std::size_t i = 0; i < states.size(); ++i)
      if (states[i] == summary.state) ++by_state[i];
    out.gauge("sluice_consumer_group_members", "Members of the consumer group.", {{"group", g->id()}},
              static_cast<double>(summary.members.size()));
    for (const auto& lag : groups.lag(g->id())) {
      metrics::labels at{{"group", g->id()},
                         {"topic", lag.partition.topic},
                         {"partition", std::to_string(lag.partition.partition)}};
      out.gauge("sluice_consumer_group_committed_offset", "Offset the group committed for the partition.", at,
                static_cast<double>(lag.committed));
      out.gauge("sluice_consumer_group_lag", "Partition end offset minus the group's committed offset.", at,
                static_cast<double>(lag.lag));
    }
  }
  for (std::size_t i = 0; i < states.size(); ++i)
    out.gauge("sluice_consumer_groups", "Consumer groups, by state.",
              {{"state", std::string(group::state_name(states[i]))}}, by_state[i]);
}

// The SQL engine's dataflows, from engine::describe_pipelines (one lock of the engine per scrape).
void collect_engine(engine::engine& e, sample_writer& out) {
  engine::pipeline_graph g = e.describe_pipelines();
  double now_ms =
      std::chrono::duration<double, std::milli>(std::chrono::system_clock::now().time_since_epoch()).count();
  for (const auto& src : g.sources) {
    metrics::labels at{{"source", src.name}};
    out.counter("sluice_source_records_total", "Records the engine read from the source's topic.", at,
                static_cast<double>(src.records_in));
    out.counter("sluice_source_late_events_total",
                "Events left out of the views for arriving behind the watermark.", at,
                static_cast<double>(src.late_events));
    out.counter("sluice_source_dead_letters_total",
                "Records that did not decode, sent to the dead-letter topic.", at,
                static_cast<double>(src.dead_letters));
    if (src.watermark != INT64_MIN) {
      out.gauge("sluice_source_watermark_delay_seconds",
                "Wall clock minus the source's event-time watermark.", at,
                (now_ms - static_cast<double>(src.watermark) / 1000) / 1000);
    }
  }
  for (const auto& v : g.views) {
    metrics::labels at{{"view", v.name}};
    out.gauge("sluice_view_rows", "Rows of the materialized view.", at, static_cast<double>(v.rows));
    out.gauge("sluice_view_state_bytes", "Approximate bytes of the view's operator state in the state store.",
              at, static_cast<double>(v.state_bytes));
    for (const auto& op : v.operators) {
      metrics::labels op_at{{"view", v.name}, {"operator", std::to_string(op.id) + " " + op.kind}};
      out.counter("sluice_operator_rows_in_total", "Changes an operator received (a source: records read).",
                  op_at, static_cast<double>(op.rows_in));
      out.counter("sluice_operator_rows_out_total", "Changes an operator emitted.", op_at,
                  static_cast<double>(op.rows_out));
    }
  }
  for (const auto& sink : g.sinks) {
    out.counter("sluice_sink_records_total", "Records the sink appended to its topic.", {{"sink", sink.name}},
                static_cast<double>(sink.records_out));
  }
  out.counter("sluice_checkpoints_total", "Checkpoints of the engine's state taken by this run.", {},
              static_cast<double>(g.checkpoints));
  out.counter("sluice_checkpoint_failures_total", "Checkpoints that failed.", {},
              static_cast<double>(g.checkpoint_failures));
  out.counter("sluice_checkpoint_seconds_total", "Time spent taking checkpoints.", {},
              g.checkpoint_seconds_total);
  out.gauge("sluice_checkpoint_last_duration_seconds", "How long the last checkpoint took.", {},
            g.last_checkpoint_seconds);
  if (g.last_checkpoint_ms > 0) {
    out.gauge("sluice_checkpoint_lag_seconds", "Seconds since the last durable checkpoint.", {},
              (now_ms - static_cast<double>(g.last_checkpoint_ms)) / 1000);
  }
  out.counter("sluice_engine_commits_total", "Ticks whose view state was committed to the state store.", {},
              static_cast<double>(g.state_commits));
  out.counter("sluice_engine_commit_seconds_total", "Time spent committing view state.", {},
              g.commit_seconds_total);
}

double seconds_since(std::chrono::steady_clock::time_point t) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t).count();
}

void collect_process(std::chrono::steady_clock::time_point started, double start_time, sample_writer& out) {
  out.gauge("sluice_uptime_seconds", "Seconds since the server started.", {}, seconds_since(started));
  out.gauge("process_start_time_seconds", "Start time of the process since the Unix epoch in seconds.", {},
            start_time);
  out.gauge("sluice_build_info", "Always 1; the version is a label.", {{"version", SLUICE_VERSION}}, 1);
}

}  // namespace

metrics::collector_handle collect_server_metrics(const services& s) {
  // The wall clock at start, once: a scrape must not see it move.
  auto now = std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
  double start_time = now - seconds_since(s.started);
  return metrics::default_registry().add_collector([&s, start_time](sample_writer& out) {
    collect_process(s.started, start_time, out);
    collect_partitions(s.logs, out);
    collect_groups(s.groups, out);
    collect_engine(s.engine, out);
  });
}

metrics::collector_handle collect_connections(const net::server& kafka, const pgwire::listener& pg) {
  return metrics::default_registry().add_collector([&kafka, &pg](sample_writer& out) {
    const char* help = "Open client connections, by listener.";
    out.gauge("sluice_connections", help, {{"listener", "kafka"}},
              static_cast<double>(kafka.open_connections()));
    out.gauge("sluice_connections", help, {{"listener", "postgres"}},
              static_cast<double>(pg.open_connections()));
  });
}

}  // namespace sluice::app
