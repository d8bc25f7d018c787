#include "stream/compiler.h"

#include <fmt/format.h>

#include <algorithm>

#include "sql/grouping_sets.h"
#include "stream/aggregate.h"
#include "stream/distinct.h"
#include "stream/expand.h"
#include "stream/filter.h"
#include "stream/grouping_sets.h"
#include "stream/join.h"
#include "stream/over.h"
#include "stream/project.h"
#include "stream/set_operation.h"
#include "stream/values.h"
#include "stream/window_aggregate.h"
#include "stream/window_assign.h"

namespace sluice::stream {
namespace {

using sql::plan;
using sql::plan_kind;

tl::unexpected<sql::sql_error> not_supported(std::string message) {
  return sql::sql_fail(sql::sqlstate::feature_not_supported, std::move(message));
}

// True when `e` reads a column index >= `first`.
bool reads_from(const sql::expr& e, int first) {
  if (e.kind == sql::expr_kind::column && e.column >= first) return true;
  for (const sql::expr& a : e.args) {
    if (reads_from(a, first)) return true;
  }
  return false;
}

bool is_windowed_aggregate(const plan& p) {
  if (p.kind != plan_kind::aggregate || p.inputs[0].kind != plan_kind::window) return false;
  int width = static_cast<int>(p.inputs[0].inputs[0].output.size());
  for (const sql::expr& e : p.group_by) {
    if (e.kind == sql::expr_kind::column && e.column >= width) return true;
  }
  return false;
}

// True when `p` emits each row of a window once, in the same batch as the rest of that window's rows,
// when the watermark passes the window's end: a windowed aggregate, and filters and projections of it.
bool emits_closed_windows(const plan& p) {
  if (p.kind == plan_kind::filter || p.kind == plan_kind::project) return emits_closed_windows(p.inputs[0]);
  return is_windowed_aggregate(p);
}

// The group key of aggregate `p` that is its input's event-time column, when the input emits closed
// windows (Nexmark q5's maximum per window over the per-window counts). Each such group then gets all
// its rows in one batch and never more: it is emitted once, complete, like a window.
std::optional<int> closed_window_key(const plan& p, const sql::catalog_reader& catalog) {
  if (p.kind != plan_kind::aggregate || is_windowed_aggregate(p) || !emits_closed_windows(p.inputs[0]))
    return std::nullopt;
  std::optional<int> time = event_time_column(p.inputs[0], catalog);
  for (std::size_t i = 0; time && i < p.group_by.size(); ++i) {
    const sql::expr& key = p.group_by[i];
    if (key.kind == sql::expr_kind::column && key.column == *time) return static_cast<int>(i);
  }
  return std::nullopt;
}

// True when every row `p` emits after its watermark W has an event time (event_time_column) ≥ W.
// A window's row carries its end, which the watermark has just passed — its start may be older — and
// a join's row may pair an old row with a new one.
bool rows_follow_watermark(const plan& p, const sql::catalog_reader& catalog) {
  switch (p.kind) {
    case plan_kind::scan:
      return true;
    case plan_kind::filter:
    case plan_kind::project:
    case plan_kind::distinct:
    case plan_kind::window:
      return rows_follow_watermark(p.inputs[0], catalog);
    case plan_kind::set_op:
      return p.set_op == sql::set_operation::union_all && rows_follow_watermark(p.inputs[0], catalog) &&
             rows_follow_watermark(p.inputs[1], catalog);
    case plan_kind::aggregate: {
      // Its rows carry their window's time and leave when the window's rows arrive.
      if (closed_window_key(p, catalog)) return rows_follow_watermark(p.inputs[0], catalog);
      std::optional<int> time = event_time_column(p, catalog);
      if (!time) return false;
      const sql::expr& key = p.group_by[static_cast<std::size_t>(*time)];
      return key.column == static_cast<int>(p.inputs[0].inputs[0].output.size()) + 1;  // window_end
    }
    default:
      return false;
  }
}

void flatten_and(const sql::expr& e, std::vector<const sql::expr*>& out) {
  if (e.kind != sql::expr_kind::and_op) return out.push_back(&e);
  for (const sql::expr& a : e.args) flatten_and(a, out);
}

bool is_timestamp(sql::data_type t) {
  return t == sql::data_type::timestamp || t == sql::data_type::timestamptz;
}

// `e` is `column`, or `column ± constant`: monotone in the column and reading nothing else.
bool is_shifted_column(const sql::expr& e, int column) {
  if (e.kind == sql::expr_kind::column) return e.column == column;
  if (e.kind != sql::expr_kind::call || (e.name != "+" && e.name != "-") || e.args.size() != 2) return false;
  const sql::expr& a = e.args[0];
  const sql::expr& b = e.args[1];
  if (b.kind == sql::expr_kind::constant && is_shifted_column(a, column)) return true;
  return e.name == "+" && a.kind == sql::expr_kind::constant && is_shifted_column(b, column);
}

}  // namespace

std::optional<join_expiry> join_expiry_for(const plan& p, int side, const sql::catalog_reader& catalog) {
  int left_width = static_cast<int>(p.inputs[0].output.size());
  const plan& other = p.inputs[static_cast<std::size_t>(1 - side)];
  std::optional<int> other_time = event_time_column(other, catalog);
  if (!other_time || !rows_follow_watermark(other, catalog)) return std::nullopt;
  int time_column = *other_time + (side == 0 ? left_width : 0);
  join_expiry rule;
  rule.side = side;
  rule.time_column = time_column;
  rule.time_type = p.output[static_cast<std::size_t>(time_column)].type;
  // An equality key `own = other's event time` (windows joined on window_end) bounds from below too.
  const auto& own_keys = side == 0 ? p.left_keys : p.right_keys;
  const auto& other_keys = side == 0 ? p.right_keys : p.left_keys;
  for (std::size_t i = 0; i < own_keys.size(); ++i) {
    const sql::expr& mine = own_keys[i];
    const sql::expr& theirs = other_keys[i];
    if (mine.kind != sql::expr_kind::column || !is_timestamp(mine.type) ||
        theirs.kind != sql::expr_kind::column || theirs.column != *other_time || theirs.type != mine.type)
      continue;
    rule.column = mine.column;
    rule.bound = sql::expr::make_column(time_column, theirs.type, theirs.name);
    return rule;
  }
  auto own = [&](const sql::expr& e) {
    bool in_side = side == 0 ? e.column < left_width : e.column >= left_width;
    return e.kind == sql::expr_kind::column && in_side && is_timestamp(e.type);
  };
  std::vector<const sql::expr*> parts;
  flatten_and(p.residual, parts);
  for (const sql::expr* c : parts) {
    if (c->kind != sql::expr_kind::call || c->args.size() != 2) continue;
    bool at_least = c->name == ">=" || c->name == ">";
    if (!at_least && c->name != "<=" && c->name != "<") continue;
    const sql::expr& big = c->args[at_least ? 0 : 1];
    const sql::expr& small = c->args[at_least ? 1 : 0];
    if (!own(big) || !is_timestamp(small.type) || !is_shifted_column(small, time_column)) continue;
    rule.column = big.column - (side == 0 ? 0 : left_width);
    rule.bound = small;
    return rule;
  }
  return std::nullopt;
}

namespace {

void mark_columns(const sql::expr& e, std::vector<bool>& columns) {
  if (e.kind == sql::expr_kind::column && e.column >= 0 &&
      static_cast<std::size_t>(e.column) < columns.size())
    columns[static_cast<std::size_t>(e.column)] = true;
  for (const sql::expr& a : e.args) mark_columns(a, columns);
}

// `read`: which of p's output columns its consumer reads. Walks down to the scans.
void mark_read(const plan& p, std::vector<bool> read, read_columns& scans) {
  auto input_width = [&p](std::size_t i) { return p.inputs[i].output.size(); };
  switch (p.kind) {
    case plan_kind::scan: {
      std::vector<bool>& columns = scans.relations[p.relation];
      columns.resize(read.size());
      for (std::size_t i = 0; i < read.size(); ++i) columns[i] = columns[i] || read[i];
      scans.scans[&p] = std::move(read);
      return;
    }
    case plan_kind::values:
      return;
    case plan_kind::filter:
      mark_columns(p.predicate, read);
      return mark_read(p.inputs[0], std::move(read), scans);
    case plan_kind::project: {
      // Every expression is evaluated (and may fail), read or not: all of their columns count.
      std::vector<bool> in(input_width(0));
      for (const sql::expr& e : p.exprs) mark_columns(e, in);
      return mark_read(p.inputs[0], std::move(in), scans);
    }
    case plan_kind::window: {
      std::vector<bool> in(read.begin(), read.begin() + static_cast<std::ptrdiff_t>(input_width(0)));
      in[static_cast<std::size_t>(p.window.time_column)] = true;
      return mark_read(p.inputs[0], std::move(in), scans);
    }
    case plan_kind::aggregate: {
      std::vector<bool> in(input_width(0));
      for (const sql::expr& e : p.group_by) mark_columns(e, in);
      for (const sql::aggregate_call& a : p.aggregates) {
        for (const sql::expr& e : a.args) mark_columns(e, in);
        if (a.has_filter) mark_columns(a.filter, in);
      }
      return mark_read(p.inputs[0], std::move(in), scans);
    }
    case plan_kind::join: {
      std::size_t left = input_width(0);
      if (read.size() == left + input_width(1)) {
        mark_columns(p.residual, read);
        std::vector<bool> l(read.begin(), read.begin() + static_cast<std::ptrdiff_t>(left));
        std::vector<bool> r(read.begin() + static_cast<std::ptrdiff_t>(left), read.end());
        for (const sql::expr& e : p.left_keys) mark_columns(e, l);
        for (const sql::expr& e : p.right_keys) mark_columns(e, r);
        mark_read(p.inputs[0], std::move(l), scans);
        return mark_read(p.inputs[1], std::move(r), scans);
      }
      break;
    }
    case plan_kind::grouping_sets: {
      std::vector<bool> in(read.begin(), read.begin() + static_cast<std::ptrdiff_t>(input_width(0)));
      for (const sql::expr& e : p.group_by) mark_columns(e, in);
      return mark_read(p.inputs[0], std::move(in), scans);
    }
    case plan_kind::set_op:
      if (p.set_op != sql::set_operation::union_all) break;  // the others compare whole rows
      mark_read(p.inputs[0], read, scans);
      return mark_read(p.inputs[1], std::move(read), scans);
    default:
      break;
  }
  // Whole rows matter (DISTINCT, and anything not known above): every input column is read.
  for (std::size_t i = 0; i < p.inputs.size(); ++i)
    mark_read(p.inputs[i], std::vector<bool>(input_width(i), true), scans);
}

std::string clause_text(const std::vector<sql::expr>& exprs) {
  std::string text;
  for (const sql::expr& e : exprs) text += sql::to_string(e) + ",";
  return text;
}
std::string clause_text(const std::vector<sql::sort_key>& keys) {
  std::string text;
  for (const sql::sort_key& k : keys)
    text += sql::to_string(k.key) + (k.descending ? " d" : " a") + (k.nulls_first ? "f," : "l,");
  return text;
}

// Whether every window call of the over node `p` has the same `clause` (PARTITION BY or ORDER BY).
template <typename Clause>
bool calls_share(const plan& p, Clause sql::window_call::*clause) {
  return std::all_of(p.window_calls.begin(), p.window_calls.end(), [&](const sql::window_call& w) {
    return clause_text(w.*clause) == clause_text(p.window_calls[0].*clause);
  });
}

class compiler {
 public:
  compiler(const sql::catalog_reader& catalog, pipeline* out, const source_options& options,
           read_columns columns_read)
      : catalog_(catalog), out_(out), options_(options), columns_read_(std::move(columns_read)) {}

  // Builds `p`, whose output goes to node `consumer` (-1: the view) on `port`.
  sql::sql_result<void> build(const plan& p, int consumer, int port) {
    label_ = sql::explain_node(p);
    switch (p.kind) {
      case plan_kind::scan:
        return scan(p, consumer, port);
      case plan_kind::values:
        node(std::make_unique<values_operator>(p.rows), consumer, port);
        return {};
      case plan_kind::filter:
        note_top_n(p);
        return unary(p, std::make_unique<filter_operator>(p.predicate, &out_->diag()), consumer, port);
      case plan_kind::project:
        return unary(p, std::make_unique<project_operator>(p.exprs, &out_->diag()), consumer, port);
      case plan_kind::window:
        return window(p, consumer, port);
      case plan_kind::aggregate:
        if (is_windowed_aggregate(p)) return windowed_aggregate(p, consumer, port);
        return unary(p,
                     std::make_unique<aggregate_operator>(p.group_by, p.aggregates, prefix(), &out_->diag(),
                                                          only_inserts(p.inputs[0], catalog_),
                                                          sql::permanent_groups(p)),
                     consumer, port);
      case plan_kind::grouping_sets:
        return unary(p, std::make_unique<grouping_sets_operator>(p.group_by, p.grouping_sets, &out_->diag()),
                     consumer, port);
      case plan_kind::join:
        return join(p, consumer, port);
      case plan_kind::distinct:
        return unary(p, std::make_unique<distinct_operator>(prefix()), consumer, port);
      case plan_kind::set_op:
        return set_operation(p, consumer, port);
      case plan_kind::over:
        return over(p, consumer, port);
      case plan_kind::expand:
        return unary(p, std::make_unique<expand_operator>(p, &out_->diag()), consumer, port);
      case plan_kind::sort:
      case plan_kind::limit:
        return not_supported(
            "ORDER BY and LIMIT are not supported in materialized views (a view has no order)");
      case plan_kind::recursive_union:
      case plan_kind::worktable:
        return not_supported("WITH RECURSIVE is not supported in materialized views");
    }
    return not_supported("unknown plan node");
  }

 private:
  // Operator state prefixes: the view is 0, sources from 0x8000, operators from 1.
  std::string prefix() { return state_prefix(++operators_); }

  int node(std::unique_ptr<stream_operator> op, int consumer, int port) {
    return out_->add_node(std::move(op), consumer, port, label_);
  }

  sql::sql_result<void> unary(const plan& p, std::unique_ptr<stream_operator> op, int consumer, int port) {
    int id = node(std::move(op), consumer, port);
    return build(p.inputs[0], id, 0);
  }

  sql::sql_result<void> scan(const plan& p, int consumer, int port) {
    const sql::relation_info* info = catalog_.find(p.relation);
    if (info == nullptr) {
      return sql::sql_fail(sql::sqlstate::undefined_table,
                           fmt::format("relation \"{}\" does not exist", p.relation));
    }
    if (info->kind != sql::relation_kind::source && info->kind != sql::relation_kind::table) {
      return not_supported(
          fmt::format("a view over \"{}\" (a view or sink) is not supported yet", p.relation));
    }
    int source = out_->find_source(info->name);
    if (source < 0) {
      auto reader = source_reader::make(*info, options_, state_prefix(0x8000 + sources_++), &out_->diag(),
                                        columns_read_.relations[p.relation]);
      if (!reader) return tl::unexpected(reader.error());
      source = out_->add_source(std::move(*reader));
    }
    out_->add_source_target(source, consumer, port, columns_read_.scans[&p]);
    return {};
  }

  sql::sql_result<void> check_window_time(const plan& w) {
    std::optional<int> time = event_time_column(w.inputs[0], catalog_);
    if (!time || *time != w.window.time_column) {
      return not_supported(
          "TUMBLE and HOP need an event-time column with a WATERMARK (declare WATERMARK FOR the column on "
          "the "
          "source)");
    }
    if (w.window.size_micros <= 0 || w.window.slide_micros <= 0) {
      return sql::sql_fail(sql::sqlstate::invalid_parameter_value, "window size and slide must be positive");
    }
    return {};
  }

  sql::sql_result<void> window(const plan& p, int consumer, int port) {
    SLUICE_RETURN_IF_ERROR(check_window_time(p));
    sql::data_type type = p.output[p.output.size() - 1].type;
    return unary(p, std::make_unique<window_assign_operator>(p.window, type, &out_->diag()), consumer, port);
  }

  sql::sql_result<void> windowed_aggregate(const plan& p, int consumer, int port) {
    const plan& w = p.inputs[0];
    SLUICE_RETURN_IF_ERROR(check_window_time(w));
    int width = static_cast<int>(w.inputs[0].output.size());
    std::vector<window_key> keys;
    for (const sql::expr& e : p.group_by) {
      window_key k;
      if (e.kind == sql::expr_kind::column && e.column >= width) {
        k.source = e.column == width ? window_key::kind::window_start : window_key::kind::window_end;
      } else if (reads_from(e, width)) {
        return not_supported("a group key computed from window_start or window_end is not supported");
      } else {
        k.e = e;
      }
      keys.push_back(std::move(k));
    }
    for (const sql::aggregate_call& call : p.aggregates) {
      for (const sql::expr& a : call.args) {
        if (reads_from(a, width)) return not_supported("an aggregate over window_start or window_end");
      }
    }
    sql::data_type type = w.output[w.output.size() - 1].type;
    auto op = std::make_unique<window_aggregate_operator>(w.window, type, std::move(keys), p.aggregates,
                                                          prefix(), &out_->diag(), only_inserts(w, catalog_));
    int id = node(std::move(op), consumer, port);
    return build(w.inputs[0], id, 0);
  }

  sql::sql_result<void> join(const plan& p, int consumer, int port) {
    join_spec spec{p.join,
                   p.left_keys,
                   p.right_keys,
                   p.residual,
                   p.inputs[1].output.size(),
                   {},
                   false,
                   p.inputs[0].output.size()};
    if (p.join == sql::join_type::inner && only_inserts(p.inputs[0], catalog_) &&
        only_inserts(p.inputs[1], catalog_)) {
      spec.inputs_only_insert = true;
      for (int side = 0; side < 2; ++side) spec.expiry[side] = join_expiry_for(p, side, catalog_);
    }
    int id = node(std::make_unique<join_operator>(std::move(spec), prefix(), &out_->diag()), consumer, port);
    SLUICE_RETURN_IF_ERROR(build(p.inputs[0], id, 0));
    return build(p.inputs[1], id, 1);
  }

  // A filter that keeps ranks up to N (`rn <= N`, `rn < N`, `rn = N`) of a ranking window call below it
  // (through projections that pass the column on): the over node may forget rows ranked past N if
  // its input only inserts and all its calls rank, since no later row can lift them back.
  void note_top_n(const plan& filter) {
    std::vector<const sql::expr*> parts;
    flatten_and(filter.predicate, parts);
    for (const sql::expr* c : parts) {
      std::optional<std::pair<int, std::int64_t>> bound = rank_bound(*c);
      if (!bound) continue;
      const plan* at = &filter.inputs[0];
      int column = bound->first;
      while (at->kind == plan_kind::filter ||
             (at->kind == plan_kind::project &&
              at->exprs[static_cast<std::size_t>(column)].kind == sql::expr_kind::column)) {
        if (at->kind == plan_kind::project) column = at->exprs[static_cast<std::size_t>(column)].column;
        at = &at->inputs[0];
      }
      if (at->kind != plan_kind::over || !only_inserts(at->inputs[0], catalog_)) continue;
      int call = column - static_cast<int>(at->inputs[0].output.size());
      bool ranking =
          std::all_of(at->window_calls.begin(), at->window_calls.end(), [](const sql::window_call& w) {
            return w.fn == sql::window_fn::row_number || w.fn == sql::window_fn::rank ||
                   w.fn == sql::window_fn::dense_rank;
          });
      // Forgetting rows ranked past N by one call keeps every other call's values right only if
      // they rank in the same order: a kept row's value then depends on kept rows alone.
      if (call < 0 || !ranking || !calls_share(*at, &sql::window_call::order_by)) continue;
      auto& kept = top_n_[at];
      if (!kept || bound->second < kept->limit) kept = top_n{call, bound->second};
    }
  }

  // `column <= constant` and the like: the column and the highest rank that can pass.
  static std::optional<std::pair<int, std::int64_t>> rank_bound(const sql::expr& c) {
    if (c.kind != sql::expr_kind::call || c.args.size() != 2) return std::nullopt;
    bool column_first = c.args[0].kind == sql::expr_kind::column;
    const sql::expr& column = c.args[column_first ? 0 : 1];
    const sql::expr& limit = c.args[column_first ? 1 : 0];
    if (column.kind != sql::expr_kind::column || limit.kind != sql::expr_kind::constant ||
        limit.constant.type() != sql::data_type::bigint)
      return std::nullopt;
    std::string op = c.name;  // as if the column were on the left
    if (!column_first) op = op == ">=" ? "<=" : op == ">" ? "<" : op == "<=" ? ">=" : op == "<" ? ">" : op;
    std::int64_t n = limit.constant.as_bigint();
    if (op == "<=" || op == "=") return std::pair{column.column, n};
    if (op == "<") return std::pair{column.column, n - 1};
    return std::nullopt;
  }

  sql::sql_result<void> over(const plan& p, int consumer, int port) {
    if (!calls_share(p, &sql::window_call::partition_by))
      return not_supported("window functions with different PARTITION BY in one view are not supported");
    std::optional<top_n> keep;
    if (auto it = top_n_.find(&p); it != top_n_.end()) keep = it->second;
    return unary(p, std::make_unique<over_operator>(p.window_calls, prefix(), &out_->diag(), keep), consumer,
                 port);
  }

  sql::sql_result<void> set_operation(const plan& p, int consumer, int port) {
    std::unique_ptr<stream_operator> op;
    if (p.set_op == sql::set_operation::union_all) {
      op = std::make_unique<union_all_operator>();
    } else {
      op = std::make_unique<set_operator>(p.set_op, prefix());
    }
    int id = node(std::move(op), consumer, port);
    SLUICE_RETURN_IF_ERROR(build(p.inputs[0], id, 0));
    return build(p.inputs[1], id, 1);
  }

  const sql::catalog_reader& catalog_;
  pipeline* out_;
  source_options options_;
  read_columns columns_read_;
  int operators_ = 0;
  int sources_ = 0;
  std::string label_;                                  // the plan node being built, for the operator's stats
  std::map<const plan*, std::optional<top_n>> top_n_;  // over nodes whose consumer keeps ranks up to N
};

}  // namespace

std::optional<int> event_time_column(const plan& p, const sql::catalog_reader& catalog) {
  switch (p.kind) {
    case plan_kind::scan: {
      const sql::relation_info* info = catalog.find(p.relation);
      if (info == nullptr || !info->watermark) return std::nullopt;
      return info->watermark->column;
    }
    case plan_kind::filter:
    case plan_kind::distinct:
    case plan_kind::window:
      return event_time_column(p.inputs[0], catalog);
    case plan_kind::project: {
      std::optional<int> in = event_time_column(p.inputs[0], catalog);
      for (std::size_t i = 0; in && i < p.exprs.size(); ++i) {
        if (p.exprs[i].kind == sql::expr_kind::column && p.exprs[i].column == *in) return static_cast<int>(i);
      }
      return std::nullopt;
    }
    case plan_kind::aggregate: {
      if (auto key = closed_window_key(p, catalog)) return key;
      if (!is_windowed_aggregate(p)) return std::nullopt;
      // Emitted rows carry their window's end (or start): later windows come after the watermark.
      int width = static_cast<int>(p.inputs[0].inputs[0].output.size());
      std::optional<int> found;
      for (std::size_t i = 0; i < p.group_by.size(); ++i) {
        const sql::expr& e = p.group_by[i];
        if (e.kind != sql::expr_kind::column || e.column < width) continue;
        if (e.column == width + 1 || !found) found = static_cast<int>(i);
      }
      return found;
    }
    case plan_kind::set_op: {
      // A row of either side is a row of the output: the column must be the event time of both.
      if (p.set_op != sql::set_operation::union_all) return std::nullopt;
      auto left = event_time_column(p.inputs[0], catalog);
      return left && left == event_time_column(p.inputs[1], catalog) ? left : std::nullopt;
    }
    case plan_kind::join: {
      if (auto left = event_time_column(p.inputs[0], catalog)) return left;
      auto right = event_time_column(p.inputs[1], catalog);
      if (right) return static_cast<int>(p.inputs[0].output.size()) + *right;
      return std::nullopt;
    }
    default:
      return std::nullopt;
  }
}

bool only_inserts(const plan& p, const sql::catalog_reader& catalog) {
  switch (p.kind) {
    case plan_kind::scan: {
      const sql::relation_info* info = catalog.find(p.relation);
      return info != nullptr && info->kind == sql::relation_kind::source;
    }
    case plan_kind::values:
      return true;
    case plan_kind::filter:
    case plan_kind::project:
    case plan_kind::window:
    case plan_kind::distinct:
      return only_inserts(p.inputs[0], catalog);
    case plan_kind::aggregate:
      // A window's row is emitted once, when the watermark passes its end, and never taken back.
      return is_windowed_aggregate(p) || closed_window_key(p, catalog).has_value();
    case plan_kind::join:
      return p.join == sql::join_type::inner && only_inserts(p.inputs[0], catalog) &&
             only_inserts(p.inputs[1], catalog);
    case plan_kind::set_op:
      return p.set_op == sql::set_operation::union_all && only_inserts(p.inputs[0], catalog) &&
             only_inserts(p.inputs[1], catalog);
    default:
      return false;
  }
}

std::vector<int> view_key_columns(const plan& p, const sql::catalog_reader& catalog) {
  std::vector<int> out;
  if (p.kind == plan_kind::aggregate) {
    for (std::size_t i = 0; i < p.group_by.size(); ++i) out.push_back(static_cast<int>(i));
  } else if (p.kind == plan_kind::scan) {
    if (const sql::relation_info* info = catalog.find(p.relation)) out = info->primary_key;
  } else if (p.kind == plan_kind::filter) {
    out = view_key_columns(p.inputs[0], catalog);
  } else if (p.kind == plan_kind::project) {
    // The input's key survives a projection that passes every key column through unchanged.
    for (int key : view_key_columns(p.inputs[0], catalog)) {
      auto it = std::find_if(p.exprs.begin(), p.exprs.end(), [key](const sql::expr& e) {
        return e.kind == sql::expr_kind::column && e.column == key;
      });
      if (it == p.exprs.end()) return {};
      out.push_back(static_cast<int>(it - p.exprs.begin()));
    }
  }
  return out;
}

read_columns columns_read(const sql::plan& plan) {
  read_columns scans;
  mark_read(plan, std::vector<bool>(plan.output.size(), true), scans);
  return scans;
}

sql::sql_result<std::unique_ptr<pipeline>> compile(const sql::plan& plan, const sql::catalog_reader& catalog,
                                                   state_store* store, const source_options& options,
                                                   bool resume) {
  auto out = std::make_unique<pipeline>(store, plan.output, only_inserts(plan, catalog));
  compiler c(catalog, out.get(), options, columns_read(plan));
  SLUICE_RETURN_IF_ERROR(c.build(plan, -1, 0));
  if (auto started = resume ? out->restore() : out->start(); !started) {
    return sql::sql_fail(sql::sqlstate::internal_error, started.error().describe());
  }
  return out;
}

}  // namespace sluice::stream
