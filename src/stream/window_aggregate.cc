#include "stream/window_aggregate.h"

#include <fmt/format.h>

#include <numeric>

#include "sql/civil_time.h"
#include "stream/window_assign.h"

namespace sluice::stream {

window_aggregate_operator::window_aggregate_operator(sql::window_spec spec, sql::data_type time_type,
                                                     std::vector<window_key> keys,
                                                     std::vector<sql::aggregate_call> calls,
                                                     std::string prefix, diagnostics* diag,
                                                     bool input_only_inserts)
    : spec_(spec),
      time_type_(time_type),
      keys_(std::move(keys)),
      functions_(std::move(calls), input_only_inserts && spec.size_micros == spec.slide_micros),
      prefix_(std::move(prefix)),
      diag_(diag),
      pane_width_(std::gcd(spec.size_micros, spec.slide_micros)) {}

window_aggregate_operator::groups::iterator window_aggregate_operator::find_or_make(
    groups& g, const sql::row& key) const {
  // One lookup; the key is copied only for a new group.
  auto [it, made] = g.try_emplace(key);
  if (made) it->second = functions_.make();
  return it;
}

std::int64_t window_aggregate_operator::pane_of(std::int64_t t) const {
  return spec_.offset_micros + sql::floor_div(t - spec_.offset_micros, pane_width_) * pane_width_;
}

std::int64_t window_aggregate_operator::first_window_containing(std::int64_t pane) const {
  // The smallest start = offset + k * slide with start + size > pane.
  std::int64_t k = sql::floor_div(pane - spec_.size_micros - spec_.offset_micros, spec_.slide_micros) + 1;
  return spec_.offset_micros + k * spec_.slide_micros;
}

void window_aggregate_operator::on_changes(int /*port*/, sql::change_batch& in, sql::change_batch& /*out*/) {
  const auto time_col = static_cast<std::size_t>(spec_.time_column);
  aggregate_args args;
  sql::row key;
  // Rows of a batch mostly fall in the same pane; no pane is dropped while a batch is applied.
  auto p = panes_.end();
  for (sql::change& c : in) {
    const sql::value& tv = c.values[time_col];
    if (tv.is_null()) {
      diag_->report(dead_letter{"window aggregate", "event time is NULL", row_text(c.values), -1});
      continue;
    }
    std::int64_t pane = pane_of(event_time_micros(tv));
    if (first_window_containing(pane) < next_start_) {
      diag_->report(late_event{"window aggregate", "its window was already emitted", row_text(c.values),
                               event_time_micros(tv), next_start_, -1});
      continue;
    }
    bool ok = run_guarded(diag_, "window aggregate", c.values, [&] {
      key.clear();
      for (const window_key& k : keys_) {
        if (k.source == window_key::kind::expr) key.push_back(sql::evaluate(k.e, c.values));
      }
      functions_.eval_args(c.values, args);
    });
    if (!ok) continue;
    if (p == panes_.end() || p->first != pane) p = panes_.try_emplace(pane).first;
    groups& g = p->second.by_key;
    auto it = find_or_make(g, key);
    group_state& state = it->second;
    changed_values* changed = nullptr;
    if (state.values_apart) {  // a group stored apart lists its changed entries
      auto [d, first_touch] = dirty_.try_emplace({pane, key});
      if (first_touch) d->second.stored_apart = true;
      changed = &d->second.changed;
    } else if (!state.dirty) {
      p->second.dirty.push_back(&*it);
    }
    state.dirty = true;
    functions_.add(state, args, c.weight, changed);
    if (pane >= run_lo_ && pane < run_hi_) {  // the next window to fire already merged this pane
      auto r = find_or_make(running_, key);
      functions_.add(r->second, args, c.weight);
      if (r->second.rows == 0) running_.erase(r);
    }
  }
}

void window_aggregate_operator::on_watermark(std::int64_t watermark, sql::change_batch& out) {
  while (!panes_.empty()) {
    std::int64_t start = std::max(next_start_, first_window_containing(panes_.begin()->first));
    if (start + spec_.size_micros > watermark) break;  // not complete yet
    fire(start, out);
    next_start_ = start + spec_.slide_micros;
    drop_panes_before(next_start_);
  }
}

void window_aggregate_operator::merge_panes(std::int64_t from, std::int64_t to, std::int64_t sign) {
  for (auto it = panes_.lower_bound(from); it != panes_.end() && it->first < to; ++it) {
    for (const auto& [k, state] : it->second.by_key) {
      auto g = find_or_make(running_, k);
      functions_.merge(g->second, state, sign);
      // No rows left: forget the group, and with it any rounding left in its double sums.
      if (g->second.rows == 0) running_.erase(g);
    }
  }
}

void window_aggregate_operator::slide_running_to(std::int64_t start) {
  if (run_hi_ <= start || run_lo_ > start) {
    running_.clear();
    run_lo_ = run_hi_ = start;
  }
  merge_panes(run_lo_, start, -1);
  run_lo_ = start;
  merge_panes(run_hi_, start + spec_.size_micros, 1);
  run_hi_ = start + spec_.size_micros;
}

sql::row window_aggregate_operator::output_row(const sql::row& key, const group_state& state,
                                               std::int64_t start) const {
  sql::row r;
  r.reserve(keys_.size() + functions_.calls().size());
  std::size_t next_expr = 0;
  for (const window_key& wk : keys_) {
    switch (wk.source) {
      case window_key::kind::expr:
        r.push_back(key[next_expr++]);
        break;
      case window_key::kind::window_start:
        r.push_back(time_value(time_type_, start));
        break;
      case window_key::kind::window_end:
        r.push_back(time_value(time_type_, start + spec_.size_micros));
        break;
    }
  }
  functions_.results(state, r);
  return r;
}

void window_aggregate_operator::fire(std::int64_t start, sql::change_batch& out) {
  slide_running_to(start);
  out.reserve(out.size() + running_.size());
  for (const auto& [k, state] : running_) {
    if (state.rows > 0) out.push_back({output_row(k, state, start), 1});
  }
}

void window_aggregate_operator::drop_panes_before(std::int64_t start) {
  if (run_lo_ < start && run_hi_ <= start) {
    // Every pane merged into running_ leaves (always so for TUMBLE): nothing to subtract.
    running_.clear();
    run_lo_ = run_hi_ = start;
  } else if (run_lo_ < start) {
    merge_panes(run_lo_, start, -1);
    run_lo_ = start;
  }
  while (!panes_.empty() && panes_.begin()->first < start) {
    for (const auto& [k, state] : panes_.begin()->second.by_key) {
      if (!state.stored) continue;  // no flush wrote it: nothing to erase
      auto [d, first_touch] = dirty_.try_emplace({panes_.begin()->first, k});
      if (first_touch) d->second.stored_apart = state.values_apart;
      if (state.values_apart) functions_.append_all_values(state, d->second.changed);
    }
    panes_.erase(panes_.begin());
  }
}

namespace {
constexpr char meta_tag = 'm';
constexpr char older_pane_tag = 'p';  // the layout before group_tag and value_tag
}  // namespace

void window_aggregate_operator::flush(write_batch& batch) {
  if (next_start_ != flushed_next_start_) {
    std::string v;
    append_i64(v, next_start_);
    batch.put(prefix_ + meta_tag, std::move(v));
    flushed_next_start_ = next_start_;
  }
  // dirty_ first: it may erase a group of a dropped pane that a pane below puts again (a row in the
  // gap between HOP windows whose slide exceeds their size can recreate a dropped pane).
  for (auto& [pane_and_key, dirty] : dirty_) {
    const auto& [pane, k] = pane_and_key;
    group_state* state = nullptr;
    if (auto p = panes_.find(pane); p != panes_.end()) {
      if (auto g = p->second.by_key.find(k); g != p->second.by_key.end()) state = &g->second;
    }
    write_group(pane, k, state, dirty, batch);
  }
  dirty_.clear();
  for (auto& [start, p] : panes_) {
    for (groups::value_type* g : p.dirty) {
      dirty_group inline_group;  // nothing stored apart yet (write_group may move the group apart)
      write_group(start, g->first, &g->second, inline_group, batch);
    }
    p.dirty.clear();
  }
}

void window_aggregate_operator::write_group(std::int64_t pane, const sql::row& k, group_state* state,
                                            dirty_group& dirty, write_batch& batch) {
  std::string key = prefix_ + group_tag;
  append_i64(key, pane);
  append_row(key, k);
  if (state) {
    state->dirty = false;
    state->stored = true;
  }
  functions_.write_group(state, dirty, std::move(key), prefix_.size(), batch);
}

result<void> window_aggregate_operator::restore(state_store& store) {
  panes_.clear();
  auto meta = store.get(prefix_ + meta_tag);
  if (!meta) return tl::unexpected(meta.error());
  if (*meta && !decoder(**meta).read_i64(next_start_))
    return fail(errc::corruption, "window state does not decode");
  flushed_next_start_ = next_start_;
  dirty_.clear();
  bool older_format = false;
  // Key order puts every pane group ('g') before the multiset entries ('v') that belong to it.
  auto restored = restore_entries(store, prefix_, [&](decoder& k, std::string_view v) {
    std::uint8_t tag = 0;
    std::int64_t pane = 0;
    sql::row key;
    if (!k.read_u8(tag)) return false;
    if (tag == meta_tag) return true;  // read above
    if (tag == older_pane_tag) older_format = true;
    if (tag != group_tag && tag != value_tag) return false;
    if (!k.read_i64(pane) || !k.read_row(key)) return false;
    if (tag == value_tag) {
      auto p = panes_.find(pane);
      if (p == panes_.end()) return false;
      auto g = p->second.by_key.find(key);
      return g != p->second.by_key.end() && functions_.restore_value(k, v, g->second);
    }
    group_state state;
    if (!k.done() || !functions_.deserialize(v, state)) return false;
    state.stored = true;
    return panes_[pane].by_key.emplace(std::move(key), std::move(state)).second;
  });
  if (!restored && older_format)
    return fail(errc::corruption, "window aggregate state is in an older format; the view must be rebuilt");
  return restored;
}

}  // namespace sluice::stream
