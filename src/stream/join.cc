#include "stream/join.h"

#include "stream/codec.h"

namespace sluice::stream {

join_operator::join_operator(join_spec spec, std::string prefix, diagnostics* diag)
    : spec_(std::move(spec)), prefix_(std::move(prefix)), diag_(diag) {}

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
  return true;
}

bool join_operator::matches(const sql::row& l, const sql::row& r, sql::row& joined) {
  joined.clear();
  joined.reserve(l.size() + r.size());
  joined.insert(joined.end(), l.begin(), l.end());
  joined.insert(joined.end(), r.begin(), r.end());
  bool hit = false;
  run_guarded(diag_, "join", joined, [&] { hit = sql::evaluate_predicate(spec_.residual, joined); });
  return hit;
}

sql::row join_operator::padded(const sql::row& l) const {
  sql::row out;
  out.reserve(l.size() + spec_.right_width);
  out = l;
  out.resize(l.size() + spec_.right_width);
  return out;
}

std::int64_t join_operator::match_weight(const sql::row& l, const multiset& rights) {
  std::int64_t m = 0;
  sql::row joined;
  for (const auto& [r, w] : rights) {
    if (matches(l, r, joined)) m += w;
  }
  return m;
}

void join_operator::on_left(sql::change& c, sql::change_batch& out) {
  sql::row key;
  bool left_outer = spec_.type == sql::join_type::left;
  if (!key_of(0, c.values, key)) {
    if (left_outer) out.push_back({padded(c.values), c.weight});
    return;
  }
  std::int64_t m = 0;
  if (auto it = sides_[1].find(key); it != sides_[1].end()) {
    sql::row joined;
    for (const auto& [r, w] : it->second) {
      if (!matches(c.values, r, joined)) continue;
      m += w;
      out.push_back({joined, c.weight * w});
    }
  }
  if (left_outer && m == 0) out.push_back({padded(c.values), c.weight});
  add(0, key, c.values, c.weight);
}

void join_operator::on_right(sql::change& c, sql::change_batch& out) {
  sql::row key;
  if (!key_of(1, c.values, key)) return;  // unmatched right rows are not part of inner or left joins
  bool left_outer = spec_.type == sql::join_type::left;
  if (auto it = sides_[0].find(key); it != sides_[0].end()) {
    const multiset* rights = nullptr;
    if (auto r = sides_[1].find(key); r != sides_[1].end()) rights = &r->second;
    sql::row joined;
    for (const auto& [l, w] : it->second) {
      if (!matches(l, c.values, joined)) continue;
      out.push_back({joined, w * c.weight});
      if (!left_outer) continue;
      std::int64_t before = rights ? match_weight(l, *rights) : 0;
      std::int64_t after = before + c.weight;
      if (before <= 0 && after > 0) out.push_back({padded(l), -w});
      if (before > 0 && after <= 0) out.push_back({padded(l), w});
    }
  }
  add(1, key, c.values, c.weight);
}

std::string join_operator::store_key(int side, const sql::row& key, const sql::row& r) const {
  std::string k = prefix_;
  append_u8(k, static_cast<std::uint8_t>(side));
  append_row(k, key);
  append_row(k, r);
  return k;
}

void join_operator::add(int side, const sql::row& key, const sql::row& r, std::int64_t weight) {
  if (weight < 0 && expiring_) {
    // Expiry assumed inserts only; a retraction may concern a forgotten row, so stop forgetting.
    expiring_ = false;
    by_time_[0].clear();
    by_time_[1].clear();
  }
  auto outer = sides_[side].try_emplace(key).first;
  auto& rows = outer->second;
  auto [it, created] = rows.try_emplace(r, 0);
  it->second += weight;
  std::int64_t now = it->second;
  if (created && now != 0) index_for_expiry(side, &outer->first, &it->first);
  if (now == 0) rows.erase(it);
  if (rows.empty()) sides_[side].erase(outer);
  pending_[store_key(side, key, r)] = now;
}

void join_operator::index_for_expiry(int side, const sql::row* key, const sql::row* r) {
  const auto& rule = spec_.expiry[side];
  if (!rule || !expiring_) return;
  const sql::value& t = (*r)[static_cast<std::size_t>(rule->column)];
  // A NULL timestamp never satisfies the bound; such a row simply stays.
  if (t.type() == sql::data_type::timestamp || t.type() == sql::data_type::timestamptz)
    by_time_[side].emplace(t.as_micros(), std::pair{key, r});
}

void join_operator::on_watermark(std::int64_t watermark, sql::change_batch& /*out*/) {
  if (!expiring_ || watermark == no_watermark) return;
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
  auto& index = by_time_[side];
  while (!index.empty() && index.begin()->first < bound) {
    auto [key, r] = index.begin()->second;
    auto outer = sides_[side].find(*key);
    pending_[store_key(side, *key, *r)] = 0;
    outer->second.erase(outer->second.find(*r));
    if (outer->second.empty()) sides_[side].erase(outer);
    index.erase(index.begin());
  }
}

void join_operator::on_changes(int port, sql::change_batch& in, sql::change_batch& out) {
  consolidate(in);
  for (sql::change& c : in) {
    if (port == 0) {
      on_left(c, out);
    } else {
      on_right(c, out);
    }
  }
  consolidate(out);
}

void join_operator::flush(write_batch& batch) {
  for (auto& [k, w] : pending_) {
    if (w == 0) {
      batch.erase(k);
    } else {
      std::string v;
      append_i64(v, w);
      batch.put(k, std::move(v));
    }
  }
  pending_.clear();
}

result<void> join_operator::restore(state_store& store) {
  for (int side = 0; side < 2; ++side) {
    sides_[side].clear();
    by_time_[side].clear();
  }
  return restore_entries(store, prefix_, [&](decoder& k, std::string_view v) {
    std::uint8_t side = 0;
    sql::row key, r;
    std::int64_t weight = 0;
    if (!k.read_u8(side) || side > 1 || !k.read_row(key) || !k.read_row(r) || !decoder(v).read_i64(weight)) {
      return false;
    }
    auto outer = sides_[side].try_emplace(std::move(key)).first;
    auto inner = outer->second.emplace(std::move(r), weight).first;
    index_for_expiry(side, &outer->first, &inner->first);
    return true;
  });
}

}  // namespace sluice::stream
