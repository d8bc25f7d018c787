// sql/aggregates.h — the state of one aggregate call over a group: add values, read the result.
// Variance and standard deviation use the Youngs–Cramer update Postgres uses for float8, so results
// match Postgres's to the last digit on double input.
#pragma once

#include <string>
#include <vector>

#include "sql/numeric.h"
#include "sql/plan.h"

namespace sluice::sql {

// Equal values in an ordered-set aggregate's order (ascending, or descending), each with its count.
using value_runs = std::vector<std::pair<value, std::int64_t>>;

// percentile_cont, percentile_disc or mode over `runs`. NULL without rows (or with a NULL fraction);
// throws eval_error (22003) for a fraction outside [0, 1], rows or not, as Postgres does.
value ordered_set_result(const aggregate_call& call, const value_runs& runs);

// var_* and stddev_* of exact inputs (bigint, numeric), a numeric as Postgres's numeric_stddev_internal
// makes it: (NΣx² − (Σx)²) / (N(N−1)) (N² for the population forms) at division's scale, and its
// square root at that scale. Σx and Σx² are the doubles both engines keep: exact for integers below
// 2^53. NULL below two rows for the sample forms (one for the population forms).
value numeric_variance(aggregate_fn fn, std::int64_t n, double sum, double sum_squares);

class accumulator {
 public:
  explicit accumulator(const aggregate_call& call)
      : fn_(call.fn),
        type_(call.type),
        separator_(call.separator),
        ordered_(call.ordered),
        descending_(call.descending),
        call_(&call) {}

  // Adds one input value (ignored for count(*); NULLs are skipped by every other aggregate but
  // array_agg).
  // Throws eval_error when a bigint sum overflows.
  void add(const value& v);
  // Adds `v`, read from the input row `input`: what an ORDER BY other than the value sorts by.
  void add(const value& v, const row& input);
  // corr, covar_* and regr_*: one (Y, X) pair; a pair with a NULL is skipped.
  void add_pair(const value& y, const value& x);
  // The aggregate over what was added; NULL for an empty group except count.
  value result() const;

 private:
  value string_agg_result() const;
  // string_agg's and array_agg's values in input order, or sorted by ORDER BY the value.
  std::vector<const value*> ordered_values() const;
  value ordered_set() const;
  value regression() const;

 private:
  aggregate_fn fn_;
  data_type type_;
  std::int64_t count_ = 0;
  std::int64_t int_sum_ = 0;
  numeric exact_sum_;  // sum and avg of numeric (and avg of bigint) inputs
  double sum_ = 0;     // Sx
  double sum_sq_ = 0;  // Sxx, Youngs–Cramer
  double sum_x2_ = 0;  // Σx², for the numeric variances
  interval interval_sum_{};
  value best_;                   // min / max
  bool all_ = true;              // bool_and
  bool any_ = false;             // bool_or
  std::string separator_;        // string_agg
  bool ordered_ = false;         // string_agg and array_agg … ORDER BY value
  bool descending_ = false;      // … DESC
  std::vector<value> values_;    // string_agg, array_agg and ordered-set aggregates, in input order
  std::vector<row> order_keys_;  // values_'s sort keys, under an ORDER BY of other expressions
  std::int64_t bits_ = 0;        // bit_and, bit_or, bit_xor
  // corr, covar_*, regr_*: Σx, Σy and the Youngs–Cramer Sxx, Syy, Sxy of Postgres's float8_regr_accum.
  double sum_y_ = 0, sxx_ = 0, syy_ = 0, sxy_ = 0;
  const aggregate_call* call_;
};

}  // namespace sluice::sql
