// sql/bind_window.cc — window function calls: f(…) OVER (PARTITION BY … ORDER BY … frame), OVER w and
// the WINDOW clause, with Postgres's rules for which window may refine which.
#include <fmt/format.h>

#include <algorithm>

#include "sql/bind_internal.h"
#include "sql/pg_tree.h"

namespace sluice::sql {
namespace {

// Postgres's FRAMEOPTION_* bits (parsenodes.h), as libpg-query reports them in frameOptions.
enum frame_option : std::int64_t {
  frame_nondefault = 0x1,
  frame_rows = 0x4,
  frame_groups = 0x8,
  frame_between = 0x10,
  frame_start_unbounded_preceding = 0x20,
  frame_start_current_row = 0x200,
  frame_end_unbounded_following = 0x100,
  frame_end_current_row = 0x400,
  frame_start_offset_preceding = 0x800,
  frame_end_offset_preceding = 0x1000,
  frame_start_offset_following = 0x2000,
  frame_end_offset_following = 0x4000,
  frame_exclude_current_row = 0x8000,
  frame_exclude_group = 0x10000,
  frame_exclude_ties = 0x20000,
};

struct window_function_name {
  const char* name;
  window_fn fn;
};
constexpr window_function_name window_function_names[] = {
    {"row_number", window_fn::row_number},
    {"rank", window_fn::rank},
    {"dense_rank", window_fn::dense_rank},
    {"percent_rank", window_fn::percent_rank},
    {"cume_dist", window_fn::cume_dist},
    {"ntile", window_fn::ntile},
    {"lag", window_fn::lag},
    {"lead", window_fn::lead},
    {"first_value", window_fn::first_value},
    {"last_value", window_fn::last_value},
    {"nth_value", window_fn::nth_value},
};

pg_node window_def_body(pg_node n) { return pg::is(n, "WindowDef") ? pg::node_body(n) : n; }

// A window definition after following `OVER w` and `OVER (w …)` to the WINDOW clause.
struct window_definition {
  std::vector<pg_node> partition;
  std::vector<pg_node> order;
  std::int64_t options = 0;
  std::optional<pg_node> start_offset, end_offset;
  int location = -1;
};

pg_node named_window(const window_context& windows, const std::string& name, int at) {
  for (pg_node w : windows.named) {
    pg_node body = window_def_body(w);
    if (pg::string(body, "name") == name) return body;
  }
  bind_fail("42704", fmt::format("window \"{}\" does not exist", name), at);
}

window_definition own_parts(pg_node body) {
  window_definition d;
  d.partition = pg::list(body, "partitionClause");
  d.order = pg::list(body, "orderClause");
  d.options = pg::integer(body, "frameOptions");
  d.start_offset = pg::field(body, "startOffset");
  d.end_offset = pg::field(body, "endOffset");
  d.location = static_cast<int>(pg::integer(body, "location", -1));
  return d;
}

// `def` is the body of a WindowDef. In the WINDOW clause `name` is the window's own name; after OVER
// a name without parentheses (OVER w) names a window of the WINDOW clause.
window_definition resolve(const window_context& windows, pg_node def, bool in_over, int depth) {
  if (depth > 64) bind_fail("42P20", "window definitions refer to each other in a cycle", -1);
  int at = static_cast<int>(pg::integer(def, "location", -1));
  std::string_view name = pg::string(def, "name");
  if (in_over && !name.empty())
    return resolve(windows, named_window(windows, std::string(name), at), false, depth + 1);
  window_definition own = own_parts(def);
  std::string_view refname = pg::string(def, "refname");
  if (refname.empty()) return own;
  std::string base_name(refname);
  window_definition base = resolve(windows, named_window(windows, base_name, at), false, depth + 1);
  if (!own.partition.empty())
    bind_fail("42P20", fmt::format("cannot override PARTITION BY clause of window \"{}\"", base_name), at);
  if (!own.order.empty() && !base.order.empty())
    bind_fail("42P20", fmt::format("cannot override ORDER BY clause of window \"{}\"", base_name), at);
  if (base.options & frame_nondefault)
    bind_fail("42P20", fmt::format("cannot copy window \"{}\" because it has a frame clause", base_name), at);
  base.order = own.order.empty() ? base.order : own.order;
  base.options = own.options;
  base.start_offset = own.start_offset;
  base.end_offset = own.end_offset;
  return base;
}

}  // namespace

std::int64_t binder::frame_offset(std::optional<pg_node> node, const char* which) {
  int at = node ? pg::location(*node) : -1;
  std::optional<std::int64_t> n = node ? integer_constant(*node) : std::nullopt;
  if (!n) {
    bind_fail(sqlstate::feature_not_supported,
              fmt::format("frame {} offset must be an integer constant", which), at);
  }
  if (*n < 0) bind_fail("22013", fmt::format("frame {} offset must not be negative", which), at);
  return *n;
}

namespace {

// RANGE's offset types, as Postgres's in_range functions take them: a number of the key's own type
// (or one that converts to it without loss), an interval for dates, timestamps and intervals.
data_type range_offset_type(data_type key, data_type offset) {
  switch (key) {
    case data_type::bigint:
      return offset == data_type::bigint || offset == data_type::unknown ? key : data_type::unknown;
    case data_type::numeric:
      return offset == data_type::double_precision ? data_type::unknown : key;
    case data_type::double_precision:
      return key;
    case data_type::date:
    case data_type::timestamp:
    case data_type::timestamptz:
    case data_type::interval:
      return offset == data_type::interval || offset == data_type::unknown ? data_type::interval
                                                                           : data_type::unknown;
    default:
      return data_type::unknown;
  }
}

}  // namespace

expr binder::range_bound(pg_node offset_node, const sort_key& key, bool preceding, const char* which,
                         window_frame& f) {
  int at = pg::location(offset_node);
  scope none;
  expr offset = bind_expr(offset_node, none, nullptr, "window frame");
  data_type key_type = key.key.type;
  data_type offset_type = range_offset_type(key_type, offset.type);
  if (range_offset_type(key_type, data_type::unknown) == data_type::unknown) {
    bind_fail(sqlstate::feature_not_supported,
              fmt::format("RANGE with offset PRECEDING/FOLLOWING is not supported for column type {}",
                          type_name(key_type)),
              at);
  }
  if (offset_type == data_type::unknown) {
    sql_error e{sqlstate::feature_not_supported,
                fmt::format("RANGE with offset PRECEDING/FOLLOWING is not supported for column type {} and "
                            "offset type {}",
                            type_name(key_type), type_name(offset.type)),
                at,
                {},
                "Cast the offset value to an appropriate type."};
    throw bind_failure{std::move(e)};
  }
  offset = coerce(std::move(offset), offset_type, at);
  value v = evaluate(offset, {});
  if (v.is_null()) bind_fail("22004", fmt::format("frame {} offset must not be null", which), at);
  if (offset_type == data_type::interval ? v.as_interval().approximate_micros() < 0
                                         : compare(v, value::bigint(0)) < 0)
    bind_fail("22013", "invalid preceding or following size in window function", at);
  // A date compares as a timestamp, as date ± interval gives one.
  expr key_column = expr::make_column(0, key_type, "");
  f.range_key = key_type == data_type::date ? coerce(key_column, data_type::timestamp, at) : key_column;
  bool subtract = preceding != key.descending;
  return call_operator(subtract ? "-" : "+",
                       {expr::make_column(0, f.range_key.type, ""), expr::make_constant(v, offset_type)}, at);
}

window_frame binder::bind_frame(std::int64_t options, std::optional<pg_node> start,
                                std::optional<pg_node> end, const std::vector<sort_key>& order_by, int at) {
  window_frame f;
  if (!(options & frame_nondefault)) return f;
  f.exclude = (options & frame_exclude_current_row) ? frame_exclusion::current_row
              : (options & frame_exclude_group)     ? frame_exclusion::group
              : (options & frame_exclude_ties)      ? frame_exclusion::ties
                                                    : frame_exclusion::no_others;
  f.units = (options & frame_rows)     ? frame_units::rows
            : (options & frame_groups) ? frame_units::groups
                                       : frame_units::range;
  if (f.units == frame_units::groups && order_by.empty())
    bind_fail("42P20", "GROUPS mode requires an ORDER BY clause", at);
  bool offsets = options & (frame_start_offset_preceding | frame_start_offset_following |
                            frame_end_offset_preceding | frame_end_offset_following);
  if (f.units == frame_units::range && offsets && order_by.size() != 1)
    bind_fail("42P20", "RANGE with offset PRECEDING/FOLLOWING requires exactly one ORDER BY column", at);
  // An offset: a count of rows or groups, or for RANGE the bound's value computed from the key.
  auto offset = [&](std::optional<pg_node> node, bool preceding, const char* which, std::int64_t& count,
                    expr& bound) {
    if (f.units != frame_units::range) {
      count = frame_offset(node, which);
      return;
    }
    if (!node) bind_fail("42P20", fmt::format("frame {} offset is missing", which), at);
    bound = range_bound(*node, order_by[0], preceding, which, f);
  };
  if (options & frame_start_unbounded_preceding) {
    f.start = frame_bound::unbounded_preceding;
  } else if (options & frame_start_current_row) {
    f.start = frame_bound::current_row;
  } else if (options & frame_start_offset_preceding) {
    f.start = frame_bound::preceding;
    offset(start, true, "starting", f.start_offset, f.start_value);
  } else if (options & frame_start_offset_following) {
    f.start = frame_bound::following;
    offset(start, false, "starting", f.start_offset, f.start_value);
  }
  f.end = frame_bound::current_row;
  if (!(options & frame_between)) return f;
  if (options & frame_end_unbounded_following) {
    f.end = frame_bound::unbounded_following;
  } else if (options & frame_end_current_row) {
    f.end = frame_bound::current_row;
  } else if (options & frame_end_offset_preceding) {
    f.end = frame_bound::preceding;
    offset(end, true, "ending", f.end_offset, f.end_value);
  } else if (options & frame_end_offset_following) {
    f.end = frame_bound::following;
    offset(end, false, "ending", f.end_offset, f.end_value);
  }
  return f;
}

// The function itself: its kind, arguments (checked and coerced) and result type.
void binder::bind_window_function(pg_node body, const scope& s, agg_context* agg, const char* clause,
                                  window_call& call) {
  std::string name = pg::names(body, "funcname").back();
  int at = static_cast<int>(pg::integer(body, "location", -1));
  call.name = name;
  if (is_aggregate_name(name)) {
    if (name == "percentile_cont" || name == "percentile_disc" || name == "mode") {
      bind_fail(sqlstate::feature_not_supported,
                fmt::format("OVER is not supported for ordered-set aggregate {}", name), at);
    }
    if (name == "jsonb_agg" || name == "json_agg" || is_object_agg(name))
      bind_fail(sqlstate::feature_not_supported, fmt::format("OVER is not supported for {}", name), at);
    if (pg::flag(body, "agg_distinct"))
      bind_fail(sqlstate::feature_not_supported, "DISTINCT is not implemented for window functions", at);
    if (!pg::list(body, "agg_order").empty())
      bind_fail(sqlstate::feature_not_supported,
                "ORDER BY in a window aggregate's arguments is not supported", at);
    call.fn = window_fn::aggregate;
    call.aggregate = aggregate_call_of(body, s, agg, clause);
    call.type = call.aggregate.type;
    return;
  }
  const window_function_name* known = nullptr;
  for (const window_function_name& w : window_function_names) {
    if (name == w.name) known = &w;
  }
  if (known == nullptr) {
    bind_fail(sqlstate::wrong_object_type,
              fmt::format("OVER specified, but {} is not a window function nor an aggregate function", name),
              at);
  }
  if (pg::flag(body, "agg_star") || pg::flag(body, "agg_distinct") || pg::field(body, "agg_filter")) {
    bind_fail(sqlstate::wrong_object_type,
              fmt::format("DISTINCT, FILTER or * specified, but {} is not an aggregate function", name), at);
  }
  call.fn = known->fn;
  for (pg_node a : pg::list(body, "args")) call.args.push_back(bind_expr(a, s, agg, clause));
  auto arity = [&](std::size_t low, std::size_t high) {
    if (call.args.size() < low || call.args.size() > high) {
      std::string types;
      for (const expr& e : call.args) types += (types.empty() ? "" : ", ") + std::string(type_name(e.type));
      bind_fail(sqlstate::undefined_function, fmt::format("function {}({}) does not exist", name, types), at);
    }
  };
  auto integer_arg = [&](std::size_t i) {
    if (call.args[i].type == data_type::unknown)
      call.args[i] = coerce(std::move(call.args[i]), data_type::bigint, at);
    if (call.args[i].type != data_type::bigint) {
      bind_fail(sqlstate::undefined_function,
                fmt::format("function {} does not accept {} as argument {}", name,
                            type_name(call.args[i].type), i + 1),
                at);
    }
  };
  switch (call.fn) {
    case window_fn::row_number:
    case window_fn::rank:
    case window_fn::dense_rank:
      arity(0, 0);
      call.type = data_type::bigint;
      return;
    case window_fn::percent_rank:
    case window_fn::cume_dist:
      arity(0, 0);
      call.type = data_type::double_precision;
      return;
    case window_fn::ntile:
      arity(1, 1);
      integer_arg(0);
      call.type = data_type::bigint;
      return;
    case window_fn::lag:
    case window_fn::lead:
      arity(1, 3);
      if (call.args.size() > 1) integer_arg(1);
      if (call.args.size() > 2) {
        std::vector<expr*> both{&call.args[0], &call.args[2]};
        unify(both, name.c_str(), at);
      }
      break;
    case window_fn::nth_value:
      arity(2, 2);
      integer_arg(1);
      break;
    default:
      arity(1, 1);
      break;
  }
  if (call.args[0].type == data_type::unknown)
    call.args[0] = coerce(std::move(call.args[0]), data_type::text, at);
  call.type = call.args[0].type;
}

expr binder::bind_window_call(pg_node body, const scope& s, agg_context* agg, const char* clause) {
  int at = static_cast<int>(pg::integer(body, "location", -1));
  if (windows_ == nullptr)
    bind_fail("42P20", fmt::format("window functions are not allowed in {}", clause), at);
  if (in_window_) bind_fail("42P20", "window function calls cannot be nested", at);
  if (in_aggregate_)
    bind_fail(sqlstate::grouping_error, "aggregate function calls cannot contain window function calls", at);
  in_window_ = true;
  window_call call;
  bind_window_function(body, s, agg, clause, call);
  window_definition def = resolve(*windows_, window_def_body(*pg::field(body, "over")), true, 0);
  for (pg_node p : def.partition) call.partition_by.push_back(bind_expr(p, s, agg, "window PARTITION BY"));
  for (pg_node item : def.order) {
    pg_node sort = pg::node_body(item);
    sort_key key;
    key.key = bind_expr(*pg::field(sort, "node"), s, agg, "window ORDER BY");
    key.descending = pg::string(sort, "sortby_dir") == "SORTBY_DESC";
    std::string_view nulls = pg::string(sort, "sortby_nulls");
    key.nulls_first = nulls == "SORTBY_NULLS_FIRST" || (nulls != "SORTBY_NULLS_LAST" && key.descending);
    call.order_by.push_back(std::move(key));
  }
  call.frame = bind_frame(def.options, def.start_offset, def.end_offset, call.order_by,
                          def.location >= 0 ? def.location : at);
  in_window_ = false;
  windows_->calls.push_back(std::move(call));
  const window_call& added = windows_->calls.back();
  expr out = expr::make_column(window_placeholder + static_cast<int>(windows_->calls.size() - 1), added.type,
                               added.name);
  out.location = at;
  return out;
}

bool reads_window_column(const expr& e) {
  if (e.kind == expr_kind::column && e.column >= window_placeholder && e.column < srf_placeholder)
    return true;
  return std::any_of(e.args.begin(), e.args.end(), [](const expr& a) { return reads_window_column(a); });
}

void resolve_window_columns(expr& e, int base_width) {
  if (e.kind == expr_kind::column && e.column >= window_placeholder && e.column < srf_placeholder)
    e.column = e.column - window_placeholder + base_width;
  for (expr& a : e.args) resolve_window_columns(a, base_width);
}

}  // namespace sluice::sql
