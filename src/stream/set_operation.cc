#include "stream/set_operation.h"

namespace sluice::stream {

void union_all_operator::on_changes(int /*port*/, sql::change_batch& in, sql::change_batch& out) {
  if (out.empty()) {
    out.swap(in);
    return;
  }
  out.insert(out.end(), std::make_move_iterator(in.begin()), std::make_move_iterator(in.end()));
}

void set_operator::on_changes(int port, sql::change_batch& in, sql::change_batch& out) {
  consolidate(in);  // one change per row, so before and after below see its net effect
  for (sql::change& c : in) {
    auto it = counts_.try_emplace(c.values).first;
    std::int64_t before = sql::set_multiplicity(op_, it->second.left, it->second.right);
    (port == 0 ? it->second.left : it->second.right) += c.weight;
    std::int64_t after = sql::set_multiplicity(op_, it->second.left, it->second.right);
    if (it->second.left == 0 && it->second.right == 0) counts_.erase(it);
    dirty_.insert(c.values);
    if (after != before) out.push_back({std::move(c.values), after - before});
  }
}

void set_operator::flush(write_batch& batch) {
  std::string v;
  for (const sql::row& r : dirty_) {
    auto it = counts_.find(r);
    v.clear();
    if (it != counts_.end()) {
      append_i64(v, it->second.left);
      append_i64(v, it->second.right);
    }
    write_row_state(batch, prefix_, r, it == counts_.end() ? nullptr : &v);
  }
  dirty_.clear();
}

result<void> set_operator::restore(state_store& store) {
  counts_.clear();
  dirty_.clear();
  return restore_entries(store, prefix_, [&](decoder& k, std::string_view v) {
    sql::row r;
    counts n;
    decoder d(v);
    if (!k.read_row(r) || !d.read_i64(n.left) || !d.read_i64(n.right)) return false;
    counts_.emplace(std::move(r), n);
    return true;
  });
}

}  // namespace sluice::stream
