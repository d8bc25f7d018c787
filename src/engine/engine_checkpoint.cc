// engine/engine_checkpoint.cc — checkpoints of the engine's dataflows, restoring them, and the sinks'
// exactly-once output.
//
// A checkpoint is one consistent cut: begin_checkpoint() collects every view's changes (with how far it
// read each input partition) as of the same moment; another thread writes them to the store and
// takes a RocksDB checkpoint of it (checkpoints.h), which makes that cut durable, while the views go
// on consuming. Only checkpoints write view state. A restart
// restores the newest valid checkpoint and each view replays its inputs from the offsets it holds.
//
// Sinks: a view's changes become sink records at once but wait in memory. At a checkpoint they are
// written into the store, with the end offset of each partition they go to, before the store is
// checkpointed; once the checkpoint is durable they are appended to their topic and removed from the
// store. A crash after the checkpoint but before (or during) the append leaves them in the restored
// store: recovery appends those the topic does not have yet (its end offset tells how many did). A
// crash before the checkpoint loses them, and the replay from the previous checkpoint makes them
// again. So a sink topic holds each result once — as long as the newest checkpoint is the one
// restored; falling back past a corrupted checkpoint re-sends what the lost one had released.
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "base/thread_name.h"
#include "engine/engine_state.h"
#include "io/file.h"
#include "storage/log_manager.h"
#include "stream/codec.h"

namespace sluice::engine {
namespace {

// Inside a view's store (after its own prefix): keys of the engine's, apart from the operators'.
std::string offset_key(const std::string& relation, int partition) {
  std::string key = stream::state_prefix(0x7f01);
  stream::append_string(key, relation);
  stream::append_i64(key, partition);
  return key;
}

// Inside a sink's prefix in the root store.
constexpr std::string_view sink_definition = "d";
constexpr std::string_view sink_bases = "b";    // partition → its end offset before the append
constexpr std::string_view sink_records = "r";  // + sequence → one record waiting for the topic

std::string encode_pending(const sink_object::pending_record& p) {
  std::string out;
  stream::append_i64(out, p.partition);
  stream::append_i64(out, p.record.timestamp_ms);
  stream::append_u8(out, static_cast<std::uint8_t>((p.record.key ? 1 : 0) | (p.record.value ? 2 : 0)));
  stream::append_string(out, p.record.key.value_or(""));
  stream::append_string(out, p.record.value.value_or(""));
  return out;
}

std::optional<sink_object::pending_record> decode_pending(std::string_view in) {
  stream::decoder d(in);
  std::int64_t partition = 0, timestamp = 0;
  std::uint8_t present = 0;
  std::string key, value;
  if (!d.read_i64(partition) || !d.read_i64(timestamp) || !d.read_u8(present) || !d.read_string(key) ||
      !d.read_string(value))
    return std::nullopt;
  output_record r;
  r.timestamp_ms = timestamp;
  if (present & 1) r.key = std::move(key);
  if (present & 2) r.value = std::move(value);
  return sink_object::pending_record{static_cast<std::int32_t>(partition), std::move(r)};
}

std::int64_t end_offset(storage::log_manager& logs, const std::string& topic, std::int32_t partition) {
  auto log = logs.partition(topic, partition);
  return log ? log->end_offset() : 0;
}

}  // namespace

std::string view_store_prefix(const std::string& name) { return "v" + name + std::string(1, '\0'); }
std::string sink_store_prefix(const std::string& name) { return "s" + name + std::string(1, '\0'); }
std::string definition_key() { return stream::state_prefix(0x7f00) + "definition"; }
// Version 2: append-only views store rows by sequence number; 3: so do joins; 4: aggregates keep
// large multisets as one key per value; 5: append-only views store runs of rows; 6: tables keep only
// the columns their views read; 7: append-only views keep their rows in a log file.
std::string stored_definition(const std::string& definition) { return "state format 7\n" + definition; }

result<void> engine_state::open_store() {
  checkpoints =
      std::make_unique<checkpoint_dir>(io::file_system::posix(), options.state_dir, options.checkpoints_kept);
  std::vector<std::string> skipped;
  SLUICE_ASSIGN_OR_RETURN(auto newest, checkpoints->newest_valid(&skipped));
  SLUICE_ASSIGN_OR_RETURN(std::uint64_t highest, checkpoints->highest_sequence());
  next_checkpoint = highest + 1;
  for (const auto& name : skipped) {
    spdlog::warn("sql state: checkpoint {} is incomplete or corrupted; using an older one", name);
  }
  SLUICE_RETURN_IF_ERROR(checkpoints->restore_live(newest));
  SLUICE_ASSIGN_OR_RETURN(store,
                          stream::open_rocksdb_store(checkpoints->live_dir(), checkpoints->logs_dir()));
  if (newest) {
    last_checkpoint = newest;
    restored_from = newest->sequence;
    spdlog::info("sql state: restoring checkpoint {}", newest->sequence);
  } else {
    spdlog::info("sql state: no checkpoint; views are built from their topics");
  }
  return {};
}

result<void> engine_state::load_offsets(materialization& m) {
  std::string prefix = stream::state_prefix(0x7f01);
  return m.store->scan_prefix(prefix, [&](std::string_view key, std::string_view value) {
    stream::decoder k(key.substr(prefix.size())), v(value);
    std::string relation;
    std::int64_t partition = 0, offset = 0;
    if (!k.read_string(relation) || !k.read_i64(partition) || !v.read_i64(offset)) return false;
    m.next_offset[{relation, static_cast<int>(partition)}] = offset;
    m.saved_offset[{relation, static_cast<int>(partition)}] = offset;
    return true;
  });
}

void engine_state::stage_offsets(materialization& m) {
  for (const auto& [at, offset] : m.next_offset) {
    auto& saved = m.saved_offset[at];
    if (saved == offset) continue;
    std::string value;
    stream::append_i64(value, offset);
    m.pipeline->staged_writes().put(offset_key(at.first, at.second), std::move(value));
    saved = offset;
  }
}

bool engine_state::sink_was_checkpointed(const std::string& name, const std::string& definition) {
  auto saved = store->get(sink_store_prefix(name) + std::string(sink_definition));
  return saved && *saved == definition;
}

result<checkpoint_info> engine_state::checkpoint() {
  settle_checkpoint();
  SLUICE_RETURN_IF_ERROR(begin_checkpoint());
  return finish_checkpoint();
}

void engine_state::settle_checkpoint() {
  if (checkpoint_in_flight) (void)finish_checkpoint();  // a failure is logged and counted there
}

result<void> engine_state::begin_checkpoint() {
  if (store_failed) {
    ++checkpoint_stats.failures;
    return fail(errc::io_error, "a state store write failed earlier; restart to restore the last checkpoint");
  }
  auto writes = collect_changes();
  checkpoint_job job;
  job.started = std::chrono::steady_clock::now();
  job.sequence = next_checkpoint++;
  // The sinks' waiting output goes into the store with the cut that produced it.
  stream::write_batch staged;
  std::uint64_t record_sequence = 0;
  for (auto& [name, sink] : sinks) {
    std::string prefix = sink_store_prefix(name);
    staged.put(prefix + std::string(sink_definition), relations.at(name).definition);
    job.covered[name] = {sink->pending, sink->pending->size()};
    if (sink->pending->empty()) continue;
    std::map<std::int32_t, std::int64_t> bases;
    for (const auto& p : *sink->pending) {
      bases.try_emplace(p.partition, end_offset(logs, sink->writer->topic(), p.partition));
      std::string key = prefix + std::string(sink_records);
      stream::append_i64(key, static_cast<std::int64_t>(record_sequence++));
      staged.put(key, encode_pending(p));
    }
    std::string encoded;
    for (const auto& [partition, base] : bases) {
      stream::append_i64(encoded, partition);
      stream::append_i64(encoded, base);
    }
    staged.put(prefix + std::string(sink_bases), encoded);
  }
  writes.emplace_back(store.get(), std::move(staged));
  // Off the lock, only the store and the checkpoint directory are touched: view stores stay alive
  // because DDL settles the checkpoint first.
  job.copy =
      std::async(std::launch::async,
                 [this, sequence = job.sequence, writes = std::move(writes)]() -> result<checkpoint_info> {
                   name_this_thread("sql-checkpoint");
                   for (const auto& [target, batch] : writes) {
                     if (batch.empty()) continue;
                     if (auto written = target->write(batch); !written) {
                       store_write_failed = true;
                       return tl::unexpected(written.error());
                     }
                   }
                   SLUICE_RETURN_IF_ERROR(store->checkpoint(checkpoints->staging_dir(sequence)));
                   return checkpoints->commit(sequence, wall_clock_ms());
                 });
  checkpoint_in_flight = std::move(job);
  return {};
}

bool engine_state::checkpoint_done() const {
  return checkpoint_in_flight &&
         checkpoint_in_flight->copy.wait_for(std::chrono::seconds(0)) == std::future_status::ready;
}

result<checkpoint_info> engine_state::finish_checkpoint() {
  checkpoint_job job = std::move(*checkpoint_in_flight);
  checkpoint_in_flight.reset();
  auto sealed = job.copy.get();
  if (store_write_failed) store_failed = true;
  if (!sealed) {
    ++checkpoint_stats.failures;
    spdlog::error("checkpoint: {}", sealed.error().describe());
    return tl::unexpected(sealed.error());
  }
  last_checkpoint = *sealed;
  // Durable: the output it holds may go out now. What fails to append (a full disk) stays pending and
  // is staged again with the next checkpoint; this checkpoint keeps it for a restart meanwhile.
  stream::write_batch released;
  for (auto& [name, sink] : sinks) {
    auto held = job.covered.find(name);
    if (held == job.covered.end() || held->second.first != sink->pending || held->second.second == 0)
      continue;
    std::size_t count = held->second.second;
    auto& pending = *sink->pending;
    std::map<std::int32_t, std::vector<const output_record*>> by_partition;
    for (std::size_t i = 0; i < count; ++i) by_partition[pending[i].partition].push_back(&pending[i].record);
    std::set<std::int32_t> failed;
    for (const auto& [partition, records] : by_partition) {
      if (auto appended = sink->writer->append(partition, records); !appended) {
        spdlog::error("sink {}: {}", name, appended.error().describe());
        failed.insert(partition);
        continue;
      }
      sink->records_out += records.size();
    }
    // Keep what failed and what came after the cut, in order.
    std::vector<sink_object::pending_record> kept;
    for (std::size_t i = 0; i < pending.size(); ++i) {
      if (i >= count || failed.count(pending[i].partition) != 0) kept.push_back(std::move(pending[i]));
    }
    pending = std::move(kept);
    std::string prefix = sink_store_prefix(name);
    released.erase(prefix + std::string(sink_bases));
    (void)store->scan_prefix(prefix + std::string(sink_records), [&](std::string_view key, std::string_view) {
      released.erase(key);
      return true;
    });
  }
  if (auto written = store->write(released); !written)
    spdlog::error("checkpoint: {}", written.error().describe());
  auto took = std::chrono::steady_clock::now() - job.started;
  checkpoint_stats.last = took;
  checkpoint_stats.total += took;
  ++checkpoint_stats.count;
  return *sealed;
}

void engine_state::recover_sink_output() {
  for (auto& [name, sink] : sinks) {
    std::string prefix = sink_store_prefix(name);
    auto bases_text = store->get(prefix + std::string(sink_bases));
    if (!bases_text || !*bases_text) continue;
    std::map<std::int32_t, std::int64_t> bases;
    stream::decoder d(**bases_text);
    while (!d.done()) {
      std::int64_t partition = 0, base = 0;
      if (!d.read_i64(partition) || !d.read_i64(base)) break;
      bases[static_cast<std::int32_t>(partition)] = base;
    }
    std::map<std::int32_t, std::vector<sink_object::pending_record>> waiting;
    stream::write_batch released;
    released.erase(prefix + std::string(sink_bases));
    auto scanned = store->scan_prefix(prefix + std::string(sink_records),
                                      [&](std::string_view key, std::string_view value) {
                                        released.erase(std::string(key));
                                        auto p = decode_pending(value);
                                        if (p) waiting[p->partition].push_back(std::move(*p));
                                        return p.has_value();
                                      });
    if (!scanned) {
      spdlog::error("sink {}: cannot read its waiting output: {}", name, scanned.error().describe());
      continue;
    }
    std::size_t resent = 0;
    for (auto& [partition, records] : waiting) {
      // The partition has grown by what reached it before the crash; the rest is appended now.
      std::int64_t arrived = end_offset(logs, sink->writer->topic(), partition) - bases[partition];
      std::size_t skip = static_cast<std::size_t>(
          std::clamp<std::int64_t>(arrived, 0, static_cast<std::int64_t>(records.size())));
      std::vector<const output_record*> rest;
      for (std::size_t i = skip; i < records.size(); ++i) rest.push_back(&records[i].record);
      if (auto appended = sink->writer->append(partition, rest); !appended) {
        spdlog::error("sink {}: {}", name, appended.error().describe());
        return;  // keep them in the store for the next start
      }
      resent += rest.size();
    }
    if (auto written = store->write(released); !written)
      spdlog::error("sink {}: {}", name, written.error().describe());
    if (resent > 0)
      spdlog::info("sink {}: {} records of the last checkpoint appended after the restart", name, resent);
  }
}

}  // namespace sluice::engine
