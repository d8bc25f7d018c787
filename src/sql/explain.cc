// sql/explain.cc — EXPLAIN's text: one operator per line, inputs indented below it.
#include <fmt/format.h>

#include "sql/plan.h"
#include "sql/set_functions.h"
#include "sql/subquery.h"

namespace sluice::sql {
namespace {

void add_subqueries(const expr& e, std::vector<const subquery*>& out) {
  if (e.kind == expr_kind::subquery) out.push_back(e.query.get());
  for (const expr& a : e.args) add_subqueries(a, out);
}

// The subqueries in one node's expressions (not its inputs'), outermost first.
std::vector<const subquery*> subqueries_of(const plan& p) {
  std::vector<const subquery*> out;
  auto add = [&](const std::vector<expr>& list) {
    for (const expr& e : list) add_subqueries(e, out);
  };
  add_subqueries(p.predicate, out);
  add(p.exprs);
  add(p.group_by);
  for (const aggregate_call& call : p.aggregates) {
    add(call.args);
    add_subqueries(call.filter, out);
  }
  add(p.left_keys);
  add(p.right_keys);
  add_subqueries(p.residual, out);
  for (const sort_key& k : p.order) add_subqueries(k.key, out);
  return out;
}

std::string list(const std::vector<expr>& exprs) {
  std::string out;
  for (std::size_t i = 0; i < exprs.size(); ++i) out += (i ? ", " : "") + to_string(exprs[i]);
  return out;
}

// "unnest(a), jsonb_each(j)": each call of an expand node with its arguments.
std::string set_calls_text(const plan& p) {
  std::string out;
  auto arg = p.exprs.begin();
  for (const set_function_call& call : p.set_calls) {
    std::vector<expr> args(arg, arg + call.args);
    arg += call.args;
    if (call.fn == set_function::ordinality) {
      out += " WITH ORDINALITY";
      continue;
    }
    out += fmt::format("{}{}({})", out.empty() ? "" : ", ", set_function_name(call.fn), list(args));
  }
  return out;
}

std::string sort_keys(const std::vector<sort_key>& order);

std::string aggregate_text(const aggregate_call& c) {
  std::string args = c.fn == aggregate_fn::count_star ? "*" : list(c.args);
  if (c.fn == aggregate_fn::string_agg) args += ", '" + c.separator + "'";
  if (c.ordered) args += " ORDER BY " + to_string(c.args[0]) + (c.descending ? " DESC" : "");
  if (!c.order_by.empty()) args += " ORDER BY " + sort_keys(c.order_by);
  std::string out = fmt::format("{}({}{})", c.name, c.distinct ? "DISTINCT " : "", args);
  if (c.has_filter) out += " FILTER (WHERE " + to_string(c.filter) + ")";
  return out;
}

const char* join_name(join_type t) {
  switch (t) {
    case join_type::inner:
      return "Inner";
    case join_type::left:
      return "Left";
    case join_type::right:
      return "Right";
    case join_type::full:
      return "Full";
  }
  return "?";
}

std::string window_text(const plan& p) {
  auto seconds = [](std::int64_t micros) { return fmt::format("{}s", static_cast<double>(micros) / 1e6); };
  const window_spec& w = p.window;
  std::string time = p.inputs[0].output[static_cast<std::size_t>(w.time_column)].name;
  if (w.kind == window_kind::tumble) return fmt::format("Tumble: {} size {}", time, seconds(w.size_micros));
  return fmt::format("Hop: {} slide {} size {}", time, seconds(w.slide_micros), seconds(w.size_micros));
}

std::string sort_keys(const std::vector<sort_key>& order) {
  std::string keys;
  for (std::size_t i = 0; i < order.size(); ++i) {
    const sort_key& k = order[i];
    keys += fmt::format("{}{} {} NULLS {}", i ? ", " : "", to_string(k.key), k.descending ? "DESC" : "ASC",
                        k.nulls_first ? "FIRST" : "LAST");
  }
  return keys;
}

// `offset`: the count of rows or groups; `value`, RANGE's bound (its offset is args[1]).
std::string bound_text(frame_bound b, std::int64_t offset, const expr& value) {
  std::string amount = value.args.size() == 2 ? to_string(value.args[1]) : std::to_string(offset);
  switch (b) {
    case frame_bound::unbounded_preceding:
      return "UNBOUNDED PRECEDING";
    case frame_bound::preceding:
      return amount + " PRECEDING";
    case frame_bound::current_row:
      return "CURRENT ROW";
    case frame_bound::following:
      return amount + " FOLLOWING";
    case frame_bound::unbounded_following:
      return "UNBOUNDED FOLLOWING";
  }
  return "?";
}

// "rank() OVER (PARTITION BY #0 ORDER BY #2 DESC NULLS FIRST ROWS BETWEEN 2 PRECEDING AND CURRENT ROW)"
std::string window_call_text(const window_call& c) {
  std::string out =
      c.fn == window_fn::aggregate ? aggregate_text(c.aggregate) : c.name + "(" + list(c.args) + ")";
  std::string spec;
  if (!c.partition_by.empty()) spec += "PARTITION BY " + list(c.partition_by);
  if (!c.order_by.empty())
    spec += (spec.empty() ? "" : " ") + std::string("ORDER BY ") + sort_keys(c.order_by);
  const window_frame& f = c.frame;
  if (f.units != frame_units::range || f.start != frame_bound::unbounded_preceding ||
      f.end != frame_bound::current_row) {
    const char* units = f.units == frame_units::rows     ? "ROWS"
                        : f.units == frame_units::groups ? "GROUPS"
                                                         : "RANGE";
    spec += fmt::format("{}{} BETWEEN {} AND {}", spec.empty() ? "" : " ", units,
                        bound_text(f.start, f.start_offset, f.start_value),
                        bound_text(f.end, f.end_offset, f.end_value));
  }
  return out + " OVER (" + spec + ")";
}

// "GROUPING SETS ((#0, #1), (#0), ())"
std::string grouping_sets_text(const plan& p) {
  std::string out = "GROUPING SETS (";
  for (std::size_t i = 0; i < p.grouping_sets.size(); ++i) {
    std::vector<expr> keys;
    for (int k : p.grouping_sets[i]) keys.push_back(p.group_by[static_cast<std::size_t>(k)]);
    out += (i ? ", (" : "(") + list(keys) + ")";
  }
  return out + ")";
}

std::string line(const plan& p) {
  switch (p.kind) {
    case plan_kind::scan:
      return fmt::format("Scan {}: {}", relation_kind_name(p.scanned), p.relation);
    case plan_kind::values:
      return fmt::format("Values: {} row{}", p.rows.size(), p.rows.size() == 1 ? "" : "s");
    case plan_kind::filter:
      return "Filter: " + to_string(p.predicate);
    case plan_kind::project:
      return "Project: " + list(p.exprs);
    case plan_kind::window:
      return window_text(p);
    case plan_kind::aggregate: {
      std::string calls;
      for (std::size_t i = 0; i < p.aggregates.size(); ++i)
        calls += (i ? ", " : "") + aggregate_text(p.aggregates[i]);
      return fmt::format("Aggregate: group by [{}] compute [{}]", list(p.group_by), calls);
    }
    case plan_kind::join: {
      std::string keys;
      for (std::size_t i = 0; i < p.left_keys.size(); ++i) {
        keys +=
            fmt::format("{}{} = {}", i ? ", " : "", to_string(p.left_keys[i]), to_string(p.right_keys[i]));
      }
      return fmt::format("{} Join: keys [{}] residual {}", join_name(p.join), keys, to_string(p.residual));
    }
    case plan_kind::distinct:
      return "Distinct";
    case plan_kind::set_op:
      switch (p.set_op) {
        case set_operation::union_all:
          return "Union All";
        case set_operation::intersect:
          return "Intersect";
        case set_operation::intersect_all:
          return "Intersect All";
        case set_operation::except:
          return "Except";
        case set_operation::except_all:
          return "Except All";
      }
      return "Set Operation";
    case plan_kind::sort:
      return "Sort: " + sort_keys(p.order);
    case plan_kind::over: {
      std::string calls;
      for (std::size_t i = 0; i < p.window_calls.size(); ++i)
        calls += (i ? ", " : "") + window_call_text(p.window_calls[i]);
      return "WindowAgg: " + calls;
    }
    case plan_kind::grouping_sets:
      return "Expand: " + grouping_sets_text(p);
    case plan_kind::limit:
      return fmt::format("Limit: {} offset {}", p.limit < 0 ? std::string("ALL") : std::to_string(p.limit),
                         p.offset);
    case plan_kind::expand:
      if (p.set_calls[0].fn == set_function::subquery) {
        return fmt::format("Nested Loop{}: {} on {}", p.join == join_type::left ? " Left Join" : "",
                           to_string(p.exprs[0]), to_string(p.predicate));
      }
      return "ProjectSet: " + set_calls_text(p);
    case plan_kind::recursive_union:
      return p.recursive_distinct ? "Recursive Union" : "Recursive Union All";
    case plan_kind::worktable:
      return "WorkTable Scan";
  }
  return "?";
}

void print(const plan& p, int depth, std::string& out) {
  out += std::string(static_cast<std::size_t>(depth) * 2, ' ') + line(p) + "\n";
  for (const subquery* q : subqueries_of(p)) {
    out += std::string(static_cast<std::size_t>(depth + 1) * 2, ' ') + "SubPlan\n";
    print(q->query, depth + 2, out);
  }
  for (const plan& input : p.inputs) print(input, depth + 1, out);
}

}  // namespace

std::string explain_node(const plan& p) { return line(p); }

std::string explain(const plan& p) {
  std::string out;
  print(p, 0, out);
  return out;
}

static void collect_scans(const plan& p, std::vector<std::string>& out) {
  if (p.kind == plan_kind::scan) out.push_back(p.relation);
  for (const subquery* q : subqueries_of(p)) collect_scans(q->query, out);
  for (const plan& input : p.inputs) collect_scans(input, out);
}

std::vector<std::string> scanned_relations(const plan& p) {
  std::vector<std::string> out;
  collect_scans(p, out);
  return out;
}

}  // namespace sluice::sql
