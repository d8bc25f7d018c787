#include "stream/accumulator.h"

#include <cmath>

namespace sluice::stream {
namespace {

using sql::aggregate_fn;

bool is_variance(aggregate_fn fn) {
  return fn == aggregate_fn::stddev_samp || fn == aggregate_fn::stddev_pop || fn == aggregate_fn::var_samp ||
         fn == aggregate_fn::var_pop;
}

// Variance family from n, Σx, Σx².
sql::value variance(aggregate_fn fn, double n, double sum, double sum_squares) {
  bool sample = fn == aggregate_fn::stddev_samp || fn == aggregate_fn::var_samp;
  if (n < (sample ? 2 : 1)) return {};
  double v = (sum_squares - sum * sum / n) / (sample ? n - 1 : n);
  if (v < 0) v = 0;  // rounding after retractions
  bool stddev = fn == aggregate_fn::stddev_samp || fn == aggregate_fn::stddev_pop;
  return sql::value::double_precision(stddev ? std::sqrt(v) : v);
}

void add_value(const sql::aggregate_call& call, accumulator& acc, const sql::value& v, std::int64_t w) {
  if (v.is_null()) return;
  acc.count += w;
  if (keeps_values(call)) {
    auto [it, inserted] = acc.values.try_emplace(v, 0);
    it->second += w;
    if (it->second == 0) acc.values.erase(it);
    return;
  }
  switch (call.fn) {
    case aggregate_fn::sum:
      if (v.type() == sql::data_type::bigint) acc.int_sum += v.as_bigint() * w;
      if (v.type() != sql::data_type::bigint) acc.sum += v.numeric_as_double() * static_cast<double>(w);
      break;
    case aggregate_fn::bool_and:
    case aggregate_fn::bool_or:
      (v.as_bool() ? acc.trues : acc.falses) += w;
      break;
    default:
      if (is_variance(call.fn) || call.fn == aggregate_fn::avg) {
        double x = v.numeric_as_double();
        acc.sum += x * static_cast<double>(w);
        acc.sum_squares += x * x * static_cast<double>(w);
      }
      break;
  }
}

}  // namespace

bool keeps_values(const sql::aggregate_call& call) {
  return call.distinct || call.fn == aggregate_fn::min || call.fn == aggregate_fn::max;
}

group_state aggregate_functions::make() const {
  group_state s;
  s.accs.resize(calls_.size());
  return s;
}

void aggregate_functions::eval_args(const sql::row& input, aggregate_args& args) const {
  args.resize(calls_.size());
  for (std::size_t i = 0; i < calls_.size(); ++i) {
    const sql::aggregate_call& call = calls_[i];
    if (call.has_filter && !sql::evaluate_predicate(call.filter, input)) {
      args[i].reset();
    } else {
      args[i] = call.args.empty() ? sql::value() : sql::evaluate(call.args[0], input);
    }
  }
}

void aggregate_functions::add(group_state& state, const aggregate_args& args, std::int64_t weight) const {
  state.rows += weight;
  for (std::size_t i = 0; i < calls_.size(); ++i) {
    if (!args[i]) continue;  // filtered out for this call
    if (calls_[i].fn == aggregate_fn::count_star) {
      state.accs[i].count += weight;
    } else {
      add_value(calls_[i], state.accs[i], *args[i], weight);
    }
  }
}

void aggregate_functions::merge(group_state& into, const group_state& from, std::int64_t sign) const {
  auto scale = static_cast<double>(sign);
  into.rows += sign * from.rows;
  for (std::size_t i = 0; i < calls_.size(); ++i) {
    accumulator& a = into.accs[i];
    const accumulator& b = from.accs[i];
    a.count += sign * b.count;
    a.int_sum += sign * b.int_sum;
    a.sum += scale * b.sum;
    a.sum_squares += scale * b.sum_squares;
    a.trues += sign * b.trues;
    a.falses += sign * b.falses;
    for (const auto& [v, w] : b.values) {
      auto [it, inserted] = a.values.try_emplace(v, 0);
      it->second += sign * w;
      if (it->second == 0) a.values.erase(it);
    }
  }
}

sql::value aggregate_functions::result(const sql::aggregate_call& call, const accumulator& acc) const {
  if (call.distinct && call.fn != aggregate_fn::min && call.fn != aggregate_fn::max) {
    sql::aggregate_call plain = call;
    plain.distinct = false;
    accumulator once;
    for (const auto& [v, w] : acc.values) {
      if (w > 0) add_value(plain, once, v, 1);
    }
    return result(plain, once);
  }
  switch (call.fn) {
    case aggregate_fn::count_star:
    case aggregate_fn::count:
      return sql::value::bigint(acc.count);
    case aggregate_fn::sum:
      if (acc.count <= 0) return {};
      if (call.type == sql::data_type::bigint) return sql::value::bigint(acc.int_sum);
      return sql::value::double_precision(acc.sum + static_cast<double>(acc.int_sum));
    case aggregate_fn::avg:
      if (acc.count <= 0) return {};
      return sql::value::double_precision(acc.sum / static_cast<double>(acc.count));
    case aggregate_fn::min:
      if (acc.values.empty()) return {};
      return acc.values.begin()->first;
    case aggregate_fn::max:
      if (acc.values.empty()) return {};
      return acc.values.rbegin()->first;
    case aggregate_fn::bool_and:
      if (acc.count <= 0) return {};
      return sql::value::boolean(acc.falses == 0);
    case aggregate_fn::bool_or:
      if (acc.count <= 0) return {};
      return sql::value::boolean(acc.trues > 0);
    default:
      return variance(call.fn, static_cast<double>(acc.count), acc.sum, acc.sum_squares);
  }
}

void aggregate_functions::results(const group_state& state, sql::row& out) const {
  for (std::size_t i = 0; i < calls_.size(); ++i) out.push_back(result(calls_[i], state.accs[i]));
}

std::string aggregate_functions::serialize(const group_state& state) const {
  std::string out;
  append_i64(out, state.rows);
  for (const accumulator& a : state.accs) {
    append_i64(out, a.count);
    append_i64(out, a.int_sum);
    append_double(out, a.sum);
    append_double(out, a.sum_squares);
    append_i64(out, a.trues);
    append_i64(out, a.falses);
    append_i64(out, static_cast<std::int64_t>(a.values.size()));
    for (const auto& [v, w] : a.values) {
      append_value(out, v);
      append_i64(out, w);
    }
  }
  return out;
}

bool aggregate_functions::deserialize(std::string_view in, group_state& state) const {
  decoder d(in);
  state = make();
  if (!d.read_i64(state.rows)) return false;
  for (accumulator& a : state.accs) {
    std::int64_t n = 0;
    if (!d.read_i64(a.count) || !d.read_i64(a.int_sum) || !d.read_double(a.sum) ||
        !d.read_double(a.sum_squares) || !d.read_i64(a.trues) || !d.read_i64(a.falses) || !d.read_i64(n))
      return false;
    for (std::int64_t i = 0; i < n; ++i) {
      sql::value v;
      std::int64_t w = 0;
      if (!d.read_value(v) || !d.read_i64(w)) return false;
      a.values.emplace(std::move(v), w);
    }
  }
  return d.done();
}

}  // namespace sluice::stream
