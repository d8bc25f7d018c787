#include "stream/join.h"

#include <algorithm>

#include "stream/codec.h"

namespace sluice::stream {
namespace {

// Orders the expiry heap so that its front is the earliest row.
constexpr auto later = [](const auto& a, const auto& b) { return a.time > b.time; };

// A chunk's value grows to about this size before the next row starts another chunk: large enough
// that a flush writes few keys, small enough for the store to handle as one value.
constexpr std::size_t chunk_bytes = 1 << 20;
// Sparse chunks are rewritten only when at least this many expired rows would go.
constexpr std::size_t min_rewrite_rows = 1024;

}  // namespace

join_operator::join_operator(join_spec spec, std::string prefix, diagnostics* diag)
    : spec_(std::move(spec)), prefix_(std::move(prefix)), diag_(diag), indexed_(!spec_.inputs_only_insert) {
  compact_residual();
}

bool join_operator::key_of(int side, const sql::row& r, sql::row& key) {
  const auto& exprs = side == 0 ? spec_.left_keys : spec_.right_keys;
  key.clear();
  bool ok = run_guarded(diag_, "join", r, [&] {
    for (const sql::expr& e : exprs) key.push_back(sql::evaluate(e, r));
  });
  if (!ok) return false;
  for (const sql::value& v : key) {
    if (v.is_null()) return false;  // NULL = anything is not true
  }
  key_hash_ = sql::hash_row(key);
  return true;
}

namespace {

// Adds the columns `e` reads to `columns` and renumbers `e` to their positions there.
void compact_columns(sql::expr& e, std::vector<int>& columns) {
  if (e.kind == sql::expr_kind::column) {
    auto at = std::find(columns.begin(), columns.end(), e.column);
    if (at == columns.end()) at = columns.insert(at, e.column);
    e.column = static_cast<int>(at - columns.begin());
  }
  for (sql::expr& arg : e.args) compact_columns(arg, columns);
}

}  // namespace

void join_operator::compact_residual() {
  residual_ = spec_.residual;
  compact_columns(residual_, residual_columns_);
  residual_row_.resize(residual_columns_.size());
}

bool join_operator::matches(const sql::row& l, const sql::row& r) {
  for (std::size_t i = 0; i < residual_columns_.size(); ++i) {
    auto c = static_cast<std::size_t>(residual_columns_[i]);
    residual_row_[i] = c < l.size() ? l[c] : r[c - l.size()];
  }
  try {
    return sql::evaluate_predicate(residual_, residual_row_);
  } catch (const sql::eval_error& e) {
    diag_->report(dead_letter{"join", e.what(), row_text(joined(l, r)), -1});
    return false;
  }
}

sql::row join_operator::joined(const sql::row& l, const sql::row& r) {
  sql::row out;
  out.reserve(l.size() + r.size());
  out.insert(out.end(), l.begin(), l.end());
  out.insert(out.end(), r.begin(), r.end());
  return out;
}

void join_operator::emit_if_matches(const sql::row& l, const sql::row& r, std::int64_t weight,
                                    sql::change_batch& out) {
  if (matches(l, r)) out.push_back({joined(l, r), weight});
}

bool join_operator::outer(int side) const {
  return spec_.type == sql::join_type::full ||
         spec_.type == (side == 0 ? sql::join_type::left : sql::join_type::right);
}

sql::row join_operator::padded(int side, const sql::row& r) const {
  sql::row out;
  out.reserve(spec_.left_width + spec_.right_width);
  if (side == 0) {
    out = r;
    out.resize(r.size() + spec_.right_width);
  } else {
    out.resize(spec_.left_width);
    out.insert(out.end(), r.begin(), r.end());
  }
  return out;
}

std::int64_t join_operator::match_weight(int side, const sql::row& r, row_id first) {
  const join_rows& others = sides_[1 - side];
  std::int64_t m = 0;
  for (row_id at = first; at != join_rows::none; at = others.next(at)) {
    const join_row& o = others.row(at);
    if (matches(side == 0 ? r : o.values, side == 0 ? o.values : r)) m += o.weight;
  }
  return m;
}

void join_operator::on_change(int side, sql::change& c, sql::change_batch& out) {
  if (!key_of(side, c.values, key_)) {
    if (outer(side)) out.push_back({padded(side, c.values), c.weight});
    return;
  }
  const int other = 1 - side;
  std::int64_t m = 0;  // the weight of the other side's rows this one matches
  if (row_id first = sides_[other].find(key_, key_hash_); first != join_rows::none) {
    // This side's rows under the key, before `c` joins them: whether each matched row of the other
    // side was padded decides whether `c` ends or starts its padding.
    row_id mine = outer(other) ? sides_[side].find(key_, key_hash_) : join_rows::none;
    for (row_id at = first; at != join_rows::none; at = sides_[other].next(at)) {
      const join_row& o = sides_[other].row(at);
      std::size_t before = out.size();
      emit_if_matches(side == 0 ? c.values : o.values, side == 0 ? o.values : c.values, c.weight * o.weight,
                      out);
      if (out.size() == before) continue;
      m += o.weight;
      if (!outer(other)) continue;
      std::int64_t before_weight = mine != join_rows::none ? match_weight(other, o.values, mine) : 0;
      std::int64_t after_weight = before_weight + c.weight;
      if (before_weight <= 0 && after_weight > 0) out.push_back({padded(other, o.values), -o.weight});
      if (before_weight > 0 && after_weight <= 0) out.push_back({padded(other, o.values), o.weight});
    }
  }
  if (outer(side) && m == 0) out.push_back({padded(side, c.values), c.weight});
  add(side, std::move(c.values), c.weight);
}

std::string join_operator::store_key(std::uint64_t seq) const {
  std::string k = prefix_;
  append_i64(k, static_cast<std::int64_t>(seq));
  return k;
}

void join_operator::changed(int side, std::uint64_t seq, std::int64_t weight, row_id r) {
  pending_write w{side, weight, weight == 0 ? join_rows::none : r};
  if (seq < flushed_seq_) {
    pending_old_[seq] = w;
    return;
  }
  // Sequences are handed out in order, so a new row's entry is mostly the next one.
  std::size_t at = static_cast<std::size_t>(seq - flushed_seq_);
  if (at >= pending_new_.size()) pending_new_.resize(at + 1);
  pending_new_[at] = w;
}

void join_operator::add(int side, sql::row&& r, std::int64_t weight) {
  if (weight < 0 && !indexed_) start_indexing();
  std::size_t h = indexed_ ? sql::hash_row(r) : 0;
  auto found = indexed_ ? index_[side].find(row_ref{&r, h}) : index_[side].end();
  if (found == index_[side].end()) {
    std::uint64_t seq = next_seq_++;
    row_id stored = store_row(side, std::move(r), h, weight, seq);
    changed(side, seq, weight, stored);
    index_for_expiry(side, stored);
    return;
  }
  row_id stored = found->second;
  join_row& row = sides_[side].row(stored);
  row.weight += weight;
  changed(side, row.seq, row.weight, stored);
  if (row.weight != 0) return;
  index_[side].erase(found);
  sides_[side].remove(stored);
}

join_operator::row_id join_operator::store_row(int side, sql::row&& r, std::size_t row_hash,
                                               std::int64_t weight, std::uint64_t seq) {
  row_id stored = sides_[side].add(key_, key_hash_, {std::move(r), weight, seq});
  if (indexed_) index_[side].emplace(row_ref{&sides_[side].row(stored).values, row_hash}, stored);
  return stored;
}

void join_operator::start_indexing() {
  leave_chunks();
  indexed_ = true;
  for (int side = 0; side < 2; ++side) {
    by_time_[side].clear();
    join_rows& rows = sides_[side];
    rows.for_each([&](row_id at) {
      join_row& r = rows.row(at);
      auto [found, created] = index_[side].try_emplace(row_ref{&r.values, sql::hash_row(r.values)}, at);
      if (created) return;
      // An equal row stored twice (inserts were not merged): one row with both weights.
      join_row& first = rows.row(found->second);
      first.weight += r.weight;
      changed(side, first.seq, first.weight, found->second);
      changed(side, r.seq, 0, join_rows::none);
      rows.remove(at);
    });
  }
}

void join_operator::leave_chunks() {
  for (int side = 0; side < 2; ++side) {
    join_rows& rows = sides_[side];
    rows.for_each([&](row_id at) {
      join_row& r = rows.row(at);
      if (r.chunk != 0) changed(side, r.seq, r.weight, at);
      r.chunk = 0;
    });
  }
  for (const auto& [chunk, count] : chunks_) dead_chunks_.push_back(chunk);
  chunks_.clear();
  chunked_live_ = chunked_dead_ = 0;
}

void join_operator::forget(int side, row_id r) {
  const join_row& row = sides_[side].row(r);
  std::uint64_t chunk = row.chunk;
  if (chunk == 0) {
    changed(side, row.seq, 0, join_rows::none);
    return;
  }
  auto it = chunks_.find(chunk);
  --chunked_live_;
  if (--it->second.live > 0) {
    ++chunked_dead_;
    return;
  }
  chunked_dead_ -= it->second.rows - 1;
  dead_chunks_.push_back(chunk);
  chunks_.erase(it);
}

void join_operator::index_for_expiry(int side, row_id r) {
  const auto& rule = spec_.expiry[side];
  if (!rule || indexed_) return;  // a row that may be retracted is never forgotten
  const sql::value& t = sides_[side].row(r).values[static_cast<std::size_t>(rule->column)];
  // A NULL timestamp never satisfies the bound; such a row simply stays.
  if (t.type() != sql::data_type::timestamp && t.type() != sql::data_type::timestamptz) return;
  by_time_[side].push({t.as_micros(), r});
}

void join_operator::expiry_queue::push(const timed_row& r) {
  if (in_order_.empty() || r.time >= in_order_.back().time) {
    in_order_.push_back(r);
    return;
  }
  heap_.push_back(r);
  std::push_heap(heap_.begin(), heap_.end(), later);
}

const join_operator::timed_row& join_operator::expiry_queue::earliest() const {
  if (heap_.empty()) return in_order_.front();
  if (in_order_.empty() || heap_.front().time < in_order_.front().time) return heap_.front();
  return in_order_.front();
}

void join_operator::expiry_queue::pop() {
  if (!heap_.empty() && (in_order_.empty() || heap_.front().time < in_order_.front().time)) {
    std::pop_heap(heap_.begin(), heap_.end(), later);
    heap_.pop_back();
  } else {
    in_order_.pop_front();
  }
}

void join_operator::expiry_queue::clear() {
  in_order_.clear();
  heap_.clear();
}

void join_operator::on_watermark(std::int64_t watermark, sql::change_batch& /*out*/) {
  if (indexed_ || watermark == no_watermark) return;
  watermark_ = watermark;
  watermark_saved_ = false;
  for (int side = 0; side < 2; ++side) expire(side, watermark);
}

void join_operator::expire(int side, std::int64_t watermark) {
  const auto& rule = spec_.expiry[side];
  if (!rule || by_time_[side].empty()) return;
  // The lowest value the bound can take for any future row of the other side.
  sql::row at(static_cast<std::size_t>(rule->time_column) + 1);
  at.back() = rule->time_type == sql::data_type::timestamptz ? sql::value::timestamptz(watermark)
                                                             : sql::value::timestamp(watermark);
  std::int64_t bound = 0;
  try {
    sql::value b = sql::evaluate(rule->bound, at);
    if (b.type() != sql::data_type::timestamp && b.type() != sql::data_type::timestamptz) return;
    bound = b.as_micros();
  } catch (const sql::eval_error&) {
    return;  // out of range: nothing is known to be expired
  }
  auto& queue = by_time_[side];
  while (!queue.empty() && queue.earliest().time < bound) {
    row_id r = queue.earliest().row;
    queue.pop();
    forget(side, r);
    sides_[side].remove(r);
  }
}

void join_operator::on_changes(int port, sql::change_batch& in, sql::change_batch& out) {
  if (indexed_) consolidate(in);
  for (sql::change& c : in) on_change(port, c, out);
  if (indexed_) consolidate(out);  // also when this batch brought the first retraction
}

std::size_t join_operator::stored_rows() const { return sides_[0].size() + sides_[1].size(); }

void join_operator::flush(write_batch& batch) {
  for (std::uint64_t chunk : dead_chunks_) batch.erase(chunk_key(chunk));
  dead_chunks_.clear();
  if (indexed_) {
    flush_rows(batch);
  } else {
    flush_chunks(batch);
  }
  pending_old_.clear();
  pending_new_.clear();
  flushed_seq_ = next_seq_;
}

void join_operator::flush_rows(write_batch& batch) {
  // In sequence order: mostly new rows, appended at the end of the store's key range.
  std::string value;
  sql::row key;
  auto write = [&](std::uint64_t seq, const pending_write& w) {
    if (w.weight == 0) {
      batch.erase(store_key(seq));
      return;
    }
    // The key is computed again rather than kept per row: it was computed the same way when the row
    // was stored (it is not NULL, and its expressions did not fail).
    const sql::row& values = sides_[w.side].row(w.row).values;
    key_of(w.side, values, key);
    value.clear();
    append_u8(value, static_cast<std::uint8_t>(w.side));
    append_row(value, key);
    append_row(value, values);
    append_i64(value, w.weight);
    batch.put(store_key(seq), value);
  };
  std::vector<std::uint64_t> order;
  order.reserve(pending_old_.size());
  for (const auto& [seq, w] : pending_old_) order.push_back(seq);
  std::sort(order.begin(), order.end());
  for (std::uint64_t seq : order) write(seq, pending_old_.at(seq));
  for (std::size_t i = 0; i < pending_new_.size(); ++i) {
    if (pending_new_[i].weight != 0) write(flushed_seq_ + i, pending_new_[i]);  // 0: never written
  }
}

std::string join_operator::chunk_key(std::uint64_t chunk) const {
  // 'c' sorts below every row key (a sequence's first byte has its top bit set), so the two never meet.
  std::string k = prefix_ + "c";
  append_i64(k, static_cast<std::int64_t>(chunk));
  return k;
}

void join_operator::flush_chunks(write_batch& batch) {
  // A chunk: per row its sequence, side, values and weight. Its key is not stored: restore computes
  // it again from the values.
  std::string value;
  std::uint64_t chunk = 0;
  auto add_row = [&](int side, join_row& r) {
    if (chunk == 0) chunk = next_chunk_++;
    append_i64(value, static_cast<std::int64_t>(r.seq));
    append_u8(value, static_cast<std::uint8_t>(side));
    append_row(value, r.values);
    append_i64(value, r.weight);
    r.chunk = chunk;
    ++chunks_[chunk].rows;
    if (value.size() < chunk_bytes) return;
    batch.put(chunk_key(chunk), value);
    value.clear();
    chunk = 0;
  };
  if (chunked_dead_ >= min_rewrite_rows && chunked_dead_ > chunked_live_) {
    // Live rows of chunks more than half expired move to new chunks; the old ones go. The rows
    // moved are fewer than the expired rows this drops, so rewriting costs O(1) a row over time.
    std::unordered_map<std::uint64_t, chunk_count> sparse;
    for (const auto& [id, count] : chunks_) {
      if (count.live * 2 < count.rows) sparse.emplace(id, count);
    }
    for (const auto& [id, count] : sparse) {
      chunks_.erase(id);
      batch.erase(chunk_key(id));
      chunked_live_ -= count.live;
      chunked_dead_ -= count.rows - count.live;
    }
    for (int side = 0; side < 2; ++side) {
      sides_[side].for_each([&](row_id at) {
        join_row& r = sides_[side].row(at);
        if (!sparse.contains(r.chunk)) return;
        add_row(side, r);
        ++chunks_[r.chunk].live;
        ++chunked_live_;
      });
    }
  }
  // Rows restored from keys of their own (saved before the join kept chunks) leave as keys.
  for (const auto& [seq, w] : pending_old_) batch.erase(store_key(seq));
  for (pending_write& w : pending_new_) {
    if (w.weight == 0) continue;  // came and went: never written
    join_row& r = sides_[w.side].row(w.row);
    add_row(w.side, r);
    ++chunks_[r.chunk].live;
    ++chunked_live_;
  }
  if (!value.empty()) batch.put(chunk_key(chunk), value);
  if (!watermark_saved_) {
    value.clear();
    append_i64(value, watermark_);
    batch.put(watermark_key(), value);
    watermark_saved_ = true;
  }
}

result<void> join_operator::restore(state_store& store) {
  for (int side = 0; side < 2; ++side) {
    sides_[side].clear();
    index_[side].clear();
    by_time_[side].clear();
  }
  pending_old_.clear();
  pending_new_.clear();
  chunks_.clear();
  dead_chunks_.clear();
  chunked_live_ = chunked_dead_ = 0;
  next_seq_ = 0;
  next_chunk_ = 1;
  watermark_ = no_watermark;
  watermark_saved_ = true;
  auto corrupt = [] { return fail(errc::corruption, "stream operator state does not decode"); };
  bool ok = true;
  result<void> chunk_restored;
  SLUICE_RETURN_IF_ERROR(store.scan_prefix(prefix_, [&](std::string_view k, std::string_view v) {
    decoder key(k.substr(prefix_.size() + 1));
    char kind = k[prefix_.size()];
    std::int64_t number = 0;
    if (kind == 'w') {
      decoder d(v);
      ok = d.read_i64(watermark_) && d.done();
    } else if (kind == 'c') {
      ok = key.read_i64(number) && number > 0;
      if (ok) chunk_restored = restore_chunk(static_cast<std::uint64_t>(number), v);
      ok = ok && chunk_restored.has_value();
    } else {
      // A row of its own (rows that may be retracted): sequence → side, key, values, weight.
      std::int64_t weight = 0;
      std::uint8_t side = 0;
      sql::row r;
      decoder row_key(k.substr(prefix_.size()));
      decoder d(v);
      ok = row_key.read_i64(number) && number >= 0 && d.read_u8(side) && side <= 1 && d.read_row(key_) &&
           d.read_row(r) && d.read_i64(weight);
      if (!ok) return false;
      key_hash_ = sql::hash_row(key_);
      std::size_t h = indexed_ ? sql::hash_row(r) : 0;
      index_for_expiry(side, store_row(side, std::move(r), h, weight, static_cast<std::uint64_t>(number)));
      next_seq_ = std::max(next_seq_, static_cast<std::uint64_t>(number) + 1);
    }
    return ok;
  }));
  if (!ok) return chunk_restored ? corrupt() : chunk_restored;
  flushed_seq_ = next_seq_;
  if (indexed_) {
    leave_chunks();  // chunks saved by a join planned for inserts only: rows of their own from now on
  } else if (watermark_ != no_watermark) {
    for (int side = 0; side < 2; ++side) expire(side, watermark_);  // rows that had expired before
  }
  return {};
}

result<void> join_operator::restore_chunk(std::uint64_t chunk, std::string_view value) {
  decoder d(value);
  chunk_count& count = chunks_[chunk];
  while (!d.done()) {
    std::int64_t seq = 0, weight = 0;
    std::uint8_t side = 0;
    sql::row r;
    if (!d.read_i64(seq) || seq < 0 || !d.read_u8(side) || side > 1 || !d.read_row(r) ||
        !d.read_i64(weight) || !key_of(side, r, key_))
      return fail(errc::corruption, "join state chunk does not decode");
    std::size_t h = indexed_ ? sql::hash_row(r) : 0;
    row_id stored = store_row(side, std::move(r), h, weight, static_cast<std::uint64_t>(seq));
    sides_[side].row(stored).chunk = chunk;
    index_for_expiry(side, stored);
    next_seq_ = std::max(next_seq_, static_cast<std::uint64_t>(seq) + 1);
    ++count.rows;
    ++count.live;
    ++chunked_live_;
  }
  next_chunk_ = std::max(next_chunk_, chunk + 1);
  return {};
}

}  // namespace sluice::stream
