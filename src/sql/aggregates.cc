// sql/aggregates.cc — per-group aggregate state (see aggregates.h).
#include "sql/aggregates.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "sql/error.h"
#include "sql/execute.h"
#include "sql/functions.h"
#include "sql/numeric.h"

namespace sluice::sql {

void accumulator::add(const value& v, const row& input) {
  std::size_t before = values_.size();
  add(v);
  if (values_.size() == before || call_->order_by.empty()) return;
  row keys;
  for (const sort_key& k : call_->order_by) keys.push_back(evaluate(k.key, input));
  order_keys_.push_back(std::move(keys));
}

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
      } else if (v.type() == data_type::numeric) {
        exact_sum_ = numeric_add(exact_sum_, v.as_numeric());
      } else {
        sum_ += v.as_double();
      }
      break;
    case aggregate_fn::avg:
      if (type_ == data_type::numeric) {
        exact_sum_ = numeric_add(exact_sum_, v.to_numeric());
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
    case aggregate_fn::percentile_cont:
    case aggregate_fn::percentile_disc:
    case aggregate_fn::mode:
      values_.push_back(v);
      break;
    case aggregate_fn::bit_and:
      bits_ = count_ == 1 ? v.as_bigint() : bits_ & v.as_bigint();
      break;
    case aggregate_fn::bit_or:
      bits_ |= v.as_bigint();
      break;
    case aggregate_fn::bit_xor:
      bits_ ^= v.as_bigint();
      break;
    case aggregate_fn::count:
    case aggregate_fn::count_star:
      break;
    default: {  // avg and the variances
      double x = v.numeric_as_double();
      sum_ += x;
      sum_x2_ += x * x;
      if (count_ > 1) {
        double n = static_cast<double>(count_);
        double t = x * n - sum_;
        sum_sq_ += t * t / (n * (n - 1));
      }
      break;
    }
  }
}

namespace {

// The value at 0-based `index` of the rows `runs` hold.
const value& value_at(const value_runs& runs, std::int64_t index) {
  for (const auto& [v, n] : runs) {
    if (index < n) return v;
    index -= n;
  }
  return runs.back().first;
}

value apply_operator(std::string_view op, const value& a, const value& b) {
  for (const function_overload& f : find_overloads(op)) {
    if (f.args.size() == 2 && f.args[0] == a.type() && f.args[1] == b.type()) {
      value args[2] = {a, b};
      return f.fn(args, 2);
    }
  }
  return value();
}

// Postgres's percentile_cont: the two rows around f × (n − 1), interpolated linearly.
value percentile_cont(double f, const value_runs& runs, std::int64_t n) {
  double position = f * static_cast<double>(n - 1);
  auto first = static_cast<std::int64_t>(std::floor(position));
  auto second = static_cast<std::int64_t>(std::ceil(position));
  const value& lo = value_at(runs, first);
  if (first == second) return lo;
  const value& hi = value_at(runs, second);
  double proportion = position - static_cast<double>(first);
  if (lo.type() == data_type::interval) {
    value scaled = apply_operator("*", apply_operator("-", hi, lo), value::double_precision(proportion));
    return apply_operator("+", scaled, lo);
  }
  double l = lo.numeric_as_double();
  return value::double_precision(l + proportion * (hi.numeric_as_double() - l));
}

// The first most frequent value in the aggregate's order.
value mode_of(const value_runs& runs) {
  const std::pair<value, std::int64_t>* best = nullptr;
  for (const auto& run : runs) {
    if (best == nullptr || run.second > best->second) best = &run;
  }
  return best == nullptr ? value() : best->first;
}

}  // namespace

value ordered_set_result(const aggregate_call& call, const value_runs& runs) {
  if (call.fn == aggregate_fn::mode) return mode_of(runs);
  if (!call.fraction) return value();
  double f = *call.fraction;
  if (!(f >= 0 && f <= 1)) {
    std::string text = std::isnan(f) ? "NaN" : fmt::format("{:g}", f);
    raise(sqlstate::numeric_value_out_of_range,
          fmt::format("percentile value {} is not between 0 and 1", text));
  }
  std::int64_t n = 0;
  for (const auto& run : runs) n += run.second;
  if (n == 0) return value();
  if (call.fn == aggregate_fn::percentile_cont) return percentile_cont(f, runs, n);
  auto rank = static_cast<std::int64_t>(std::ceil(f * static_cast<double>(n)));
  return value_at(runs, std::max<std::int64_t>(rank, 1) - 1);
}

std::vector<const value*> accumulator::ordered_values() const {
  std::vector<const value*> order;
  for (const value& v : values_) order.push_back(&v);
  // No ORDER BY: input order, as Postgres reads a scan. ORDER BY: a stable sort, by the sort keys or
  // the value.
  if (!call_->order_by.empty()) {
    std::vector<std::size_t> at(values_.size());
    for (std::size_t i = 0; i < at.size(); ++i) at[i] = i;
    std::stable_sort(at.begin(), at.end(), [this](std::size_t a, std::size_t b) {
      for (std::size_t k = 0; k < call_->order_by.size(); ++k) {
        int c = compare_key(call_->order_by[k], order_keys_[a][k], order_keys_[b][k]);
        if (c != 0) return c < 0;
      }
      return false;
    });
    for (std::size_t i = 0; i < at.size(); ++i) order[i] = &values_[at[i]];
  } else if (ordered_) {
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

void accumulator::add_pair(const value& y, const value& x) {
  if (y.is_null() || x.is_null()) return;
  double new_x = x.numeric_as_double(), new_y = y.numeric_as_double();
  double before = static_cast<double>(count_++);
  double n = before + 1;
  sum_ += new_x;
  sum_y_ += new_y;
  if (before > 0) {
    double dx = new_x * n - sum_;
    double dy = new_y * n - sum_y_;
    double scale = 1.0 / (n * before);
    sxx_ += dx * dx * scale;
    syy_ += dy * dy * scale;
    sxy_ += dx * dy * scale;
  }
}

// Postgres's float8_corr, float8_covar_*, float8_regr_* final functions.
value accumulator::regression() const {
  auto n = static_cast<double>(count_);
  auto f = [](double d) { return value::double_precision(d); };
  switch (fn_) {
    case aggregate_fn::regr_count:
      return value::bigint(count_);
    case aggregate_fn::covar_samp:
      return count_ < 2 ? value() : f(sxy_ / (n - 1));
    default:
      break;
  }
  if (count_ < 1) return value();
  switch (fn_) {
    case aggregate_fn::covar_pop:
      return f(sxy_ / n);
    case aggregate_fn::corr:
      return sxx_ == 0 || syy_ == 0 ? value() : f(sxy_ / std::sqrt(sxx_ * syy_));
    case aggregate_fn::regr_sxx:
      return f(sxx_);
    case aggregate_fn::regr_syy:
      return f(syy_);
    case aggregate_fn::regr_sxy:
      return f(sxy_);
    case aggregate_fn::regr_avgx:
      return f(sum_ / n);
    case aggregate_fn::regr_avgy:
      return f(sum_y_ / n);
    case aggregate_fn::regr_r2:
      if (sxx_ == 0) return value();
      return syy_ == 0 ? f(1.0) : f(sxy_ * sxy_ / (sxx_ * syy_));
    case aggregate_fn::regr_slope:
      return sxx_ == 0 ? value() : f(sxy_ / sxx_);
    case aggregate_fn::regr_intercept:
      return sxx_ == 0 ? value() : f((sum_y_ - sum_ * sxy_ / sxx_) / n);
    default:
      return value();
  }
}

value accumulator::ordered_set() const {
  std::vector<value> sorted = values_;
  std::sort(sorted.begin(), sorted.end(), [this](const value& a, const value& b) {
    int c = compare(a, b);
    return descending_ ? c > 0 : c < 0;
  });
  value_runs runs;
  for (value& v : sorted) {
    if (runs.empty() || compare(runs.back().first, v) != 0) {
      runs.emplace_back(std::move(v), 1);
    } else {
      ++runs.back().second;
    }
  }
  return ordered_set_result(*call_, runs);
}

namespace {

// A double that holds an exact sum as a numeric: integers exactly, others by their shortest text.
numeric numeric_of_sum(double d) {
  if (d == std::floor(d) && std::fabs(d) < 9.0e18) return numeric_from_bigint(static_cast<std::int64_t>(d));
  return numeric_from_text(fmt::format("{}", d));
}

}  // namespace

value numeric_variance(aggregate_fn fn, std::int64_t n, double sum, double sum_squares) {
  bool sample = fn == aggregate_fn::var_samp || fn == aggregate_fn::stddev_samp;
  bool stddev = fn == aggregate_fn::stddev_samp || fn == aggregate_fn::stddev_pop;
  if (n < (sample ? 2 : 1)) return value();
  numeric variance;
  try {
    numeric count = numeric_from_bigint(n), sx = numeric_of_sum(sum);
    numeric numerator = numeric_sub(numeric_mul(count, numeric_of_sum(sum_squares)), numeric_mul(sx, sx));
    if (numeric_sign(numerator) <= 0) return value::numeric_of(numeric{});  // rounding: never below 0
    variance = numeric_div(numerator, numeric_mul(count, numeric_from_bigint(sample ? n - 1 : n)));
  } catch (const eval_error&) {  // past numeric's 38 digits: from the doubles
    double nd = static_cast<double>(n);
    double v = std::max(0.0, (sum_squares - sum * sum / nd) / (sample ? nd - 1 : nd));
    variance = numeric_from_double(v);
  }
  if (!stddev) return value::numeric_of(variance);
  return value::numeric_of(
      numeric_from_long_double(std::sqrt(numeric_to_long_double(variance)), variance.scale));
}

value accumulator::result() const {
  if (is_regression(fn_)) return regression();
  switch (fn_) {
    case aggregate_fn::count_star:
    case aggregate_fn::count:
      return value::bigint(count_);
    case aggregate_fn::percentile_cont:
    case aggregate_fn::percentile_disc:
    case aggregate_fn::mode:
      return ordered_set();
    default:
      break;
  }
  if (count_ == 0) return value();
  double n = static_cast<double>(count_);
  switch (fn_) {
    case aggregate_fn::sum:
      if (type_ == data_type::bigint) return value::bigint(int_sum_);
      if (type_ == data_type::interval) return value::interval_of(interval_sum_);
      if (type_ == data_type::numeric) return value::numeric_of(exact_sum_);
      return value::double_precision(sum_);
    case aggregate_fn::avg:
      if (type_ == data_type::numeric)
        return value::numeric_of(numeric_div(exact_sum_, numeric_from_bigint(count_)));
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
    case aggregate_fn::bit_and:
    case aggregate_fn::bit_or:
    case aggregate_fn::bit_xor:
      return value::bigint(bits_);
    case aggregate_fn::var_pop:
    case aggregate_fn::stddev_pop:
    case aggregate_fn::var_samp:
    case aggregate_fn::stddev_samp:
      if (type_ == data_type::numeric) return numeric_variance(fn_, count_, sum_, sum_x2_);
      break;
    default:
      break;
  }
  switch (fn_) {
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
