#include "stream/view.h"

#include <algorithm>
#include <random>

#include "stream/codec.h"
#include "stream/operator.h"

namespace sluice::stream {
namespace {

// Rows are packed into chunks of this size (a larger row gets a chunk of its own).
constexpr std::size_t chunk_bytes = 4 << 20;

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

result<void> view_sink::start(state_store& store) {
  if (!append_only_) return {};
  std::lock_guard lock(mu_);
  std::random_device random;
  incarnation_ = (std::uint64_t{random()} << 32) | random();
  SLUICE_ASSIGN_OR_RETURN(log_, store.open_log(log_name()));
  log_bytes_ = 0;
  log_state_saved_ = false;
  return log_->truncate(0);
}

result<void> view_sink::restore(state_store& store) {
  std::lock_guard lock(mu_);
  live_rows_ = 0;
  return append_only_ ? restore_appended(store) : restore_counted(store);
}

result<void> view_sink::remove_log(state_store& store) {
  if (!append_only_ || !log_) return {};
  std::lock_guard lock(mu_);
  log_.reset();
  return store.remove_log(log_name());
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

std::string view_sink::hole_key(std::uint64_t seq) const {
  std::string key = prefix_ + "h";
  append_i64(key, static_cast<std::int64_t>(seq));
  return key;
}

std::string view_sink::log_name() const {
  std::string name = prefix_ + "rows";
  append_i64(name, static_cast<std::int64_t>(incarnation_));
  return name;
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
    erased_.push_back(seq);
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
  for (std::uint64_t seq : erased_) batch.put(hole_key(seq), "");
  erased_.clear();
  if (flushed_ == rows_.size() && log_state_saved_) return;
  // The new rows are the arena's bytes from the first unflushed row on: whole chunks after its own.
  // The arena never moves or changes bytes once written, so the batch can point at them.
  if (flushed_ < rows_.size()) {
    const appended& first = rows_[flushed_];
    for (std::size_t c = first.chunk; c < chunks_.size(); ++c) {
      std::string_view bytes(chunks_[c]);
      if (c == first.chunk) bytes.remove_prefix(first.offset);
      batch.append(*log_, bytes);
      log_bytes_ += bytes.size();
    }
    flushed_ = rows_.size();
  }
  std::string state;
  append_i64(state, static_cast<std::int64_t>(incarnation_));
  append_i64(state, static_cast<std::int64_t>(log_bytes_));
  append_i64(state, static_cast<std::int64_t>(flushed_));
  batch.put(prefix_ + "n", state);
  log_state_saved_ = true;
}

result<void> view_sink::restore_appended(state_store& store) {
  chunks_.clear();
  rows_.clear();
  erased_.clear();
  unmatched_retractions_ = 0;
  SLUICE_ASSIGN_OR_RETURN(auto state, store.get(prefix_ + "n"));
  if (!state) return fail(errc::corruption, "view state has no row log");
  decoder d(*state);
  std::int64_t incarnation = 0, length = 0, rows = 0;
  if (!d.read_i64(incarnation) || !d.read_i64(length) || !d.read_i64(rows) || !d.done() || length < 0)
    return fail(errc::corruption, "view row log state does not decode");
  incarnation_ = static_cast<std::uint64_t>(incarnation);
  SLUICE_ASSIGN_OR_RETURN(log_, store.open_log(log_name()));
  auto loaded = load_log(static_cast<std::uint64_t>(length));
  if (loaded && rows_.size() != static_cast<std::uint64_t>(rows))
    loaded = fail(errc::corruption, "view row log is short");
  if (!loaded) {
    // The view will be rebuilt under a new incarnation: this log is of no further use.
    log_.reset();
    (void)store.remove_log(log_name());
    return loaded;
  }
  bool corrupt = false;
  SLUICE_RETURN_IF_ERROR(store.scan_prefix(prefix_ + "h", [&](std::string_view k, std::string_view) {
    decoder key(k.substr(prefix_.size() + 1));
    std::int64_t seq = 0;
    if (!key.read_i64(seq) || seq < 0 || static_cast<std::uint64_t>(seq) >= rows_.size()) {
      corrupt = true;
      return false;
    }
    appended& a = rows_[static_cast<std::size_t>(seq)];
    if (a.live) --live_rows_;
    a.live = false;
    return true;
  }));
  if (corrupt) return fail(errc::corruption, "view state does not decode");
  flushed_ = rows_.size();
  log_state_saved_ = true;
  return {};
}

// The log's first `length` bytes back into the arena (the log may hold more: appends of a checkpoint
// that never completed, which go).
result<void> view_sink::load_log(std::uint64_t length) {
  SLUICE_ASSIGN_OR_RETURN(std::uint64_t size, log_->size());
  if (size < length) return fail(errc::corruption, "view row log is shorter than its checkpoint");
  SLUICE_RETURN_IF_ERROR(log_->truncate(length));
  constexpr std::uint64_t step = 4 << 20;
  std::string buffer;
  sql::row scratch;
  for (std::uint64_t at = 0; at < length;) {
    std::uint64_t n = std::min(step, length - at);
    SLUICE_RETURN_IF_ERROR(log_->read(at, n, buffer));
    at += n;
    decoder rows(buffer);
    std::string_view rest = buffer;
    while (!rows.done()) {
      if (!rows.read_row(scratch)) break;  // cut by the step: the rest comes with the next read
      std::size_t row_size = rest.size() - rows.rest().size();
      append(rest.substr(0, row_size));
      rest.remove_prefix(row_size);
    }
    buffer.erase(0, buffer.size() - rest.size());
  }
  if (!buffer.empty()) return fail(errc::corruption, "view row log does not decode");
  log_bytes_ = length;
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

std::uint64_t view_sink::log_bytes() const {
  std::lock_guard lock(mu_);
  return log_bytes_;
}

std::size_t view_sink::negative_rows() const {
  std::lock_guard lock(mu_);
  std::size_t n = unmatched_retractions_;
  for (const auto& [r, entry] : counts_) n += entry.count < 0 ? 1 : 0;
  return n;
}

}  // namespace sluice::stream
