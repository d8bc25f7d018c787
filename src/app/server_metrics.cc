#include "app/server_metrics.h"

#include <array>
#include <chrono>
#include <string>

#include "app/server_runtime.h"
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
