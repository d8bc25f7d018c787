#include "sql/set_functions.h"

#include <fmt/format.h>

#include "sql/error.h"
#include "sql/functions.h"

namespace sluice::sql {
namespace {

constexpr std::size_t max_series_rows = 10'000'000;

row with(const row& input, std::size_t extra) {
  row out;
  out.reserve(input.size() + extra);
  out.insert(out.end(), input.begin(), input.end());
  return out;
}

// unnest(a, b, …) zips its arrays: as many rows as the longest, NULL past a shorter one's end.
void unnest(const plan& p, const row& input, std::vector<row>& out) {
  std::vector<value> arrays;
  std::size_t longest = 0;
  for (const expr& e : p.exprs) {
    arrays.push_back(evaluate(e, input));
    if (!arrays.back().is_null()) longest = std::max(longest, arrays.back().as_array().size());
  }
  for (std::size_t i = 0; i < longest; ++i) {
    row r = with(input, arrays.size());
    for (const value& a : arrays)
      r.push_back(a.is_null() || i >= a.as_array().size() ? value() : a.as_array()[i]);
    out.push_back(std::move(r));
  }
}

value next_value(const value& current, const value& step) {
  if (current.type() == data_type::bigint)
    return value::bigint(checked_add(current.as_bigint(), step.as_bigint()));
  std::int64_t micros = add_interval(current.as_micros(), step.as_interval());
  return current.type() == data_type::timestamp ? value::timestamp(micros) : value::timestamptz(micros);
}

void generate_series(const plan& p, const row& input, std::vector<row>& out) {
  value start = evaluate(p.exprs[0], input);
  value stop = evaluate(p.exprs[1], input);
  value step = p.exprs.size() > 2 ? evaluate(p.exprs[2], input) : value::bigint(1);
  if (start.is_null() || stop.is_null() || step.is_null()) return;
  bool ascending = true;
  if (step.type() == data_type::bigint) {
    if (step.as_bigint() == 0) raise(sqlstate::invalid_parameter_value, "step size cannot equal zero");
    ascending = step.as_bigint() > 0;
  } else {
    interval iv = step.as_interval();
    if (iv.months == 0 && iv.days == 0 && iv.micros == 0)
      raise(sqlstate::invalid_parameter_value, "step size cannot equal zero");
    ascending = iv.approximate_micros() > 0;
  }
  value current = start;
  for (std::size_t n = 0; ascending ? compare(current, stop) <= 0 : compare(current, stop) >= 0; ++n) {
    if (n >= max_series_rows) {
      raise("54000", fmt::format("generate_series would return more than {} rows", max_series_rows));
    }
    row r = with(input, 1);
    r.push_back(current);
    out.push_back(std::move(r));
    try {
      current = next_value(current, step);
    } catch (const eval_error&) {
      return;  // past the type's range: the series ends where Postgres's would
    }
  }
}

}  // namespace

void expand_row(const plan& p, const row& input, std::vector<row>& out) {
  if (p.function == set_function::unnest) return unnest(p, input, out);
  generate_series(p, input, out);
}

}  // namespace sluice::sql
