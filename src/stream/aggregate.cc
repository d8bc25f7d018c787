#include "stream/aggregate.h"

#include <iterator>
#include <optional>

#include "base/assert.h"

namespace sluice::stream {

aggregate_operator::aggregate_operator(std::vector<sql::expr> group_by,
                                       std::vector<sql::aggregate_call> calls, std::string prefix,
                                       diagnostics* diag, bool input_only_inserts,
                                       std::vector<sql::row> permanent_groups)
    : group_by_(std::move(group_by)),
      permanent_(std::move(permanent_groups)),
      functions_(std::move(calls), input_only_inserts),
      input_only_inserts_(input_only_inserts),
      prefix_(std::move(prefix)),
      diag_(diag) {
  if (group_by_.empty()) permanent_ = {sql::row{}};
}

bool aggregate_operator::is_permanent(const sql::row& key) const {
  for (const sql::row& p : permanent_) {
    if (sql::compare_rows(p, key) == 0) return true;
  }
  return false;
}

sql::row aggregate_operator::output_row(const sql::row& key, const group_state& state) const {
  sql::row out;
  out.reserve(key.size() + functions_.calls().size());
  out = key;
  functions_.results(state, out);
  return out;
}

void aggregate_operator::on_start(sql::change_batch& out) {
  for (const sql::row& key : permanent_) {
    auto [it, inserted] = groups_.try_emplace(key, functions_.make());
    out.push_back({output_row(it->first, it->second), 1});
    dirty_.try_emplace(it->first);  // stored, so a restart finds the group its row in the view came from
  }
}

void aggregate_operator::on_changes(int /*port*/, sql::change_batch& in, sql::change_batch& out) {
  struct touched_group {
    std::optional<sql::row> before;  // the group's output before this batch (nullopt: it did not exist)
    changed_values changed;
  };
  std::unordered_map<sql::row, touched_group, sql::row_hash, sql::row_equal> touched;
  aggregate_args args;
  sql::row key;
  for (sql::change& c : in) {
    SLUICE_ASSERT(!input_only_inserts_ || c.weight > 0, "a retraction reached an insert-only aggregate");
    bool ok = run_guarded(diag_, "aggregate", c.values, [&] {
      key.clear();
      for (const sql::expr& e : group_by_) key.push_back(sql::evaluate(e, c.values));
      functions_.eval_args(c.values, args);
    });
    if (!ok) continue;
    // One lookup; the key is copied only for a new group.
    auto [it, created] = groups_.try_emplace(key);
    if (created) it->second = functions_.make();
    auto [t, first] = touched.try_emplace(key);
    if (first && !created) t->second.before = output_row(it->first, it->second);
    functions_.add(it->second, args, c.weight, it->second.values_apart ? &t->second.changed : nullptr);
  }
  for (auto& [k, t] : touched) {
    auto it = groups_.find(k);
    bool exists = it->second.rows > 0 || (!permanent_.empty() && is_permanent(k));
    std::optional<sql::row> now;
    if (exists) now = output_row(k, it->second);
    auto [d, first_touch] = dirty_.try_emplace(k);
    if (first_touch) d->second.stored_apart = it->second.values_apart;
    changed_values& changed = d->second.changed;
    if (changed.empty()) {
      changed = std::move(t.changed);
    } else {
      changed.insert(changed.end(), std::make_move_iterator(t.changed.begin()),
                     std::make_move_iterator(t.changed.end()));
    }
    if (!exists) {
      // Every stored entry goes with the group (normally none is left once its rows are gone).
      if (it->second.values_apart) functions_.append_all_values(it->second, changed);
      groups_.erase(it);
    }
    std::optional<sql::row>& old = t.before;
    if (old && now && sql::compare_rows(*old, *now) == 0) continue;
    if (old) out.push_back({std::move(*old), -1});
    if (now) out.push_back({std::move(*now), 1});
  }
}

void aggregate_operator::flush(write_batch& batch) {
  for (auto& [k, dirty] : dirty_) {
    std::string key = prefix_ + group_tag;
    append_row(key, k);
    auto it = groups_.find(k);
    functions_.write_group(it == groups_.end() ? nullptr : &it->second, dirty, std::move(key), prefix_.size(),
                           batch);
  }
  dirty_.clear();
}

result<void> aggregate_operator::restore(state_store& store) {
  groups_.clear();
  dirty_.clear();
  bool older_format = false;
  // Key order puts every group ('g') before the multiset entries ('v') that belong to it.
  auto restored = restore_entries(store, prefix_, [&](decoder& k, std::string_view v) {
    std::uint8_t tag = 0;
    sql::row key;
    if (!k.read_u8(tag)) return false;
    if (tag != group_tag && tag != value_tag) {
      older_format = true;  // a group key right after the prefix: multisets inside the group's value
      return false;
    }
    if (!k.read_row(key)) return false;
    if (tag == value_tag) {
      auto it = groups_.find(key);
      return it != groups_.end() && functions_.restore_value(k, v, it->second);
    }
    group_state state;
    if (!k.done() || !functions_.deserialize(v, state)) return false;
    return groups_.emplace(std::move(key), std::move(state)).second;
  });
  if (!restored && older_format)
    return fail(errc::corruption, "aggregate state is in an older format; the view must be rebuilt");
  return restored;
}

}  // namespace sluice::stream
