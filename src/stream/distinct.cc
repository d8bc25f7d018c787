#include "stream/distinct.h"

namespace sluice::stream {

void distinct_operator::on_changes(int /*port*/, sql::change_batch& in, sql::change_batch& out) {
  consolidate(in);  // one update per distinct row, so the before/after test below sees the net change
  for (sql::change& c : in) {
    auto [it, created] = counts_.try_emplace(c.values, 0);
    bool was = it->second > 0;
    it->second += c.weight;
    bool is = it->second > 0;
    dirty_.insert(c.values);
    if (it->second == 0) counts_.erase(it);
    if (was != is) out.push_back({std::move(c.values), is ? 1 : -1});
  }
}

void distinct_operator::flush(write_batch& batch) {
  std::string v;
  for (const sql::row& r : dirty_) {
    auto it = counts_.find(r);
    v.clear();
    if (it != counts_.end()) append_i64(v, it->second);
    write_row_state(batch, prefix_, r, it == counts_.end() ? nullptr : &v);
  }
  dirty_.clear();
}

result<void> distinct_operator::restore(state_store& store) {
  counts_.clear();
  return restore_entries(store, prefix_, [&](decoder& k, std::string_view v) {
    sql::row r;
    std::int64_t n = 0;
    if (!k.read_row(r) || !decoder(v).read_i64(n)) return false;
    counts_.emplace(std::move(r), n);
    return true;
  });
}

}  // namespace sluice::stream
