// sql/execute.cc — one function per plan_kind over materialized row vectors. Data errors surface
// as eval_error from evaluate() and are turned into a value once, in execute_batch. Subqueries in
// expressions run through run_plan (execute_subquery.cc).
#include "sql/execute.h"

#include <fmt/format.h>

#include <algorithm>
#include <cstdint>
#include <unordered_map>
#include <unordered_set>

#include "sql/aggregates.h"
#include "sql/civil_time.h"
#include "sql/functions.h"
#include "sql/grouping_sets.h"
#include "sql/set_functions.h"
#include "sql/subquery.h"
#include "sql/window_functions.h"

namespace sluice::sql {

std::vector<std::pair<std::int64_t, std::int64_t>> assign_windows(const window_spec& w, std::int64_t micros) {
  std::vector<std::pair<std::int64_t, std::int64_t>> out;
  std::int64_t last = floor_div(micros - w.offset_micros, w.slide_micros) * w.slide_micros + w.offset_micros;
  for (std::int64_t start = last; start > micros - w.size_micros; start -= w.slide_micros) {
    out.emplace_back(start, start + w.size_micros);
  }
  std::reverse(out.begin(), out.end());
  return out;
}

int compare_key(const sort_key& k, const value& a, const value& b) {
  if (a.is_null() || b.is_null()) {
    if (a.is_null() && b.is_null()) return 0;
    return (a.is_null() == k.nulls_first) ? -1 : 1;
  }
  int c = compare(a, b);
  return k.descending ? -c : c;
}

namespace {

using rows = std::vector<row>;

rows run(const plan& p, const relation_rows& relations);

rows run_filter(const plan& p, rows input) {
  rows out;
  for (row& r : input) {
    if (evaluate_predicate(p.predicate, r)) out.push_back(std::move(r));
  }
  return out;
}

// A filter straight over a relation copies only the rows that pass (a correlated subquery's WHERE
// runs once per outer row, and copying the whole relation each time was most of its cost).
rows run_filter_scan(const plan& p, const relation_rows& relations) {
  rows out;
  const rows* found = relations.find(p.inputs[0].relation);
  if (found == nullptr) return out;
  for (const row& r : *found) {
    if (evaluate_predicate(p.predicate, r)) out.push_back(r);
  }
  return out;
}

rows run_project(const plan& p, const rows& input) {
  rows out;
  out.reserve(input.size());
  for (const row& r : input) {
    row projected;
    projected.reserve(p.exprs.size());
    for (const expr& e : p.exprs) projected.push_back(evaluate(e, r));
    out.push_back(std::move(projected));
  }
  return out;
}

rows run_window(const plan& p, const rows& input) {
  rows out;
  for (const row& r : input) {
    const value& time = r[static_cast<std::size_t>(p.window.time_column)];
    if (time.is_null()) continue;
    for (auto [start, end] : assign_windows(p.window, time.as_micros())) {
      row windowed = r;
      bool tz = time.type() == data_type::timestamptz;
      windowed.push_back(tz ? value::timestamptz(start) : value::timestamp(start));
      windowed.push_back(tz ? value::timestamptz(end) : value::timestamp(end));
      out.push_back(std::move(windowed));
    }
  }
  return out;
}

struct group_state {
  row keys;
  std::vector<accumulator> accumulators;
  std::vector<std::unordered_set<row, row_hash, row_equal>> seen;  // DISTINCT aggregates
};

void accumulate(const plan& p, group_state& g, const row& r) {
  for (std::size_t i = 0; i < p.aggregates.size(); ++i) {
    const aggregate_call& call = p.aggregates[i];
    if (call.has_filter && !evaluate_predicate(call.filter, r)) continue;
    if (call.args.size() == 2) {
      g.accumulators[i].add_pair(evaluate(call.args[0], r), evaluate(call.args[1], r));
      continue;
    }
    value v = call.args.empty() ? value() : evaluate(call.args[0], r);
    if (call.distinct && (v.is_null() || !g.seen[i].insert(row{v}).second)) continue;
    g.accumulators[i].add(v, r);
  }
}

rows run_aggregate(const plan& p, const rows& input) {
  std::vector<group_state> groups;
  std::unordered_map<row, std::size_t, row_hash, row_equal> index;
  auto new_group = [&](row keys) {
    group_state g{
        std::move(keys), {}, std::vector<std::unordered_set<row, row_hash, row_equal>>(p.aggregates.size())};
    for (const aggregate_call& call : p.aggregates) g.accumulators.emplace_back(call);
    groups.push_back(std::move(g));
    return groups.size() - 1;
  };
  // A global aggregate has one row even over no input, and so has ROLLUP's grand total.
  for (row& keys : permanent_groups(p)) index.emplace(keys, new_group(keys));
  for (const row& r : input) {
    row keys;
    for (const expr& e : p.group_by) keys.push_back(evaluate(e, r));
    std::size_t at;
    if (auto it = index.find(keys); it != index.end()) {
      at = it->second;
    } else {
      at = new_group(keys);
      index.emplace(std::move(keys), at);
    }
    accumulate(p, groups[at], r);
  }
  rows out;
  for (group_state& g : groups) {
    row result = std::move(g.keys);
    for (const accumulator& a : g.accumulators) result.push_back(a.result());
    out.push_back(std::move(result));
  }
  return out;
}

rows run_grouping_sets(const plan& p, const rows& input) {
  rows out;
  out.reserve(input.size() * p.grouping_sets.size());
  for (const row& r : input) {
    row keys = grouping_keys(p, r);
    for (std::size_t set = 0; set < p.grouping_sets.size(); ++set)
      out.push_back(grouping_set_row(p, r, keys, set));
  }
  return out;
}

row concat(const row& left, const row& right) {
  row out = left;
  out.insert(out.end(), right.begin(), right.end());
  return out;
}

// Keys of a row, or nullopt when one is NULL (NULL never equals anything in a join).
std::optional<row> join_keys(const std::vector<expr>& keys, const row& r) {
  row out;
  for (const expr& e : keys) {
    out.push_back(evaluate(e, r));
    if (out.back().is_null()) return std::nullopt;
  }
  return out;
}

rows run_join(const plan& p, const rows& left, const rows& right) {
  std::unordered_map<row, std::vector<std::size_t>, row_hash, row_equal> table;
  for (std::size_t i = 0; i < right.size(); ++i) {
    if (auto keys = join_keys(p.right_keys, right[i])) table[std::move(*keys)].push_back(i);
  }
  std::vector<std::size_t> all(right.size());
  for (std::size_t i = 0; i < all.size(); ++i) all[i] = i;
  std::vector<bool> right_matched(right.size(), false);
  row left_nulls(p.inputs[0].output.size()), right_nulls(p.inputs[1].output.size());
  rows out;
  for (const row& l : left) {
    const std::vector<std::size_t>* candidates = &all;
    std::optional<row> keys;
    if (!p.left_keys.empty()) {
      keys = join_keys(p.left_keys, l);
      auto it = keys ? table.find(*keys) : table.end();
      candidates = it == table.end() ? nullptr : &it->second;
    }
    bool matched = false;
    static const std::vector<std::size_t> none;
    for (std::size_t i : candidates ? *candidates : none) {
      row joined = concat(l, right[i]);
      if (!evaluate_predicate(p.residual, joined)) continue;
      matched = true;
      right_matched[i] = true;
      out.push_back(std::move(joined));
    }
    if (!matched && (p.join == join_type::left || p.join == join_type::full))
      out.push_back(concat(l, right_nulls));
  }
  if (p.join == join_type::right || p.join == join_type::full) {
    for (std::size_t i = 0; i < right.size(); ++i) {
      if (!right_matched[i]) out.push_back(concat(left_nulls, right[i]));
    }
  }
  return out;
}

rows run_set_op(const plan& p, rows left, rows right) {
  if (p.set_op == set_operation::union_all) {
    left.insert(left.end(), std::make_move_iterator(right.begin()), std::make_move_iterator(right.end()));
    return left;
  }
  // Each distinct row, in first-seen order, with how many times each side holds it.
  std::unordered_map<row, std::pair<std::int64_t, std::int64_t>, row_hash, row_equal> counts;
  rows order;
  for (int side = 0; side < 2; ++side) {
    for (row& r : side == 0 ? left : right) {
      auto [it, created] = counts.try_emplace(r, 0, 0);
      (side == 0 ? it->second.first : it->second.second) += 1;
      if (created) order.push_back(std::move(r));
    }
  }
  rows out;
  for (row& r : order) {
    auto [l, n] = counts.at(r);
    for (std::int64_t i = set_multiplicity(p.set_op, l, n); i > 0; --i) out.push_back(r);
  }
  return out;
}

rows run_distinct(rows input) {
  std::unordered_set<row, row_hash, row_equal> seen;
  rows out;
  for (row& r : input) {
    if (seen.insert(r).second) out.push_back(std::move(r));
  }
  return out;
}

rows run_sort(const plan& p, rows input) {
  std::vector<std::pair<row, row>> keyed;  // sort keys, row
  keyed.reserve(input.size());
  for (row& r : input) {
    row keys;
    for (const sort_key& k : p.order) keys.push_back(evaluate(k.key, r));
    keyed.emplace_back(std::move(keys), std::move(r));
  }
  std::stable_sort(keyed.begin(), keyed.end(), [&p](const auto& a, const auto& b) {
    for (std::size_t i = 0; i < p.order.size(); ++i) {
      if (int c = compare_key(p.order[i], a.first[i], b.first[i]); c != 0) return c < 0;
    }
    return false;
  });
  rows out;
  for (auto& [keys, r] : keyed) out.push_back(std::move(r));
  return out;
}

rows run_over(const plan& p, rows input) {
  append_window_values(p.window_calls, input);
  return input;
}

rows run_expand(const plan& p, const rows& input) {
  rows out;
  for (const row& r : input) expand_row(p, r, out);
  return out;
}

rows run_limit(const plan& p, rows input) {
  auto size = static_cast<std::int64_t>(input.size());
  std::int64_t begin = std::min(p.offset, size);
  std::int64_t end = p.limit < 0 ? size : std::min(size, begin + p.limit);
  return rows(std::make_move_iterator(input.begin() + begin), std::make_move_iterator(input.begin() + end));
}

// The relations, plus a recursive term's working table.
class with_worktable final : public relation_rows {
 public:
  with_worktable(const relation_rows& relations, std::string_view name, const rows& work)
      : relations_(relations), name_(name), work_(work) {}
  const rows* find(std::string_view relation) const override {
    return relation == name_ ? &work_ : relations_.find(relation);
  }

 private:
  const relation_rows& relations_;
  std::string_view name_;
  const rows& work_;
};

// As Postgres evaluates WITH RECURSIVE: the non-recursive term's rows are the first working table;
// each round runs the recursive term over the working table, and what it returns (for UNION, less
// the rows already produced) is added to the result and becomes the next working table. `wanted`:
// rows past it would be cut by a LIMIT, so the recursion may end there (Postgres reads a recursive
// query lazily, so `… SELECT n FROM t LIMIT 10` ends even when t alone would not).
rows run_recursive_union(const plan& p, const relation_rows& relations, std::size_t wanted) {
  const std::size_t max_rows = running_limits().max_recursive_rows;
  rows out, work;
  std::unordered_set<row, row_hash, row_equal> seen;
  auto add = [&](rows produced) {
    for (row& r : produced) {
      if (p.recursive_distinct && !seen.insert(r).second) continue;
      work.push_back(std::move(r));
    }
    if (out.size() + work.size() > max_rows) {
      raise("54000", fmt::format("recursive query returns more than {} rows", max_rows));
    }
    out.insert(out.end(), work.begin(), work.end());
  };
  add(run(p.inputs[0], relations));
  while (!work.empty() && out.size() < wanted) {
    rows last = std::move(work);
    work.clear();
    add(run(p.inputs[1], with_worktable(relations, p.relation, last)));
  }
  return out;
}

// The rows of `p`, of which the consumer takes only the first `wanted`: what a LIMIT may stop early.
rows run_wanted(const plan& p, const relation_rows& relations, std::size_t wanted) {
  if (p.kind == plan_kind::project) return run_project(p, run_wanted(p.inputs[0], relations, wanted));
  if (p.kind == plan_kind::recursive_union) return run_recursive_union(p, relations, wanted);
  return run(p, relations);
}

rows run(const plan& p, const relation_rows& relations) {
  switch (p.kind) {
    case plan_kind::scan:
    case plan_kind::worktable: {  // a recursive term's working table is one of the relations
      const rows* found = relations.find(p.relation);
      return found ? *found : rows{};
    }
    case plan_kind::values:
      return p.rows;
    case plan_kind::filter:
      if (p.inputs[0].kind == plan_kind::scan) return run_filter_scan(p, relations);
      return run_filter(p, run(p.inputs[0], relations));
    case plan_kind::project:
      return run_project(p, run(p.inputs[0], relations));
    case plan_kind::window:
      return run_window(p, run(p.inputs[0], relations));
    case plan_kind::aggregate:
      return run_aggregate(p, run(p.inputs[0], relations));
    case plan_kind::join:
      return run_join(p, run(p.inputs[0], relations), run(p.inputs[1], relations));
    case plan_kind::distinct:
      return run_distinct(run(p.inputs[0], relations));
    case plan_kind::set_op:
      return run_set_op(p, run(p.inputs[0], relations), run(p.inputs[1], relations));
    case plan_kind::sort:
      return run_sort(p, run(p.inputs[0], relations));
    case plan_kind::limit:
      return run_limit(p, run_wanted(p.inputs[0], relations,
                                     p.limit < 0 ? SIZE_MAX : static_cast<std::size_t>(p.offset + p.limit)));
    case plan_kind::over:
      return run_over(p, run(p.inputs[0], relations));
    case plan_kind::expand:
      return run_expand(p, run(p.inputs[0], relations));
    case plan_kind::grouping_sets:
      return run_grouping_sets(p, run(p.inputs[0], relations));
    case plan_kind::recursive_union:
      return run_recursive_union(p, relations, SIZE_MAX);
  }
  return {};
}

}  // namespace

std::vector<row> run_plan(const plan& p, const relation_rows& relations) { return run(p, relations); }

sql_result<std::vector<row>> execute_batch(const plan& p, const relation_rows& relations,
                                           execute_limits limits) {
  try {
    subquery_execution statement(relations, limits);
    return run(p, relations);
  } catch (const eval_error& error) {
    return sql_fail(error);
  }
}

}  // namespace sluice::sql
