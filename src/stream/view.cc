#include "stream/view.h"

#include <algorithm>

#include "stream/codec.h"
#include "stream/operator.h"

namespace sluice::stream {
namespace {

// Rows are packed into chunks of this size (a larger row gets a chunk of its own).
constexpr std::size_t chunk_bytes = 4 << 20;
// A stored run of the append-only layout closes once its value reaches this size.
constexpr std::size_t run_bytes = 256 << 10;
// Each entry of a stored run: a live row (its encoding follows) or a hole left by a retraction.
constexpr std::uint8_t run_live = 1;
constexpr std::uint8_t run_hole = 0;

}  // namespace

void view_sink::apply(sql::change_batch& batch) {
  if (append_only_) {
    apply_appended(batch);
  } else {
    consolidate(batch);
    apply_counted(batch);
  }
  if (batch.empty()) return;
  // A subscriber that answers false is done (its client left): drop it.
  std::erase_if(subscribers_, [&batch](const subscriber& fn) { return !fn(batch); });
}

void view_sink::flush(write_batch& batch) {
  if (append_only_) {
    flush_appended(batch);
  } else {
    flush_counted(batch);
  }
}

result<void> view_sink::restore(state_store& store) {
  std::lock_guard lock(mu_);
  live_rows_ = 0;
  return append_only_ ? restore_appended(store) : restore_counted(store);
}

// --- general layout ---

void view_sink::apply_counted(sql::change_batch& batch) {
  std::lock_guard lock(mu_);
  for (sql::change& c : batch) {
    auto [it, created] = counts_.try_emplace(c.values);
    counted& entry = it->second;
    std::int64_t before = entry.count > 0 ? entry.count : 0;
    entry.count += c.weight;
    live_rows_ += static_cast<std::size_t>(entry.count > 0 ? entry.count : 0);
    live_rows_ -= static_cast<std::size_t>(before);
    if (!entry.dirty) {
      entry.dirty = true;
      dirty_.push_back(&it->first);  // element addresses survive rehashing
    }
  }
}

void view_sink::flush_counted(write_batch& batch) {
  std::lock_guard lock(mu_);
  std::string key;
  for (const sql::row* row : dirty_) {
    auto it = counts_.find(*row);
    key = prefix_;
    append_row(key, it->first);
    if (it->second.count == 0) {
      batch.erase(key);
      counts_.erase(it);  // kept until now so dirty_ could point at it
      continue;
    }
    std::string value;
    append_i64(value, it->second.count);
    batch.put(key, value);
    it->second.dirty = false;
  }
  dirty_.clear();
}

result<void> view_sink::restore_counted(state_store& store) {
  counts_.clear();
  dirty_.clear();
  bool corrupt = false;
  SLUICE_RETURN_IF_ERROR(store.scan_prefix(prefix_, [&](std::string_view k, std::string_view v) {
    auto r = decode_row(k.substr(prefix_.size()));
    decoder d(v);
    std::int64_t n = 0;
    if (!r || !d.read_i64(n)) {
      corrupt = true;
      return false;
    }
    live_rows_ += static_cast<std::size_t>(n > 0 ? n : 0);
    counts_.emplace(std::move(*r), counted{n, false});
    return true;
  }));
  if (corrupt) return fail(errc::corruption, "view state does not decode");
  return {};
}

// --- append-only layout ---

std::string_view view_sink::bytes_of(const appended& a) const {
  return std::string_view(chunks_[a.chunk]).substr(a.offset, a.size);
}

std::string view_sink::run_key(std::uint64_t first_seq) const {
  std::string key = prefix_;
  append_i64(key, static_cast<std::int64_t>(first_seq));
  return key;
}

void view_sink::append_run_entry(std::string& value, const appended& a) const {
  append_u8(value, a.live ? run_live : run_hole);
  if (a.live) value.append(bytes_of(a));
}

void view_sink::rewrite_run(write_batch& batch, std::size_t run) const {
  std::uint64_t end = run + 1 < run_starts_.size() ? run_starts_[run + 1] : flushed_;
  std::string value;
  for (std::uint64_t seq = run_starts_[run]; seq < end; ++seq) append_run_entry(value, rows_[seq]);
  batch.put(run_key(run_starts_[run]), value);
}

void view_sink::append(std::string_view encoded) {
  if (chunks_.empty() || chunks_.back().size() + encoded.size() > chunks_.back().capacity()) {
    chunks_.emplace_back().reserve(std::max(chunk_bytes, encoded.size()));
  }
  std::string& chunk = chunks_.back();
  rows_.push_back({static_cast<std::uint32_t>(chunks_.size() - 1), static_cast<std::uint32_t>(chunk.size()),
                   static_cast<std::uint32_t>(encoded.size()), true});
  chunk.append(encoded);
  ++live_rows_;
}

void view_sink::retract(std::string_view encoded) {
  // Not expected of an append-only dataflow: correct, not fast. The newest match goes first.
  auto target = decode_row(encoded);
  for (std::uint64_t seq = rows_.size(); seq-- > 0;) {
    appended& a = rows_[seq];
    if (!a.live) continue;
    auto row = decode_row(bytes_of(a));
    if (!row || !target || sql::compare_rows(*row, *target) != 0) continue;
    a.live = false;
    --live_rows_;
    if (seq < flushed_) {
      auto run = std::upper_bound(run_starts_.begin(), run_starts_.end(), seq) - run_starts_.begin() - 1;
      stale_runs_.push_back(static_cast<std::size_t>(run));
    }
    return;
  }
  ++unmatched_retractions_;
}

void view_sink::apply_appended(sql::change_batch& batch) {
  std::lock_guard lock(mu_);
  std::string encoded;
  for (const sql::change& c : batch) {
    encoded.clear();
    append_row(encoded, c.values);
    for (std::int64_t i = 0; i < c.weight; ++i) append(encoded);
    for (std::int64_t i = c.weight; i < 0; ++i) retract(encoded);
  }
}

void view_sink::flush_appended(write_batch& batch) {
  std::lock_guard lock(mu_);
  std::sort(stale_runs_.begin(), stale_runs_.end());
  stale_runs_.erase(std::unique(stale_runs_.begin(), stale_runs_.end()), stale_runs_.end());
  for (std::size_t run : stale_runs_) rewrite_run(batch, run);
  stale_runs_.clear();
  // New rows go out as runs of consecutive sequences, one store value per run_bytes: the store sees
  // a few large puts per second instead of one per row.
  std::string value;
  while (flushed_ < rows_.size()) {
    std::uint64_t first = flushed_;
    value.clear();
    while (flushed_ < rows_.size() && value.size() < run_bytes) append_run_entry(value, rows_[flushed_++]);
    run_starts_.push_back(first);
    batch.put(run_key(first), value);
  }
}

result<void> view_sink::restore_appended(state_store& store) {
  chunks_.clear();
  rows_.clear();
  run_starts_.clear();
  stale_runs_.clear();
  unmatched_retractions_ = 0;
  bool corrupt = false;
  SLUICE_RETURN_IF_ERROR(store.scan_prefix(prefix_, [&](std::string_view k, std::string_view v) {
    decoder key(k.substr(prefix_.size()));
    std::int64_t first = 0;
    if (!key.read_i64(first) || !key.done() || first != static_cast<std::int64_t>(rows_.size())) {
      corrupt = true;
      return false;
    }
    run_starts_.push_back(rows_.size());
    decoder entries(v);
    sql::row scratch;
    while (!entries.done()) {
      std::uint8_t tag = 0;
      if (!entries.read_u8(tag) || (tag != run_live && tag != run_hole)) {
        corrupt = true;
        return false;
      }
      if (tag == run_hole) {
        rows_.push_back({});  // a row retracted after it was stored: stays a dead entry
        continue;
      }
      std::string_view rest = entries.rest();
      if (!entries.read_row(scratch)) {
        corrupt = true;
        return false;
      }
      append(rest.substr(0, rest.size() - entries.rest().size()));
    }
    return true;
  }));
  if (corrupt) return fail(errc::corruption, "view state does not decode");
  flushed_ = rows_.size();
  return {};
}

// --- reading ---

std::vector<sql::row> view_sink::snapshot() const {
  std::lock_guard lock(mu_);
  std::vector<sql::row> out;
  out.reserve(live_rows_);
  for (const auto& [r, entry] : counts_) {
    for (std::int64_t i = 0; i < entry.count; ++i) out.push_back(r);
  }
  for (const appended& a : rows_) {
    if (!a.live) continue;
    if (auto r = decode_row(bytes_of(a))) out.push_back(std::move(*r));
  }
  return out;
}

std::vector<sql::row> view_sink::subscribe(subscriber fn) {
  std::vector<sql::row> rows = snapshot();
  subscribers_.push_back(std::move(fn));
  return rows;
}

std::size_t view_sink::size() const {
  std::lock_guard lock(mu_);
  return live_rows_;
}

std::size_t view_sink::negative_rows() const {
  std::lock_guard lock(mu_);
  std::size_t n = unmatched_retractions_;
  for (const auto& [r, entry] : counts_) n += entry.count < 0 ? 1 : 0;
  return n;
}

}  // namespace sluice::stream
