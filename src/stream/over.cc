#include "stream/over.h"

#include "sql/window_functions.h"

namespace sluice::stream {

over_operator::over_operator(std::vector<sql::window_call> calls, std::string prefix, diagnostics* diag,
                             std::optional<top_n> keep)
    : calls_(std::move(calls)), prefix_(std::move(prefix)), diag_(diag), keep_(keep) {}

bool over_operator::key_of(const sql::row& r, sql::row& key) {
  key.clear();
  return run_guarded(diag_, "window function", r, [&] {
    for (const sql::expr& e : calls_[0].partition_by) key.push_back(sql::evaluate(e, r));
  });
}

std::vector<sql::row> over_operator::evaluate(const partition& rows) {
  std::vector<sql::row> expanded;
  for (const auto& [r, n] : rows) {
    for (std::int64_t i = 0; i < n; ++i) expanded.push_back(r);
  }
  if (expanded.empty()) return expanded;
  // A failure is reported with the partition's first row, read from the map: no copy per evaluation.
  if (!run_guarded(diag_, "window function", rows.begin()->first,
                   [&] { sql::append_window_values(calls_, expanded); }))
    expanded.clear();
  return expanded;
}

void over_operator::trim(const sql::row& key, partition& rows, const std::vector<sql::row>& valued) {
  std::size_t width = valued.empty() ? 0 : valued[0].size() - calls_.size();
  for (const sql::row& r : valued) {
    const sql::value& rank = r[width + static_cast<std::size_t>(keep_->call)];
    if (rank.is_null() || rank.as_bigint() <= keep_->limit) continue;
    sql::row plain(r.begin(), r.begin() + static_cast<std::ptrdiff_t>(width));
    auto at = rows.find(plain);
    if (at == rows.end()) continue;
    touch(key, plain, true);
    if (--at->second == 0) rows.erase(at);
  }
}

void over_operator::on_changes(int /*port*/, sql::change_batch& in, sql::change_batch& out) {
  consolidate(in);
  // The changes of each partition, in the order partitions first appear.
  std::unordered_map<sql::row, std::size_t, sql::row_hash, sql::row_equal> slot;
  std::vector<std::pair<sql::row, std::vector<sql::change*>>> touched;
  sql::row key;
  for (sql::change& c : in) {
    if (!key_of(c.values, key)) continue;
    auto [it, created] = slot.try_emplace(key, touched.size());
    if (created) touched.push_back({key, {}});
    touched[it->second].second.push_back(&c);
  }
  for (auto& [k, changes] : touched) {
    partition& rows = partitions_[k];
    for (sql::row& r : evaluate(rows)) out.push_back({std::move(r), -1});
    for (sql::change* c : changes) {
      auto [at, created] = rows.try_emplace(c->values, 0);
      touch(k, c->values, !created);
      at->second += c->weight;
      if (at->second == 0) rows.erase(at);
    }
    std::vector<sql::row> after = evaluate(rows);
    if (keep_) trim(k, rows, after);
    for (sql::row& r : after) out.push_back({std::move(r), 1});
    if (rows.empty()) partitions_.erase(k);
  }
  consolidate(out);
}

void over_operator::touch(const sql::row& key, const sql::row& r, bool present) {
  dirty_.try_emplace({key, r}, present);  // the first change since the flush knows what the store holds
}

void over_operator::flush(write_batch& batch) {
  std::string key, value;
  for (const auto& [entry, stored] : dirty_) {
    const auto& [k, r] = entry;
    key = prefix_;
    append_row(key, k);
    append_row(key, r);
    std::int64_t n = 0;
    if (auto p = partitions_.find(k); p != partitions_.end()) {
      if (auto at = p->second.find(r); at != p->second.end()) n = at->second;
    }
    if (n == 0) {
      if (stored) batch.erase(key);
      continue;
    }
    value.clear();
    append_i64(value, n);
    batch.put(key, value);
  }
  dirty_.clear();
}

result<void> over_operator::restore(state_store& store) {
  partitions_.clear();
  dirty_.clear();
  return restore_entries(store, prefix_, [&](decoder& k, std::string_view v) {
    sql::row key, r;
    std::int64_t n = 0;
    if (!k.read_row(key) || !k.read_row(r) || !decoder(v).read_i64(n)) return false;
    partitions_[std::move(key)].emplace(std::move(r), n);
    return true;
  });
}

}  // namespace sluice::stream
