// sql/aggregates.cc — per-group aggregate state (see aggregates.h).
#include "sql/aggregates.h"

#include <algorithm>
#include <cmath>

#include "sql/functions.h"

namespace sluice::sql {

void accumulator::add(const value& v) {
  // array_agg keeps NULLs: they are elements of its array.
  if (fn_ == aggregate_fn::count_star || fn_ == aggregate_fn::array_agg) {
    ++count_;
    if (fn_ == aggregate_fn::array_agg) values_.push_back(v);
    return;
  }
  if (v.is_null()) return;
  ++count_;
  switch (fn_) {
    case aggregate_fn::sum:
      if (v.type() == data_type::bigint) {
        int_sum_ = checked_add(int_sum_, v.as_bigint());
      } else if (v.type() == data_type::interval) {
        interval iv = v.as_interval();
        interval_sum_ = {interval_sum_.months + iv.months, interval_sum_.days + iv.days,
                         interval_sum_.micros + iv.micros};
      } else {
        sum_ += v.as_double();
      }
      break;
    case aggregate_fn::min:
      if (best_.is_null() || compare(v, best_) < 0) best_ = v;
      break;
    case aggregate_fn::max:
      if (best_.is_null() || compare(v, best_) > 0) best_ = v;
      break;
    case aggregate_fn::bool_and:
      all_ = all_ && v.as_bool();
      break;
    case aggregate_fn::bool_or:
      any_ = any_ || v.as_bool();
      break;
    case aggregate_fn::string_agg:
      values_.push_back(v);
      break;
    case aggregate_fn::count:
    case aggregate_fn::count_star:
      break;
    default: {  // avg and the variances
      double x = v.numeric_as_double();
      sum_ += x;
      if (count_ > 1) {
        double n = static_cast<double>(count_);
        double t = x * n - sum_;
        sum_sq_ += t * t / (n * (n - 1));
      }
      break;
    }
  }
}

std::vector<const value*> accumulator::ordered_values() const {
  std::vector<const value*> order;
  for (const value& v : values_) order.push_back(&v);
  // No ORDER BY: input order, as Postgres reads a scan. ORDER BY the value: a stable sort.
  if (ordered_) {
    std::stable_sort(order.begin(), order.end(), [this](const value* a, const value* b) {
      int c = compare(*a, *b);
      return descending_ ? c > 0 : c < 0;
    });
  }
  return order;
}

value accumulator::string_agg_result() const {
  std::vector<const value*> order = ordered_values();
  std::string out;
  for (std::size_t i = 0; i < order.size(); ++i) {
    if (i > 0) out += separator_;
    out += order[i]->as_text();
  }
  return value::text(std::move(out));
}

value accumulator::result() const {
  switch (fn_) {
    case aggregate_fn::count_star:
    case aggregate_fn::count:
      return value::bigint(count_);
    default:
      break;
  }
  if (count_ == 0) return value();
  double n = static_cast<double>(count_);
  switch (fn_) {
    case aggregate_fn::sum:
      if (type_ == data_type::bigint) return value::bigint(int_sum_);
      if (type_ == data_type::interval) return value::interval_of(interval_sum_);
      return value::double_precision(sum_);
    case aggregate_fn::avg:
      return value::double_precision(sum_ / n);
    case aggregate_fn::min:
    case aggregate_fn::max:
      return best_;
    case aggregate_fn::bool_and:
      return value::boolean(all_);
    case aggregate_fn::bool_or:
      return value::boolean(any_);
    case aggregate_fn::string_agg:
      return string_agg_result();
    case aggregate_fn::array_agg: {
      std::vector<value> items;
      for (const value* v : ordered_values()) items.push_back(*v);
      return value::array(type_, std::move(items));
    }
    case aggregate_fn::var_pop:
      return value::double_precision(sum_sq_ / n);
    case aggregate_fn::stddev_pop:
      return value::double_precision(std::sqrt(sum_sq_ / n));
    case aggregate_fn::var_samp:
      return count_ < 2 ? value() : value::double_precision(sum_sq_ / (n - 1));
    case aggregate_fn::stddev_samp:
      return count_ < 2 ? value() : value::double_precision(std::sqrt(sum_sq_ / (n - 1)));
    default:
      return value();
  }
}

}  // namespace sluice::sql
