#include "sql/window_functions.h"

#include <algorithm>
#include <numeric>

#include "sql/aggregates.h"
#include "sql/execute.h"

namespace sluice::sql {
namespace {

// One call over the rows of one partition, in window order (`order[i]` is a row index).
class partition_evaluator {
 public:
  partition_evaluator(const window_call& call, const std::vector<row>& rows,
                      const std::vector<row>& order_keys, const std::vector<std::size_t>& order,
                      std::vector<value>& out)
      : call_(call), rows_(rows), keys_(order_keys), order_(order), out_(out) {}

  void run() {
    n_ = order_.size();
    find_peers();
    switch (call_.fn) {
      case window_fn::aggregate:
        return aggregate();
      case window_fn::ntile:
        return ntile();
      default:
        for (std::size_t p = 0; p < n_; ++p) set(p, value_at(p));
    }
  }

 private:
  const row& row_at(std::size_t p) const { return rows_[order_[p]]; }
  void set(std::size_t p, value v) { out_[order_[p]] = std::move(v); }

  // peer_start_[p], peer_end_[p]: the first and one past the last row equal to p in ORDER BY;
  // group_[p]: the number of p's peer group, and group_start_[g] where group g starts.
  void find_peers() {
    peer_start_.assign(n_, 0);
    peer_end_.assign(n_, n_);
    for (std::size_t p = 1; p < n_; ++p) peer_start_[p] = peers(p - 1, p) ? peer_start_[p - 1] : p;
    for (std::size_t p = n_ - 1; p-- > 0;) peer_end_[p] = peers(p, p + 1) ? peer_end_[p + 1] : p + 1;
    if (call_.frame.units == frame_units::groups) {
      group_.assign(n_, 0);
      group_start_.clear();
      for (std::size_t p = 0; p < n_; ++p) {
        if (peer_start_[p] == p) group_start_.push_back(p);
        group_[p] = group_start_.size() - 1;
      }
    }
    if (call_.frame.start_value.kind == expr_kind::call || call_.frame.end_value.kind == expr_kind::call)
      find_range_keys();
  }

  // RANGE with an offset: each row's key as the bounds compare with it, and where the non-NULL keys
  // are (NULLs sort first or last, all together).
  void find_range_keys() {
    range_keys_.resize(n_);
    non_null_first_ = n_;
    non_null_end_ = 0;
    for (std::size_t p = 0; p < n_; ++p) {
      range_keys_[p] = evaluate(call_.frame.range_key, row{keys_[order_[p]][0]});
      if (range_keys_[p].is_null()) continue;
      non_null_first_ = std::min(non_null_first_, p);
      non_null_end_ = p + 1;
    }
  }

  // RANGE: the first row (start) or one past the last row (end) whose key is within the bound that
  // `bound` computes from row p's key. A bound past the type's range reaches every row on its side.
  std::int64_t range_edge(std::size_t p, const expr& bound, bool preceding, bool end) const {
    if (range_keys_[p].is_null()) return static_cast<std::int64_t>(end ? peer_end_[p] : peer_start_[p]);
    bool descending = call_.order_by[0].descending;
    value b;
    try {
      b = evaluate(bound, row{range_keys_[p]});
    } catch (const eval_error&) {
      return static_cast<std::int64_t>(preceding ? non_null_first_ : non_null_end_);
    }
    // Keys from non_null_first_ on are sorted; the edge is the first one past the bound.
    auto first = range_keys_.begin() + static_cast<std::ptrdiff_t>(non_null_first_);
    auto last = range_keys_.begin() + static_cast<std::ptrdiff_t>(non_null_end_);
    auto past = [&](const value& key) {
      int c = compare(key, b);
      if (descending) c = -c;
      return end ? c > 0 : c >= 0;
    };
    return std::partition_point(first, last, [&](const value& key) { return !past(key); }) -
           range_keys_.begin();
  }
  bool peers(std::size_t a, std::size_t b) const {
    const row& x = keys_[order_[a]];
    const row& y = keys_[order_[b]];
    for (std::size_t i = 0; i < x.size(); ++i) {
      if (compare_key(call_.order_by[i], x[i], y[i]) != 0) return false;
    }
    return true;
  }

  value arg(std::size_t i, std::size_t p) const { return evaluate(call_.args[i], row_at(p)); }

  value value_at(std::size_t p) {
    switch (call_.fn) {
      case window_fn::row_number:
        return value::bigint(static_cast<std::int64_t>(p + 1));
      case window_fn::rank:
        return value::bigint(static_cast<std::int64_t>(peer_start_[p] + 1));
      case window_fn::dense_rank:
        if (p > 0 && peer_start_[p] == p) ++dense_;
        return value::bigint(dense_ + 1);
      case window_fn::percent_rank:
        return value::double_precision(
            n_ > 1 ? static_cast<double>(peer_start_[p]) / static_cast<double>(n_ - 1) : 0.0);
      case window_fn::cume_dist:
        return value::double_precision(static_cast<double>(peer_end_[p]) / static_cast<double>(n_));
      case window_fn::lag:
      case window_fn::lead:
        return offset_value(p);
      case window_fn::first_value:
      case window_fn::last_value:
      case window_fn::nth_value:
        return frame_value(p);
      default:
        return {};
    }
  }

  // lag/lead(value [, offset [, default]]): the row `offset` before/after in the partition.
  value offset_value(std::size_t p) {
    std::int64_t offset = 1;
    if (call_.args.size() > 1) {
      value o = arg(1, p);
      if (o.is_null()) return {};
      offset = o.as_bigint();
    }
    if (call_.fn == window_fn::lag) offset = -offset;
    auto target = static_cast<std::int64_t>(p) + offset;
    if (target >= 0 && target < static_cast<std::int64_t>(n_))
      return arg(0, static_cast<std::size_t>(target));
    return call_.args.size() > 2 ? arg(2, p) : value();
  }

  // GROUPS: the first row (start) or one past the last row (end) of the peer group `offset` groups
  // from row p's.
  std::int64_t group_edge(std::size_t p, std::int64_t offset, bool end) const {
    auto g = static_cast<std::int64_t>(group_[p]) + offset;
    auto groups = static_cast<std::int64_t>(group_start_.size());
    if (g < 0) return 0;
    if (g >= groups) return static_cast<std::int64_t>(n_);
    if (!end) return static_cast<std::int64_t>(group_start_[static_cast<std::size_t>(g)]);
    return g + 1 < groups ? static_cast<std::int64_t>(group_start_[static_cast<std::size_t>(g + 1)])
                          : static_cast<std::int64_t>(n_);
  }

  // The first row (start) or one past the last row (end) of row p's frame at an offset bound.
  std::int64_t offset_edge(std::size_t p, bool preceding, bool end) const {
    const window_frame& f = call_.frame;
    std::int64_t offset = end ? f.end_offset : f.start_offset;
    switch (f.units) {
      case frame_units::rows:
        return static_cast<std::int64_t>(p) + (preceding ? -offset : offset) + (end ? 1 : 0);
      case frame_units::groups:
        return group_edge(p, preceding ? -offset : offset, end);
      case frame_units::range:
        break;
    }
    return range_edge(p, end ? f.end_value : f.start_value, preceding, end);
  }

  // The frame of row p as [first, last] positions; empty when first > last.
  std::pair<std::int64_t, std::int64_t> frame(std::size_t p) const {
    const window_frame& f = call_.frame;
    auto at = static_cast<std::int64_t>(p);
    auto n = static_cast<std::int64_t>(n_);
    bool rows = f.units == frame_units::rows;
    std::int64_t first = 0, last = n - 1;
    switch (f.start) {
      case frame_bound::unbounded_preceding:
        first = 0;
        break;
      case frame_bound::preceding:
        first = offset_edge(p, true, false);
        break;
      case frame_bound::current_row:
        first = rows ? at : static_cast<std::int64_t>(peer_start_[p]);
        break;
      case frame_bound::following:
        first = offset_edge(p, false, false);
        break;
      case frame_bound::unbounded_following:
        first = n;
        break;
    }
    switch (f.end) {
      case frame_bound::unbounded_preceding:
        last = -1;
        break;
      case frame_bound::preceding:
        last = offset_edge(p, true, true) - 1;
        break;
      case frame_bound::current_row:
        last = rows ? at : static_cast<std::int64_t>(peer_end_[p]) - 1;
        break;
      case frame_bound::following:
        last = offset_edge(p, false, true) - 1;
        break;
      case frame_bound::unbounded_following:
        last = n - 1;
        break;
    }
    return {std::max<std::int64_t>(first, 0), std::min(last, n - 1)};
  }

  // Whether the frame of row p leaves out row i (EXCLUDE …).
  bool excluded(std::size_t p, std::int64_t i) const {
    auto row = static_cast<std::size_t>(i);
    bool peer = row >= peer_start_[p] && row < peer_end_[p];
    switch (call_.frame.exclude) {
      case frame_exclusion::current_row:
        return row == p;
      case frame_exclusion::group:
        return peer;
      case frame_exclusion::ties:
        return peer && row != p;
      case frame_exclusion::no_others:
        break;
    }
    return false;
  }

  value frame_value(std::size_t p) {
    auto [first, last] = frame(p);
    std::int64_t nth = 1;
    if (call_.fn == window_fn::nth_value) {
      value n = arg(1, p);
      if (n.is_null()) return {};
      if (n.as_bigint() <= 0) throw eval_error("22016", "argument of nth_value must be greater than zero");
      nth = n.as_bigint();
    }
    // The nth row of the frame that is not excluded, from its start (its end for last_value).
    bool backward = call_.fn == window_fn::last_value;
    for (std::int64_t i = backward ? last : first; backward ? i >= first : i <= last;
         i += backward ? -1 : 1) {
      if (!excluded(p, i) && --nth == 0) return arg(0, static_cast<std::size_t>(i));
    }
    return {};
  }

  // ntile(buckets): the argument is read at the partition's first row, as Postgres does. The first
  // n % buckets buckets hold one row more than the others.
  void ntile() {
    if (n_ == 0) return;
    value b = arg(0, 0);
    if (b.is_null()) {
      for (std::size_t p = 0; p < n_; ++p) set(p, {});
      return;
    }
    std::int64_t buckets = b.as_bigint();
    if (buckets <= 0) throw eval_error("22014", "argument of ntile must be greater than zero");
    auto n = static_cast<std::int64_t>(n_);
    std::int64_t per = n / buckets, extra = n % buckets;
    for (std::int64_t p = 0; p < n; ++p) {
      std::int64_t bucket = per == 0                ? p
                            : p < extra * (per + 1) ? p / (per + 1)
                                                    : extra + (p - extra * (per + 1)) / per;
      set(static_cast<std::size_t>(p), value::bigint(bucket + 1));
    }
  }

  void add_to(accumulator& acc, std::size_t p) const {
    const aggregate_call& a = call_.aggregate;
    if (a.has_filter && !evaluate_predicate(a.filter, row_at(p))) return;
    if (a.args.size() == 2)
      return acc.add_pair(evaluate(a.args[0], row_at(p)), evaluate(a.args[1], row_at(p)));
    acc.add(a.args.empty() ? value() : evaluate(a.args[0], row_at(p)), row_at(p));
  }

  // A frame that starts at the partition's first row only grows as the row advances: one running
  // accumulator. Any other frame is summed afresh for each row.
  void aggregate() {
    bool excludes = call_.frame.exclude != frame_exclusion::no_others;
    if (call_.frame.start == frame_bound::unbounded_preceding && !excludes) {
      accumulator running(call_.aggregate);
      std::int64_t added = -1;
      for (std::size_t p = 0; p < n_; ++p) {
        auto [first, last] = frame(p);
        (void)first;
        for (; added < last; ++added) add_to(running, static_cast<std::size_t>(added + 1));
        set(p, running.result());
      }
      return;
    }
    for (std::size_t p = 0; p < n_; ++p) {
      accumulator acc(call_.aggregate);
      auto [first, last] = frame(p);
      for (std::int64_t i = first; i <= last; ++i) {
        if (!excludes || !excluded(p, i)) add_to(acc, static_cast<std::size_t>(i));
      }
      set(p, acc.result());
    }
  }

  const window_call& call_;
  const std::vector<row>& rows_;
  const std::vector<row>& keys_;
  const std::vector<std::size_t>& order_;
  std::vector<value>& out_;
  std::size_t n_ = 0;
  std::vector<std::size_t> peer_start_, peer_end_;
  std::vector<std::size_t> group_, group_start_;  // GROUPS
  std::vector<value> range_keys_;                 // RANGE with an offset
  std::size_t non_null_first_ = 0, non_null_end_ = 0;
  std::int64_t dense_ = 0;
};

// The call's value for each row; `order` gets the rows' indexes in window order.
std::vector<value> evaluate_call(const window_call& call, const std::vector<row>& rows,
                                 std::vector<std::size_t>& order) {
  std::vector<row> partition_keys(rows.size()), order_keys(rows.size());
  for (std::size_t i = 0; i < rows.size(); ++i) {
    for (const expr& e : call.partition_by) partition_keys[i].push_back(evaluate(e, rows[i]));
    for (const sort_key& k : call.order_by) order_keys[i].push_back(evaluate(k.key, rows[i]));
  }
  order.resize(rows.size());
  std::iota(order.begin(), order.end(), 0);
  std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
    if (int c = compare_rows(partition_keys[a], partition_keys[b]); c != 0) return c < 0;
    for (std::size_t i = 0; i < call.order_by.size(); ++i) {
      if (int c = compare_key(call.order_by[i], order_keys[a][i], order_keys[b][i]); c != 0) return c < 0;
    }
    return compare_rows(rows[a], rows[b]) < 0;  // peers in one order, whatever order the rows came in
  });
  std::vector<value> out(rows.size());
  for (std::size_t begin = 0; begin < order.size();) {
    std::size_t end = begin + 1;
    while (end < order.size() && compare_rows(partition_keys[order[begin]], partition_keys[order[end]]) == 0)
      ++end;
    std::vector<std::size_t> partition(order.begin() + static_cast<std::ptrdiff_t>(begin),
                                       order.begin() + static_cast<std::ptrdiff_t>(end));
    partition_evaluator(call, rows, order_keys, partition, out).run();
    begin = end;
  }
  return out;
}

}  // namespace

void append_window_values(const std::vector<window_call>& calls, std::vector<row>& rows) {
  std::vector<std::vector<value>> values;
  values.reserve(calls.size());
  std::vector<std::size_t> order;
  for (const window_call& call : calls) values.push_back(evaluate_call(call, rows, order));
  for (std::size_t i = 0; i < rows.size(); ++i) {
    for (std::vector<value>& v : values) rows[i].push_back(std::move(v[i]));
  }
  if (calls.empty()) return;
  std::vector<row> sorted;
  sorted.reserve(rows.size());
  for (std::size_t i : order) sorted.push_back(std::move(rows[i]));
  rows.swap(sorted);
}

}  // namespace sluice::sql
