#include "stream/aggregate.h"

#include <optional>

namespace sluice::stream {

aggregate_operator::aggregate_operator(std::vector<sql::expr> group_by,
                                       std::vector<sql::aggregate_call> calls, std::string prefix,
                                       diagnostics* diag)
    : group_by_(std::move(group_by)), functions_(std::move(calls)), prefix_(std::move(prefix)), diag_(diag) {}

sql::row aggregate_operator::output_row(const sql::row& key, const group_state& state) const {
  sql::row out;
  out.reserve(key.size() + functions_.calls().size());
  out = key;
  functions_.results(state, out);
  return out;
}

void aggregate_operator::on_start(sql::change_batch& out) {
  if (!group_by_.empty()) return;
  auto [it, inserted] = groups_.try_emplace(sql::row{}, functions_.make());
  out.push_back({output_row(it->first, it->second), 1});
  dirty_.insert(it->first);  // stored, so a restart finds the group its row in the view came from
}

void aggregate_operator::on_changes(int /*port*/, sql::change_batch& in, sql::change_batch& out) {
  // The output each touched group had before this batch (nullopt: the group did not exist).
  std::unordered_map<sql::row, std::optional<sql::row>, sql::row_hash, sql::row_equal> before;
  aggregate_args args;
  sql::row key;
  for (sql::change& c : in) {
    bool ok = run_guarded(diag_, "aggregate", c.values, [&] {
      key.clear();
      for (const sql::expr& e : group_by_) key.push_back(sql::evaluate(e, c.values));
      functions_.eval_args(c.values, args);
    });
    if (!ok) continue;
    auto [it, created] = groups_.try_emplace(key, functions_.make());
    if (auto [b, first] = before.try_emplace(key); first && !created)
      b->second = output_row(it->first, it->second);
    functions_.add(it->second, args, c.weight);
  }
  for (auto& [k, old] : before) {
    auto it = groups_.find(k);
    bool exists = it->second.rows > 0 || group_by_.empty();
    std::optional<sql::row> now;
    if (exists) now = output_row(k, it->second);
    dirty_.insert(k);
    if (old && now && sql::compare_rows(*old, *now) == 0) continue;
    if (old) out.push_back({std::move(*old), -1});
    if (now) out.push_back({std::move(*now), 1});
    if (!exists) groups_.erase(it);
  }
}

void aggregate_operator::flush(write_batch& batch) {
  for (const sql::row& k : dirty_) {
    std::string key = prefix_;
    append_row(key, k);
    auto it = groups_.find(k);
    if (it == groups_.end()) {
      batch.erase(std::move(key));
    } else {
      batch.put(std::move(key), functions_.serialize(it->second));
    }
  }
  dirty_.clear();
}

result<void> aggregate_operator::restore(state_store& store) {
  groups_.clear();
  return restore_entries(store, prefix_, [&](decoder& k, std::string_view v) {
    sql::row key;
    group_state state;
    if (!k.read_row(key) || !functions_.deserialize(v, state)) return false;
    groups_.emplace(std::move(key), std::move(state));
    return true;
  });
}

}  // namespace sluice::stream
