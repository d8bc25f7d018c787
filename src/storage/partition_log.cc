#include "storage/partition_log.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <charconv>

#include "base/assert.h"
#include "metrics/metrics.h"
#include "model/record_batch.h"
#include "model/record_validation.h"
#include "storage/properties_file.h"

namespace sluice::storage {
namespace {

constexpr const char* partition_state_file = "partition.properties";
constexpr const char* producer_snapshot_file = "producer.snapshot";
constexpr const char* recovery_point_file = "recovery-point";
// Kafka's producer.id.expiration.ms: producers silent this long are forgotten at the next snapshot.
constexpr std::int64_t producer_id_expiration_ms = 86400000;
constexpr std::int64_t max_relative_offset = 2147483647;
// The longest a sync leader waits for the appenders it expects to join.
constexpr auto max_commit_delay = std::chrono::milliseconds(2);

std::int64_t wall_clock_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// "00000000000000001234.log" → 1234; nullopt for any other name.
std::optional<std::int64_t> segment_base_of(const std::string& name) {
  if (name.size() != 24 || !name.ends_with(".log")) return std::nullopt;
  std::int64_t base = 0;
  auto [end, ec] = std::from_chars(name.data(), name.data() + 20, base);
  if (ec != std::errc{} || end != name.data() + 20) return std::nullopt;
  return base;
}

bool is_index_file(const std::string& name) {
  return name.ends_with(".index") || name.ends_with(".timeindex");
}

result<void> persist_recovery_point(io::file_system& fs, const std::string& dir, std::int64_t offset) {
  return write_properties(fs, dir + "/" + recovery_point_file, "sluice recovery point",
                          {{"recovery.point", std::to_string(offset)}});
}

// What follows the seal of the segment ending at `end`: the next segment's directory entry made
// durable (its data is not durable without it), the producer snapshot taken at the roll (recovery
// replays only the headers after it) and, for the oldest pending seal, the recovery point.
result<void> after_seal(io::file_system& fs, const std::string& dir, std::int64_t end,
                        bytes_view producer_snapshot, bool advance_recovery_point) {
  SLUICE_RETURN_IF_ERROR(fs.sync_directory(dir));
  SLUICE_RETURN_IF_ERROR(
      io::write_file_atomically(fs, dir + "/" + producer_snapshot_file, producer_snapshot));
  if (!advance_recovery_point) return {};
  return persist_recovery_point(fs, dir, end);
}

}  // namespace

partition_log::partition_log(io::file_system& fs, std::string dir, log_config config)
    : fs_(fs),
      dir_(std::move(dir)),
      config_(std::move(config)),
      last_flush_(std::chrono::steady_clock::now()) {}

// Without close() this is a crash: seals not started never will be.
partition_log::~partition_log() { drop_pending_seals(); }

void partition_log::drop_pending_seals() {
  std::unique_lock lock(seals_->mu);
  seals_->idle.wait(lock, [&] {
    return std::none_of(seals_->pending.begin(), seals_->pending.end(),
                        [](const auto& p) { return p.running; });
  });
  seals_->pending.clear();
}

result<std::unique_ptr<partition_log>> partition_log::open(io::file_system& fs, std::string dir,
                                                           log_config config, bool clean) {
  SLUICE_RETURN_IF_ERROR(fs.create_directories(dir));
  std::unique_ptr<partition_log> log(new partition_log(fs, std::move(dir), std::move(config)));
  SLUICE_RETURN_IF_ERROR(log->load_segments(clean));
  SLUICE_RETURN_IF_ERROR(log->load_producer_state());
  return log;
}

result<void> partition_log::load_segments(bool clean) {
  SLUICE_ASSIGN_OR_RETURN(auto swapped, recover_interrupted_swaps());
  SLUICE_ASSIGN_OR_RETURN(cleaned_, load_cleaned_segments(fs_, dir_));
  SLUICE_ASSIGN_OR_RETURN(auto names, fs_.list(dir_));
  std::vector<std::int64_t> bases;
  for (const auto& name : names)
    if (auto base = segment_base_of(name)) bases.push_back(*base);
  for (const auto& name : names) {
    // Leftovers of an interrupted atomic write or segment deletion.
    bool orphan_index = is_index_file(name) && !fs_.exists(dir_ + "/" + name.substr(0, 20) + ".log");
    if (name.ends_with(".tmp") || orphan_index) SLUICE_RETURN_IF_ERROR(fs_.remove(dir_ + "/" + name));
  }
  auto state_path = dir_ + "/" + partition_state_file;
  if (fs_.exists(state_path)) {
    SLUICE_ASSIGN_OR_RETURN(auto state, read_properties(fs_, state_path));
    SLUICE_ASSIGN_OR_RETURN(log_start_offset_, get_int(state, "log.start.offset"));
  }
  std::sort(bases.begin(), bases.end());
  // Segments wholly below the recovery point were sealed durably. Without the file (a new
  // partition, or one from before it existed) every segment is scanned after a crash.
  auto recovery_point_path = dir_ + "/" + recovery_point_file;
  std::optional<std::int64_t> recovery_point;
  if (fs_.exists(recovery_point_path)) {
    SLUICE_ASSIGN_OR_RETURN(auto props, read_properties(fs_, recovery_point_path));
    SLUICE_ASSIGN_OR_RETURN(recovery_point, get_int(props, "recovery.point"));
  }
  bool had_segments = !bases.empty();
  std::shared_ptr<segment> torn;  // a scanned segment that ended early: it becomes the active one
  for (std::size_t i = 0; i + 1 < bases.size() && !torn; ++i) {
    bool just_swapped = std::find(swapped.begin(), swapped.end(), bases[i]) != swapped.end();
    bool gaps = just_swapped || cleaned_.contains(bases[i]);
    if (!clean && (!recovery_point || bases[i + 1] > *recovery_point)) {
      // Its seal may not have finished before the crash: scan it as the active segment is.
      recovery_report report;
      SLUICE_ASSIGN_OR_RETURN(auto s,
                              segment::open_active(fs_, dir_, bases[i], /*clean=*/false, &report, gaps));
      if (s->next_offset() != bases[i + 1]) {
        torn = std::move(s);
        SLUICE_RETURN_IF_ERROR(drop_segments_after(bases, i));
        break;
      }
      SLUICE_RETURN_IF_ERROR(s->seal());
      segments_.push_back(std::move(s));
      continue;
    }
    SLUICE_ASSIGN_OR_RETURN(auto s, just_swapped ? segment::open_cleaned(fs_, dir_, bases[i], bases[i + 1])
                                                 : segment::open_sealed(fs_, dir_, bases[i], bases[i + 1]));
    if (gaps) s->allow_gaps();
    segments_.push_back(std::move(s));
  }
  if (torn) {
    SLUICE_RETURN_IF_ERROR(torn->sync());
    segments_.push_back(std::move(torn));
  } else if (bases.empty()) {
    SLUICE_ASSIGN_OR_RETURN(auto s, segment::create(fs_, dir_, log_start_offset_));
    // fdatasync of the log file does not make its directory entry durable;
    // without this, a power loss could drop a new partition's acknowledged
    // appends with the file (a roll's seal does the same for later segments).
    SLUICE_RETURN_IF_ERROR(fs_.sync_directory(dir_));
    segments_.push_back(std::move(s));
  } else {
    recovery_report report;
    SLUICE_ASSIGN_OR_RETURN(auto s, segment::open_active(fs_, dir_, bases.back(), clean, &report));
    if (!clean)
      spdlog::info(
          "partition {}: recovered {} batches in the active segment{}", dir_, report.batches,
          report.truncated_bytes ? ", truncated " + std::to_string(report.truncated_bytes) + " bytes" : "");
    // What survived the crash is on disk from now on.
    if (!clean) SLUICE_RETURN_IF_ERROR(s->sync());
    segments_.push_back(std::move(s));
  }
  // Every segment before the active one is durable now.
  if (had_segments && recovery_point != active()->base_offset())
    SLUICE_RETURN_IF_ERROR(persist_recovery_point(fs_, dir_, active()->base_offset()));
  log_start_offset_ =
      std::clamp(log_start_offset_, segments_.front()->base_offset(), active()->next_offset());
  durable_offset_ = active()->next_offset();
  return {};
}

result<void> partition_log::drop_segments_after(std::vector<std::int64_t>& bases, std::size_t keep) {
  spdlog::warn(
      "partition {}: segment {} ends before offset {}, where the next one starts; dropping the {} "
      "segments after it (none of their records was acknowledged as durable)",
      dir_, bases[keep], bases[keep + 1], bases.size() - keep - 1);
  for (std::size_t j = keep + 1; j < bases.size(); ++j) {
    SLUICE_ASSIGN_OR_RETURN(auto doomed, segment::open_sealed(fs_, dir_, bases[j], bases[j]));
    SLUICE_RETURN_IF_ERROR(doomed->remove_files());
  }
  bases.resize(keep + 1);
  // Gone for good before anything is appended at offsets they held.
  return fs_.sync_directory(dir_);
}

result<void> partition_log::load_producer_state() {
  auto path = dir_ + "/" + producer_snapshot_file;
  std::int64_t from = segments_.front()->base_offset();
  if (fs_.exists(path)) {
    auto loaded = io::read_whole_file(fs_, path).and_then(
        [](const std::vector<std::byte>& bytes) { return producer_state::decode(bytes); });
    if (!loaded)
      spdlog::warn("partition {}: {}; rebuilding producer state from the log", dir_, loaded.error().message);
    else if (loaded->offset > active()->next_offset())
      spdlog::warn("partition {}: producer snapshot at offset {} is past the log end {}; rebuilding it", dir_,
                   loaded->offset, active()->next_offset());
    else {
      // A snapshot below the first segment (retention moved on since) still holds the producers.
      producers_ = std::move(loaded->state);
      from = std::max(from, loaded->offset);
    }
  }
  std::size_t replayed = 0;
  for (const auto& s : segments_) {
    if (s->next_offset() <= from) continue;
    SLUICE_RETURN_IF_ERROR(s->for_each_header(from, [&](const model::batch_header& h) {
      producers_.record(h);
      ++replayed;
    }));
  }
  if (replayed > 0)
    spdlog::debug("partition {}: replayed {} batch headers into producer state", dir_, replayed);
  return {};
}

result<void> partition_log::snapshot_producers() {
  producers_.expire(wall_clock_ms(), producer_id_expiration_ms);
  return io::write_file_atomically(fs_, dir_ + "/" + producer_snapshot_file,
                                   producers_.encode(active()->next_offset()));
}

std::optional<producer_entry> partition_log::producer(std::int64_t producer_id) const {
  std::lock_guard lock(mu_);
  const auto* entry = producers_.find(producer_id);
  return entry ? std::optional<producer_entry>(*entry) : std::nullopt;
}

result<std::optional<producer_batch>> partition_log::check_producers(
    const std::vector<model::batch_header>& headers) const {
  if (headers.size() == 1) return producers_.check(headers.front());
  bool any = std::any_of(headers.begin(), headers.end(),
                         [](const auto& h) { return h.producer_id != no_producer_id; });
  if (!any) return std::nullopt;
  // Several batches in one append (not possible through Produce v3+): each is checked against the
  // state the earlier ones leave, on a scratch copy.
  producer_state scratch = producers_;
  for (const auto& h : headers) {
    SLUICE_ASSIGN_OR_RETURN(auto duplicate, scratch.check(h));
    if (duplicate)
      return fail(errc::invalid_record, "a retried idempotent batch inside a multi-batch append");
    scratch.record(h);
  }
  return std::nullopt;
}

result<void> partition_log::persist_log_start(std::int64_t offset) {
  return write_properties(fs_, dir_ + "/" + partition_state_file, "sluice partition state v1",
                          {{"log.start.offset", std::to_string(offset)}});
}

result<append_result> partition_log::append(mutable_bytes batches) {
  if (batches.empty()) return fail(errc::invalid_argument, "append of no record batches");
  SLUICE_ASSIGN_OR_RETURN(auto views, model::split_batches(batches));
  bool require_keys = config().compacts();  // checked outside the lock: it decompresses
  std::vector<model::batch_header> headers;
  headers.reserve(views.size());
  std::size_t records = 0;
  for (auto view : views) {
    SLUICE_ASSIGN_OR_RETURN(auto h, model::decode_header(view));
    SLUICE_RETURN_IF_ERROR(model::validate_records(h, view, require_keys));
    headers.push_back(h);
    records += static_cast<std::size_t>(h.records_count);
  }

  // The append lock keeps other appends, rolls and close() out until the write is done; mu_ is held
  // only around the bookkeeping, never across the write, which can block in the kernel for
  // milliseconds (the file system's allocation lock, taken by writeback too). Readers, among them
  // fetches on the event loops, take mu_ and would stall behind a write otherwise.
  std::unique_lock append_lock(append_mu_);
  std::unique_lock lock(mu_);
  if (closed_) return fail(errc::closed, "partition " + dir_ + " is closed");
  for (const auto& h : headers)
    if (static_cast<std::int64_t>(h.size_bytes()) > config_.max_message_bytes)
      return fail(errc::message_too_large, "record batch of " + std::to_string(h.size_bytes()) +
                                               " bytes exceeds max.message.bytes " +
                                               std::to_string(config_.max_message_bytes));
  SLUICE_ASSIGN_OR_RETURN(auto duplicate, check_producers(headers));
  if (duplicate) {
    lock.unlock();
    append_lock.unlock();
    return append_result{duplicate->first_offset, duplicate->last_offset, 1, records, /*duplicate=*/true};
  }
  std::int64_t next = active()->next_offset();
  for (std::size_t i = 0; i < headers.size(); ++i) {
    auto* at = batches.data() + (views[i].data() - batches.data());
    model::set_base_offset(mutable_bytes(at, views[i].size()), next);
    headers[i].base_offset = next;
    next = headers[i].next_offset();
  }
  SLUICE_RETURN_IF_ERROR(roll_if_needed(batches.size(), next - 1));
  auto written_to = active();
  auto index_interval = config_.index_interval_bytes;
  lock.unlock();
  // Readers see the new bytes only once the segment publishes its size, after the write.
  SLUICE_RETURN_IF_ERROR(written_to->append(batches, headers, index_interval));
  lock.lock();
  batches_appended_ += headers.size();
  for (const auto& h : headers) producers_.record(h);
  unflushed_records_ += static_cast<std::int64_t>(records);
  bool must_flush = unflushed_records_ >= config_.flush_messages;
  if (must_flush) unflushed_records_ = 0;
  lock.unlock();
  append_lock.unlock();
  if (traffic_.records_in) traffic_.records_in->inc(records);
  if (traffic_.bytes_in) traffic_.bytes_in->inc(batches.size());

  append_result appended{headers.front().base_offset, next - 1, headers.size(), records};
  // Readers see the batches now: wake long-polling fetches before a possible sync.
  notify_appended();
  // A hint to the disk, off the lock and off this thread (sync_file_range may wait for the disk's
  // queue, and appends must not): a failure here shows at the next sync, which reports it.
  if (written_to->claim_writeback()) {
    auto start = [seg = written_to] { (void)seg->start_writeback(); };
    if (seal_executor_) {
      seal_executor_(start);
    } else {
      start();
    }
  }
  if (must_flush) SLUICE_RETURN_IF_ERROR(flush(next));
  return appended;
}

std::uint64_t partition_log::subscribe_appends(std::function<void()> fn) {
  std::lock_guard lock(listeners_mu_);
  auto id = ++next_listener_id_;
  listeners_.emplace_back(id, std::move(fn));
  return id;
}

void partition_log::unsubscribe_appends(std::uint64_t id) {
  std::lock_guard lock(listeners_mu_);
  std::erase_if(listeners_, [id](const auto& l) { return l.first == id; });
}

void partition_log::notify_appended() {
  // Held while calling, so once unsubscribe_appends returns the callback never runs again.
  std::lock_guard lock(listeners_mu_);
  for (auto& [id, fn] : listeners_) fn();
}

result<void> partition_log::roll_if_needed(std::size_t incoming_bytes, std::int64_t incoming_last_offset) {
  const auto& s = *active();
  if (s.empty()) return {};
  bool full = s.size() + incoming_bytes > static_cast<std::uint64_t>(config_.segment_bytes);
  bool old = s.first_timestamp() >= 0 && wall_clock_ms() - s.first_timestamp() > config_.segment_ms;
  bool index_full = static_cast<std::int64_t>(s.offset_index_bytes() + offset_index::entry_size) >
                    config_.segment_index_bytes;
  bool offsets_overflow = incoming_last_offset - s.base_offset() > max_relative_offset;
  if (full || old || index_full || offsets_overflow) return roll();
  return {};
}

result<void> partition_log::roll() {
  auto old = active();
  std::int64_t end = old->next_offset();
  if (!seal_executor_) {
    // Sealed before the next segment exists, so a failure leaves the log as it was.
    SLUICE_RETURN_IF_ERROR(old->seal());
    SLUICE_ASSIGN_OR_RETURN(auto next, segment::create(fs_, dir_, end));
    segments_.push_back(std::move(next));
    producers_.expire(wall_clock_ms(), producer_id_expiration_ms);
    return after_seal(fs_, dir_, end, producers_.encode(end), /*advance_recovery_point=*/true);
  }
  // No sync here: the old segment is sealed off the append lock, and until then flush() syncs it
  // with the active one.
  SLUICE_ASSIGN_OR_RETURN(auto next, segment::create(fs_, dir_, end));
  segments_.push_back(std::move(next));
  producers_.expire(wall_clock_ms(), producer_id_expiration_ms);
  std::uint64_t id = 0;
  {
    std::lock_guard lock(seals_->mu);
    id = seals_->next_id++;
    seals_->pending.push_back({id, old, producers_.encode(end)});
  }
  seal_executor_([fs = &fs_, dir = dir_, seals = seals_, id] { run_seal(*fs, dir, *seals, id); });
  return {};
}

void partition_log::run_seal(io::file_system& fs, const std::string& dir, seal_state& st, std::uint64_t id) {
  auto find = [&] {
    return std::find_if(st.pending.begin(), st.pending.end(), [&](const auto& p) { return p.id == id; });
  };
  std::unique_lock lock(st.mu);
  auto it = find();
  if (it == st.pending.end() || it->running) return;
  it->running = true;
  // Seals finish oldest first; one behind a failed seal leaves the recovery point where it is.
  bool oldest = it == st.pending.begin();
  auto seg = it->seg;
  auto snapshot = it->producer_snapshot;
  lock.unlock();
  auto sealed =
      seg->seal().and_then([&] { return after_seal(fs, dir, seg->next_offset(), snapshot, oldest); });
  lock.lock();
  it = find();
  SLUICE_ASSERT(it != st.pending.end(), "a running seal keeps its entry");
  if (sealed) {
    st.pending.erase(it);
  } else {
    // flush() keeps syncing the segment and close() retries the seal.
    it->running = false;
    spdlog::error("segment {}: seal failed: {}", seg->log_path(), sealed.error().describe());
  }
  st.idle.notify_all();
}

result<void> partition_log::finish_pending_seals() {
  std::vector<pending_seal> todo;
  {
    std::unique_lock lock(seals_->mu);
    seals_->idle.wait(lock, [&] {
      return std::none_of(seals_->pending.begin(), seals_->pending.end(),
                          [](const auto& p) { return p.running; });
    });
    todo.swap(seals_->pending);
  }
  for (const auto& p : todo) {
    auto end = p.seg->next_offset();
    SLUICE_RETURN_IF_ERROR(p.seg->seal().and_then(
        [&] { return after_seal(fs_, dir_, end, p.producer_snapshot, /*advance_recovery_point=*/true); }));
  }
  return {};
}

void partition_log::forget_pending_seal(const segment* s) {
  std::unique_lock lock(seals_->mu);
  auto find = [&] {
    return std::find_if(seals_->pending.begin(), seals_->pending.end(),
                        [&](const auto& p) { return p.seg.get() == s; });
  };
  seals_->idle.wait(lock, [&] { return find() == seals_->pending.end() || !find()->running; });
  if (auto it = find(); it != seals_->pending.end()) seals_->pending.erase(it);
}

std::size_t partition_log::seals_pending() const {
  std::lock_guard lock(seals_->mu);
  return seals_->pending.size();
}

std::vector<std::shared_ptr<segment>> partition_log::snapshot_segments() const {
  std::lock_guard lock(mu_);
  return segments_;
}

result<read_result> partition_log::read(std::int64_t offset, std::size_t max_bytes,
                                        std::int64_t max_offset) const {
  read_result out{{}, 0, 0};
  std::int64_t at = offset;
  while (true) {
    std::shared_ptr<segment> from;
    std::uint64_t end_position = 0;
    bool last = false;
    {
      std::lock_guard lock(mu_);
      out.log_start_offset = log_start_offset_;
      out.end_offset = active()->next_offset();
      if (offset < out.log_start_offset || offset > out.end_offset)
        return fail(errc::offset_out_of_range, "offset " + std::to_string(offset) + " is outside [" +
                                                   std::to_string(out.log_start_offset) + ", " +
                                                   std::to_string(out.end_offset) + "]");
      if (at >= out.end_offset) return out;
      auto it = std::upper_bound(segments_.begin(), segments_.end(), at,
                                 [](std::int64_t o, const auto& s) { return o < s->base_offset(); });
      from = *std::prev(it);
      end_position = from->size();
      last = it == segments_.end();
    }
    SLUICE_ASSIGN_OR_RETURN(out.batches, from->read(at, max_bytes, max_offset, end_position));
    // Compaction may have emptied the rest of a sealed segment: the next batch is in a later one.
    if (!out.batches.empty() || last) return out;
    at = from->next_offset();
    if (at >= max_offset) return out;
  }
}

result<std::optional<std::int64_t>> partition_log::offset_for_timestamp(std::int64_t timestamp) const {
  auto start = log_start_offset();
  for (const auto& s : snapshot_segments()) {
    if (s->next_offset() <= start) continue;
    SLUICE_ASSIGN_OR_RETURN(auto found, s->offset_for_timestamp(timestamp, start));
    if (found) return found;
  }
  return std::nullopt;
}

result<void> partition_log::flush(std::int64_t offset) {
  std::unique_lock lock(flush_mu_);
  if (durable_offset_ >= offset) return {};
  waiting_for_.push_back(offset);
  waiter_arrived_.notify_one();
  // Waiters whose batches are not durable yet. Ones the last sync released
  // stay in waiting_for_ until they run again; counting them would make the
  // next leader take them for appenders that came back with new batches.
  auto not_durable = [&] {
    return static_cast<int>(std::count_if(waiting_for_.begin(), waiting_for_.end(),
                                          [&](std::int64_t o) { return o > durable_offset_; }));
  };
  auto leave = [&] { waiting_for_.erase(std::find(waiting_for_.begin(), waiting_for_.end(), offset)); };
  while (durable_offset_ < offset) {
    if (syncing_) {
      flush_done_.wait(lock);
      continue;
    }
    syncing_ = true;
    // Commit delay, as Postgres' commit_delay: the appenders the last sync
    // released usually come back at once; waiting a moment for them turns N
    // fdatasyncs into one. Bounded by the sync's own cost.
    auto delay = std::min<std::chrono::steady_clock::duration>(last_sync_duration_, max_commit_delay);
    waiter_arrived_.wait_for(lock, delay, [&] { return not_durable() >= expected_waiters_; });
    lock.unlock();

    std::shared_ptr<segment> target;
    std::vector<std::shared_ptr<segment>> unsealed;  // rolled, their seal not finished
    std::int64_t end = 0;
    std::uint64_t batches = 0;
    {
      std::lock_guard guard(mu_);
      target = active();
      end = target->next_offset();
      batches = batches_appended_;
      std::lock_guard seals(seals_->mu);
      for (const auto& p : seals_->pending) unsealed.push_back(p.seg);
    }
    auto started = std::chrono::steady_clock::now();
    result<void> synced;
    for (const auto& s : unsealed)
      if (synced) synced = s->sync();
    // The later segments' directory entries, which their seals have not synced yet either.
    if (synced && !unsealed.empty()) synced = fs_.sync_directory(dir_);
    if (synced) synced = target->sync();
    auto finished = std::chrono::steady_clock::now();
    if (synced) observe_fsync(finished - started);

    lock.lock();
    syncing_ = false;
    last_sync_duration_ = finished - started;
    if (synced) {
      ++syncs_;
      batches_synced_ += batches - batches_durable_;
      batches_durable_ = batches;
      durable_offset_ = std::max(durable_offset_, end);
      // Everyone waiting now — covered by this sync or arrived during it —
      // is an active appender the next leader should wait for.
      expected_waiters_ = std::max(1, static_cast<int>(waiting_for_.size()));
      last_flush_ = finished;
    }
    flush_done_.notify_all();
    if (!synced) {
      leave();
      return synced;
    }
  }
  leave();
  return {};
}

result<void> partition_log::flush_if_due(std::chrono::steady_clock::time_point now) {
  std::int64_t flush_ms = 0;
  {
    std::lock_guard lock(mu_);
    flush_ms = config_.flush_ms;
  }
  {
    std::lock_guard lock(flush_mu_);
    // Compared in milliseconds: flush.ms may be Long.MAX_VALUE (Kafka's "never"), which overflows
    // when converted to the clock's nanoseconds.
    auto since_ms = std::chrono::duration_cast<std::chrono::milliseconds>(now - last_flush_).count();
    if (since_ms < flush_ms) return {};
  }
  auto end = end_offset();
  if (durable_offset() >= end) {
    std::lock_guard lock(flush_mu_);
    last_flush_ = now;
    return {};
  }
  return flush(end);
}

result<std::size_t> partition_log::enforce_retention(std::int64_t now_ms) {
  std::lock_guard append_lock(append_mu_);  // it may roll
  std::lock_guard lock(mu_);
  if (closed_) return 0;
  // An active segment whose data has all expired is rolled so it can go too.
  if (config_.deletes() && config_.retention_ms >= 0 && !active()->empty()) {
    SLUICE_ASSIGN_OR_RETURN(auto newest, active()->max_timestamp());
    if (newest >= 0 && newest < now_ms - config_.retention_ms) SLUICE_RETURN_IF_ERROR(roll());
  }
  return delete_segments_by_retention(now_ms);
}

result<std::size_t> partition_log::delete_segments_by_retention(std::int64_t now_ms) {
  std::uint64_t total = 0;
  for (const auto& s : segments_) total += s->size();
  std::size_t deletable = 0;
  for (; deletable + 1 < segments_.size(); ++deletable) {
    const auto& s = *segments_[deletable];
    SLUICE_ASSIGN_OR_RETURN(auto newest, s.max_timestamp());
    bool below_start = s.next_offset() <= log_start_offset_;
    // cleanup.policy=compact alone keeps segments whatever their age or the log's size, as Kafka.
    bool expired = config_.deletes() && config_.retention_ms >= 0 && newest >= 0 &&
                   newest < now_ms - config_.retention_ms;
    bool over_size = config_.deletes() && config_.retention_bytes >= 0 &&
                     total - s.size() >= static_cast<std::uint64_t>(config_.retention_bytes);
    if (!below_start && !expired && !over_size) break;
    total -= s.size();
  }
  if (deletable > 0) SLUICE_RETURN_IF_ERROR(remove_front_segments(deletable));
  return deletable;
}

result<void> partition_log::remove_front_segments(std::size_t count) {
  SLUICE_ASSERT(count < segments_.size(), "the active segment is never removed");
  auto new_start = std::max(log_start_offset_, segments_[count]->base_offset());
  // The new start is durable before any data goes, so a crash in between
  // never exposes a start offset whose segment is missing.
  if (new_start != log_start_offset_) SLUICE_RETURN_IF_ERROR(persist_log_start(new_start));
  log_start_offset_ = new_start;
  for (std::size_t i = 0; i < count; ++i) {
    spdlog::info("partition {}: deleting segment {} (offsets {} to {})", dir_, segments_[i]->log_path(),
                 segments_[i]->base_offset(), segments_[i]->next_offset() - 1);
    forget_pending_seal(segments_[i].get());
    SLUICE_RETURN_IF_ERROR(segments_[i]->remove_files());
  }
  segments_.erase(segments_.begin(), segments_.begin() + static_cast<std::ptrdiff_t>(count));
  return {};
}

result<void> partition_log::delete_records_before(std::int64_t offset) {
  std::lock_guard append_lock(append_mu_);  // it may roll
  std::lock_guard lock(mu_);
  if (offset < 0 || offset > active()->next_offset())
    return fail(errc::offset_out_of_range, "delete-records offset " + std::to_string(offset) +
                                               " is beyond the log end " +
                                               std::to_string(active()->next_offset()));
  if (offset <= log_start_offset_) return {};
  SLUICE_RETURN_IF_ERROR(persist_log_start(offset));
  log_start_offset_ = offset;
  if (offset == active()->next_offset() && !active()->empty()) SLUICE_RETURN_IF_ERROR(roll());
  std::size_t below = 0;
  while (below + 1 < segments_.size() && segments_[below]->next_offset() <= offset) ++below;
  if (below > 0) SLUICE_RETURN_IF_ERROR(remove_front_segments(below));
  return {};
}

void partition_log::set_config(const log_config& config) {
  std::lock_guard lock(mu_);
  config_ = config;
}

log_config partition_log::config() const {
  std::lock_guard lock(mu_);
  return config_;
}

result<void> partition_log::close() {
  // Held throughout: an append that got in before closed_ was set finishes its write first, and no
  // roll starts a seal behind finish_pending_seals().
  std::lock_guard append_lock(append_mu_);
  {
    std::lock_guard lock(mu_);
    if (closed_) return {};
    closed_ = true;
  }
  SLUICE_RETURN_IF_ERROR(flush());
  SLUICE_RETURN_IF_ERROR(finish_pending_seals());
  std::lock_guard lock(mu_);
  SLUICE_RETURN_IF_ERROR(active()->persist_indexes());
  return snapshot_producers();
}

std::int64_t partition_log::log_start_offset() const {
  std::lock_guard lock(mu_);
  return log_start_offset_;
}

std::int64_t partition_log::end_offset() const {
  std::lock_guard lock(mu_);
  return active()->next_offset();
}

std::int64_t partition_log::durable_offset() const {
  std::lock_guard lock(flush_mu_);
  return durable_offset_;
}

log_stats partition_log::stats() const {
  log_stats s{};
  {
    std::lock_guard lock(mu_);
    s.log_start_offset = log_start_offset_;
    s.end_offset = active()->next_offset();
    s.segments = segments_.size();
    for (const auto& seg : segments_) s.size_bytes += seg->size();
  }
  std::lock_guard lock(flush_mu_);
  s.durable_offset = durable_offset_;
  s.syncs = syncs_;
  s.batches_synced = batches_synced_;
  return s;
}

}  // namespace sluice::storage
