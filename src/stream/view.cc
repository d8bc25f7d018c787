#include "stream/view.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <random>

#include "stream/codec.h"
#include "stream/operator.h"

namespace sluice::stream {
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
  written_ = 0;
  rows_ = 0;
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
    // A row that arrives (again) goes last, as an inserted or updated row does in a Postgres heap.
    if (before == 0 && entry.count > 0) entry.seq = arrivals_++;
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
    counts_.emplace(std::move(*r), counted{n, false, arrivals_++});
    return true;
  }));
  if (corrupt) return fail(errc::corruption, "view state does not decode");
  return {};
}

// --- append-only layout ---

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

// Calls fn(sequence, decoded row) for every row, holes included, oldest first: the log's written
// part (read back through the page cache in steps), then the bytes in flight, then the tail. fn may
// take the row.
result<void> view_sink::for_each_stored_row(const std::function<void(std::uint64_t, sql::row&)>& fn) const {
  std::uint64_t seq = 0;
  auto walk = [&](std::string_view bytes) -> std::size_t {  // returns the bytes of whole rows seen
    decoder rows(bytes);
    sql::row scratch;
    std::size_t used = 0;
    while (!rows.done() && rows.read_row(scratch)) {
      used = bytes.size() - rows.rest().size();
      fn(seq++, scratch);
    }
    return used;
  };
  constexpr std::uint64_t step = 4 << 20;
  std::string buffer;
  for (std::uint64_t at = 0; at < written_;) {
    std::uint64_t n = std::min(step, written_ - at);
    SLUICE_RETURN_IF_ERROR(log_->read(at, n, buffer));
    at += n;
    buffer.erase(0, walk(buffer));  // a row cut by the step waits for the next read
  }
  if (!buffer.empty()) return fail(errc::corruption, "view row log does not decode");
  if (walk(in_flight_) != in_flight_.size() || walk(tail_) != tail_.size())
    return fail(errc::corruption, "view rows do not decode");
  return {};
}

void view_sink::retract(std::string_view encoded) {
  // Not expected of an append-only dataflow: correct, not fast. The newest match goes.
  auto target = decode_row(encoded);
  std::optional<std::uint64_t> match;
  auto walked = for_each_stored_row([&](std::uint64_t seq, sql::row& row) {
    if (!holes_.contains(seq) && target && sql::compare_rows(row, *target) == 0) match = seq;
  });
  if (!walked || !match) {
    ++unmatched_retractions_;
    return;
  }
  holes_.insert(*match);
  erased_.push_back(*match);
  --live_rows_;
}

void view_sink::apply_appended(sql::change_batch& batch) {
  std::lock_guard lock(mu_);
  std::string encoded;
  for (const sql::change& c : batch) {
    if (c.weight == 1) {  // the common case: encoded straight into the tail
      append_row(tail_, c.values);
      ++rows_;
      ++live_rows_;
      continue;
    }
    encoded.clear();
    append_row(encoded, c.values);
    for (std::int64_t i = 0; i < c.weight; ++i) tail_.append(encoded);
    rows_ += static_cast<std::uint64_t>(std::max<std::int64_t>(c.weight, 0));
    live_rows_ += static_cast<std::size_t>(std::max<std::int64_t>(c.weight, 0));
    for (std::int64_t i = c.weight; i < 0; ++i) retract(encoded);
  }
}

void view_sink::flush_appended(write_batch& batch) {
  std::lock_guard lock(mu_);
  for (std::uint64_t seq : erased_) batch.put(hole_key(seq), "");
  erased_.clear();
  if (tail_.empty() && log_state_saved_) return;
  // The previous flush's bytes are in the log by now: the engine begins a checkpoint only once the
  // last one is written. So their buffer is free to become the next tail.
  written_ += in_flight_.size();
  in_flight_.swap(tail_);
  tail_.clear();
  if (!in_flight_.empty()) batch.append(*log_, in_flight_);
  std::string state;
  append_i64(state, static_cast<std::int64_t>(incarnation_));
  append_i64(state, static_cast<std::int64_t>(written_ + in_flight_.size()));
  append_i64(state, static_cast<std::int64_t>(rows_));
  batch.put(prefix_ + "n", state);
  log_state_saved_ = true;
}

result<void> view_sink::restore_appended(state_store& store) {
  tail_.clear();
  in_flight_.clear();
  holes_.clear();
  erased_.clear();
  unmatched_retractions_ = 0;
  SLUICE_ASSIGN_OR_RETURN(auto state, store.get(prefix_ + "n"));
  if (!state) return fail(errc::corruption, "view state has no row log");
  decoder d(*state);
  std::int64_t incarnation = 0, length = 0, rows = 0;
  if (!d.read_i64(incarnation) || !d.read_i64(length) || !d.read_i64(rows) || !d.done() || length < 0 ||
      rows < 0)
    return fail(errc::corruption, "view row log state does not decode");
  incarnation_ = static_cast<std::uint64_t>(incarnation);
  SLUICE_ASSIGN_OR_RETURN(log_, store.open_log(log_name()));
  // Appends of a checkpoint that never completed go; a log shorter than its checkpoint is lost.
  auto size = log_->size();
  result<void> cut = !size ? result<void>(tl::unexpected(size.error()))
                     : *size < static_cast<std::uint64_t>(length)
                         ? fail(errc::corruption, "view row log is shorter than its checkpoint")
                         : log_->truncate(static_cast<std::uint64_t>(length));
  if (!cut) {
    // The view will be rebuilt under a new incarnation: this log is of no further use.
    log_.reset();
    (void)store.remove_log(log_name());
    return cut;
  }
  written_ = static_cast<std::uint64_t>(length);
  rows_ = static_cast<std::uint64_t>(rows);
  bool corrupt = false;
  SLUICE_RETURN_IF_ERROR(store.scan_prefix(prefix_ + "h", [&](std::string_view k, std::string_view) {
    decoder key(k.substr(prefix_.size() + 1));
    std::int64_t seq = 0;
    if (!key.read_i64(seq) || seq < 0 || static_cast<std::uint64_t>(seq) >= rows_) {
      corrupt = true;
      return false;
    }
    holes_.insert(static_cast<std::uint64_t>(seq));
    return true;
  }));
  if (corrupt) return fail(errc::corruption, "view state does not decode");
  live_rows_ = static_cast<std::size_t>(rows_ - holes_.size());
  log_state_saved_ = true;
  return {};
}

// --- reading ---

std::vector<sql::row> view_sink::snapshot() const {
  std::lock_guard lock(mu_);
  std::vector<sql::row> out;
  out.reserve(live_rows_);
  std::vector<std::pair<std::uint64_t, decltype(counts_)::const_pointer>> arrived;
  arrived.reserve(counts_.size());
  for (const auto& entry : counts_) {
    if (entry.second.count > 0) arrived.emplace_back(entry.second.seq, &entry);
  }
  std::sort(arrived.begin(), arrived.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  for (const auto& [seq, entry] : arrived) {
    for (std::int64_t i = entry->second.count; i > 0; --i) out.push_back(entry->first);
  }
  if (append_only_ && log_) {
    auto walked = for_each_stored_row([&](std::uint64_t seq, sql::row& row) {
      if (!holes_.contains(seq)) out.push_back(std::move(row));
    });
    if (!walked) spdlog::error("view rows: {}", walked.error().describe());
  }
  return out;
}

std::vector<sql::row> view_sink::rows_where(const std::function<bool(const sql::row&)>& keep) const {
  std::lock_guard lock(mu_);
  std::vector<sql::row> out;
  for (const auto& [row, entry] : counts_) {
    for (std::int64_t i = entry.count; i > 0 && keep(row); --i) out.push_back(row);
  }
  if (append_only_ && log_) {
    auto walked = for_each_stored_row([&](std::uint64_t seq, sql::row& row) {
      if (!holes_.contains(seq) && keep(row)) out.push_back(std::move(row));
    });
    if (!walked) spdlog::error("view rows: {}", walked.error().describe());
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
  return written_ + in_flight_.size();
}

std::size_t view_sink::negative_rows() const {
  std::lock_guard lock(mu_);
  std::size_t n = unmatched_retractions_;
  for (const auto& [r, entry] : counts_) n += entry.count < 0 ? 1 : 0;
  return n;
}

}  // namespace sluice::stream
