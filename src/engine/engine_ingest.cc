// engine/engine_ingest.cc — feeding pipelines from the partition logs, in process.
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "engine/engine_state.h"
#include "storage/log_manager.h"
#include "storage/record_reader.h"

namespace sluice::engine {

void record_buffer::add(const model::record_view& r) {
  span s{bytes.size(), 0, 0, 0, r.key.has_value(), r.value.has_value()};
  if (r.key) {
    bytes.append(reinterpret_cast<const char*>(r.key->data()), r.key->size());
    s.key_size = r.key->size();
  }
  s.value_at = bytes.size();
  if (r.value) {
    bytes.append(reinterpret_cast<const char*>(r.value->data()), r.value->size());
    s.value_size = r.value->size();
  }
  spans.push_back(s);
}

const std::vector<stream::record>& record_buffer::records(int partition) {
  bytes.append(stream::decode_padding, ' ');
  std::string_view all(bytes);
  for (const span& s : spans) {
    stream::record r;
    r.partition = partition;
    if (s.has_key) r.key = all.substr(s.key_at, s.key_size);
    if (s.has_value) r.value = all.substr(s.value_at, s.value_size);
    r.padded = true;
    records_.push_back(r);
  }
  return records_;
}

void record_buffer::clear() {
  bytes.clear();
  spans.clear();
  records_.clear();
}

void engine_state::listen_for_appends(const std::string& topic, int partition) {
  auto key = std::make_pair(topic, partition);
  auto log = logs.partition(topic, partition);
  auto it = append_listeners.find(key);
  if (it != append_listeners.end() && it->second.first == log) return;
  if (it != append_listeners.end()) {
    it->second.first->unsubscribe_appends(it->second.second);
    append_listeners.erase(it);
  }
  if (!log) return;
  // Called on the appending thread: only flag work and wake the worker.
  auto id = log->subscribe_appends([this] { wake_worker(); });
  append_listeners[key] = {log, id};
}

void engine_state::remove_listeners() {
  for (auto& [key, listener] : append_listeners) listener.first->unsubscribe_appends(listener.second);
  append_listeners.clear();
}

sql::sql_result<std::vector<sql::row>> scan_source(const storage::log_manager& logs,
                                                   const sql::relation_info& info) {
  std::string topic = topic_of(info);
  auto described = logs.describe_topic(topic);
  if (!described) return std::vector<sql::row>{};  // nothing was ever written to it
  stream::diagnostics unreported;
  auto reader = stream::source_reader::make(info, {}, "scan", &unreported);
  if (!reader) return tl::unexpected(reader.error());
  (*reader)->declare_partitions(described->partitions);
  sql::change_batch changes;
  record_buffer buffer;
  for (int p = 0; p < described->partitions; ++p) {
    auto log = logs.partition(topic, p);
    if (!log) continue;
    std::int64_t next = log->log_start_offset(), end = log->end_offset();
    while (next < end) {
      buffer.clear();
      auto read = storage::read_records(*log, next, std::size_t{1} << 20, [&](const auto& r) {
        if (r.offset >= end) return false;  // what is appended meanwhile is for the next query
        buffer.add(r);
        return true;
      });
      if (!read) {
        return sql::sql_fail(sql::sqlstate::internal_error,
                             fmt::format("cannot read {}-{}: {}", topic, p, read.error().describe()));
      }
      if (*read <= next) break;
      next = *read;
      (*reader)->ingest(buffer.records(p), changes);
    }
  }
  std::vector<sql::row> rows;
  rows.reserve(changes.size());
  for (sql::change& c : changes) {  // a source only inserts
    for (std::int64_t i = 1; i < c.weight; ++i) rows.push_back(c.values);
    if (c.weight > 0) rows.push_back(std::move(c.values));
  }
  return rows;
}

// Reads what is new in one partition of one input and ingests it. True if records were read.
static bool pump_partition(engine_state& state, materialization& m, const std::string& relation,
                           const std::string& topic, int partition) {
  state.listen_for_appends(topic, partition);
  auto log = state.logs.partition(topic, partition);
  if (!log) return false;
  std::int64_t& next = m.next_offset[{relation, partition}];
  if (next < log->log_start_offset()) next = log->log_start_offset();  // retention moved past us
  if (next >= log->end_offset()) return false;
  record_buffer& buffer = state.read_buffer;
  buffer.clear();
  auto read = storage::read_records(*log, next, state.options.read_bytes_per_round, [&](const auto& r) {
    buffer.add(r);
    return true;
  });
  if (!read) {
    if (read.error().code == errc::offset_out_of_range) {
      next = log->log_start_offset();
    } else {
      spdlog::error("view {}: reading {}-{} at {}: {}", m.name, topic, partition, next,
                    read.error().describe());
    }
    return false;
  }
  bool moved = *read > next;
  next = *read;
  if (buffer.spans.empty()) return moved;
  if (auto ingested = m.pipeline->ingest(relation, buffer.records(partition)); !ingested) {
    spdlog::error("view {}: {}", m.name, ingested.error().describe());
  }
  return true;
}

bool engine_state::pump_all() {
  bool progressed = false;
  for (auto& [name, m] : views) {
    for (const auto& [relation, topic] : m->inputs) {
      auto topic_info = logs.describe_topic(topic);
      if (!topic_info) continue;
      // Before any of them is read: otherwise the partition read first alone sets the watermark,
      // and the others' older events are late.
      if (int& told = m->declared_partitions[relation]; told != topic_info->partitions) {
        m->pipeline->declare_partitions(relation, topic_info->partitions);
        told = topic_info->partitions;
      }
      for (int p = 0; p < topic_info->partitions; ++p)
        progressed |= pump_partition(*this, *m, relation, topic, p);
    }
  }
  return progressed;
}

void engine_state::tick_all() {
  for (auto& [name, m] : views) {
    if (auto ticked = m->pipeline->tick(); !ticked)
      spdlog::error("view {}: {}", name, ticked.error().describe());
  }
}

std::vector<std::pair<stream::state_store*, stream::write_batch>> engine_state::collect_changes() {
  auto started = std::chrono::steady_clock::now();
  std::vector<std::pair<stream::state_store*, stream::write_batch>> out;
  for (auto& [name, m] : views) {
    // Each view's state since the last collection, with how far the view has read its inputs, in one
    // write batch: a consistent cut of that view.
    stage_offsets(*m);
    out.emplace_back(m->store.get(), m->pipeline->take_changes());
  }
  commit_stats.last = std::chrono::steady_clock::now() - started;
  commit_stats.total += commit_stats.last;
  ++commit_stats.count;
  return out;
}

bool engine_state::caught_up() {
  for (auto& [name, m] : views) {
    for (const auto& [relation, topic] : m->inputs) {
      auto topic_info = logs.describe_topic(topic);
      if (!topic_info) continue;
      for (int p = 0; p < topic_info->partitions; ++p) {
        auto log = logs.partition(topic, p);
        if (!log) continue;
        auto it = m->next_offset.find({relation, p});
        std::int64_t next = it == m->next_offset.end() ? 0 : it->second;
        if (next < log->end_offset()) return false;
      }
    }
  }
  return true;
}

std::vector<engine_state::read_target> engine_state::end_offsets(const std::vector<std::string>& view_names) {
  std::vector<read_target> out;
  for (const auto& name : view_names) {
    auto m = views.find(name);
    if (m == views.end()) continue;
    for (const auto& [relation, topic] : m->second->inputs) {
      auto topic_info = logs.describe_topic(topic);
      if (!topic_info) continue;
      for (int p = 0; p < topic_info->partitions; ++p) {
        if (auto log = logs.partition(topic, p)) out.push_back({name, relation, p, log->end_offset()});
      }
    }
  }
  return out;
}

bool engine_state::reached(const std::vector<read_target>& targets) const {
  for (const auto& t : targets) {
    auto m = views.find(t.view);
    if (m == views.end()) continue;
    auto it = m->second->next_offset.find({t.relation, t.partition});
    if (it == m->second->next_offset.end() || it->second < t.end_offset) return false;
  }
  return true;
}

}  // namespace sluice::engine
