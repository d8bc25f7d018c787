#include "sql/set_functions.h"

#include <fmt/format.h>

#include <algorithm>

#include "sql/error.h"
#include "sql/functions.h"
#include "sql/numeric.h"
#include "sql/subquery.h"

namespace sluice::sql {
namespace {

struct named_set_function {
  const char* name;
  set_function fn;
};
constexpr named_set_function set_function_names[] = {
    {"unnest", set_function::unnest},
    {"generate_series", set_function::generate_series},
    {"jsonb_array_elements", set_function::jsonb_array_elements},
    {"jsonb_array_elements_text", set_function::jsonb_array_elements_text},
    {"jsonb_object_keys", set_function::jsonb_object_keys},
    {"jsonb_each", set_function::jsonb_each},
    {"jsonb_each_text", set_function::jsonb_each_text},
    {"json_array_elements", set_function::jsonb_array_elements},
    {"json_array_elements_text", set_function::jsonb_array_elements_text},
    {"json_object_keys", set_function::jsonb_object_keys},
    {"json_each", set_function::jsonb_each},
    {"json_each_text", set_function::jsonb_each_text},
    {"regexp_matches", set_function::regexp_matches},
    {"regexp_split_to_table", set_function::regexp_split_to_table},
};

void unnest(const value& array, std::vector<row>& out) {
  if (array.is_null()) return;
  for (const value& element : array.as_array()) out.push_back(row{element});
}

value next_value(const value& current, const value& step) {
  if (current.type() == data_type::bigint)
    return value::bigint(checked_add(current.as_bigint(), step.as_bigint()));
  if (current.type() == data_type::numeric)
    return value::numeric_of(numeric_add(current.as_numeric(), step.to_numeric()));
  std::int64_t micros = add_interval(current.as_micros(), step.as_interval());
  return current.type() == data_type::timestamp ? value::timestamp(micros) : value::timestamptz(micros);
}

void generate_series(const value* args, int count, std::vector<row>& out) {
  const value& start = args[0];
  const value& stop = args[1];
  value step = count > 2 ? args[2] : value::bigint(1);
  if (start.is_null() || stop.is_null() || step.is_null()) return;
  bool ascending = true;
  if (step.type() == data_type::bigint || step.type() == data_type::numeric) {
    int sign = compare(step, value::bigint(0));
    if (sign == 0) raise(sqlstate::invalid_parameter_value, "step size cannot equal zero");
    ascending = sign > 0;
  } else {
    interval iv = step.as_interval();
    if (iv.months == 0 && iv.days == 0 && iv.micros == 0)
      raise(sqlstate::invalid_parameter_value, "step size cannot equal zero");
    ascending = iv.approximate_micros() > 0;
  }
  if (step.type() != data_type::interval) check_series_length(start, stop, step);
  value current = start;
  for (std::int64_t n = 0; ascending ? compare(current, stop) <= 0 : compare(current, stop) >= 0; ++n) {
    if (n >= max_series_rows) {
      raise("54000", fmt::format("generate_series would return more than {} rows", max_series_rows));
    }
    out.push_back(row{current});
    try {
      current = next_value(current, step);
    } catch (const eval_error&) {
      return;  // past the type's range: the series ends where Postgres's would
    }
  }
}

}  // namespace

void check_series_length(const value& start, const value& stop, const value& step) {
  numeric steps;
  try {
    steps = numeric_div_trunc(numeric_sub(stop.to_numeric(), start.to_numeric()), step.to_numeric());
  } catch (const eval_error&) {
    return;  // past numeric's digits: the rows are counted as they are made
  }
  if (compare(value::numeric_of(steps), value::bigint(max_series_rows)) >= 0)
    raise("54000", fmt::format("generate_series would return more than {} rows", max_series_rows));
}

namespace {

// One call's rows over its (already evaluated) arguments.
void call_rows(const set_function_call& call, const value* args, std::vector<row>& out) {
  switch (call.fn) {
    case set_function::unnest:
      return unnest(args[0], out);
    case set_function::generate_series:
      return generate_series(args, call.args, out);
    case set_function::ordinality:
    case set_function::subquery:
      return;  // numbered, and run, by expand_row
    case set_function::regexp_matches:
    case set_function::regexp_split_to_table:
      if (std::none_of(args, args + call.args, [](const value& v) { return v.is_null(); }))
        regexp_set_rows(call.fn, args, call.args, out);
      return;
    default:
      if (!args[0].is_null()) jsonb_set_rows(call.fn, args[0], out);
  }
}

}  // namespace

std::optional<set_function> set_function_named(std::string_view name) {
  for (const named_set_function& f : set_function_names) {
    if (name == f.name) return f.fn;
  }
  return std::nullopt;
}

const char* set_function_name(set_function fn) {
  for (const named_set_function& f : set_function_names) {
    if (fn == f.fn) return f.name;
  }
  return "?";
}

int set_function_width(set_function fn) {
  return fn == set_function::jsonb_each || fn == set_function::jsonb_each_text ? 2 : 1;
}

namespace {

// A LATERAL subquery's rows after `input` that meet the join condition (`predicate`); for a LEFT
// JOIN without any, `input` padded with NULLs.
void lateral_rows(const plan& p, const row& input, std::vector<row>& out) {
  std::size_t before = out.size();
  for (row& r : subquery_rows(p.exprs[0], input)) {
    row joined;
    joined.reserve(input.size() + r.size());
    joined.insert(joined.end(), input.begin(), input.end());
    for (value& v : r) joined.push_back(std::move(v));
    if (evaluate_predicate(p.predicate, joined)) out.push_back(std::move(joined));
  }
  if (out.size() == before && p.join == join_type::left) {
    row padded = input;
    padded.resize(input.size() + static_cast<std::size_t>(p.set_calls[0].width));
    out.push_back(std::move(padded));
  }
}

}  // namespace

void expand_row(const plan& p, const row& input, std::vector<row>& out) {
  if (p.set_calls[0].fn == set_function::subquery) return lateral_rows(p, input, out);
  std::vector<value> args;
  args.reserve(p.exprs.size());
  for (const expr& e : p.exprs) args.push_back(evaluate(e, input));
  // Each call's rows; then as many output rows as the longest, NULL columns past a shorter one's end.
  std::vector<std::vector<row>> calls(p.set_calls.size());
  std::size_t first_arg = 0, longest = 0, width = 0;
  for (std::size_t i = 0; i < calls.size(); ++i) {
    call_rows(p.set_calls[i], args.data() + first_arg, calls[i]);
    first_arg += static_cast<std::size_t>(p.set_calls[i].args);
    longest = std::max(longest, calls[i].size());
    width += static_cast<std::size_t>(p.set_calls[i].width);
  }
  for (std::size_t n = 0; n < longest; ++n) {
    row r;
    r.reserve(input.size() + width);
    r.insert(r.end(), input.begin(), input.end());
    for (std::size_t i = 0; i < calls.size(); ++i) {
      if (p.set_calls[i].fn == set_function::ordinality) {
        r.push_back(value::bigint(static_cast<std::int64_t>(n) + 1));
      } else if (n < calls[i].size()) {
        for (value& v : calls[i][n]) r.push_back(std::move(v));
      } else {
        r.resize(r.size() + static_cast<std::size_t>(p.set_calls[i].width));
      }
    }
    out.push_back(std::move(r));
  }
}

}  // namespace sluice::sql
