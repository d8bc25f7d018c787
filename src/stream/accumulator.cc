#include "stream/accumulator.h"

#include <algorithm>
#include <cmath>

#include "base/assert.h"
#include "sql/aggregates.h"

namespace sluice::stream {
namespace {

using sql::aggregate_fn;

bool is_variance(aggregate_fn fn) {
  return fn == aggregate_fn::stddev_samp || fn == aggregate_fn::stddev_pop || fn == aggregate_fn::var_samp ||
         fn == aggregate_fn::var_pop;
}

// Whether the call keeps an exact numeric sum (only these calls store one, so the stored form of
// every other call is what it was before NUMERIC was exact).
bool sums_numeric(const sql::aggregate_call& call) {
  return (call.fn == aggregate_fn::sum || call.fn == aggregate_fn::avg) && !call.args.empty() &&
         call.args[0].type == sql::data_type::numeric;
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

// The running fields of the plain (not DISTINCT) aggregate `fn`.
void add_plain(aggregate_fn fn, accumulator& acc, const sql::value& v, std::int64_t w) {
  acc.count += w;
  switch (fn) {
    case aggregate_fn::sum:
    case aggregate_fn::avg:
      if (v.type() == sql::data_type::bigint) {
        acc.int_sum += v.as_bigint() * w;
      } else if (v.type() == sql::data_type::numeric) {
        acc.exact_sum =
            sql::numeric_add(acc.exact_sum, sql::numeric_mul(v.as_numeric(), sql::numeric_from_bigint(w)));
      } else {
        acc.sum += v.numeric_as_double() * static_cast<double>(w);
      }
      break;
    case aggregate_fn::bool_and:
    case aggregate_fn::bool_or:
      (v.as_bool() ? acc.trues : acc.falses) += w;
      break;
    default:
      if (is_variance(fn)) {
        double x = v.numeric_as_double();
        acc.sum += x * static_cast<double>(w);
        acc.sum_squares += x * x * static_cast<double>(w);
      }
      break;
  }
}

// Moves a multiset entry's weight by `w`; the running fields count the value once while its weight is
// positive, so only a crossing between 0 and positive touches them.
void add_to_multiset(aggregate_fn fn, accumulator& acc, const sql::value& v, std::int64_t w) {
  auto [it, inserted] = acc.values.try_emplace(v, 0);
  bool was_counted = it->second > 0;
  it->second += w;
  bool counted = it->second > 0;
  if (was_counted != counted) add_plain(fn, acc, it->first, counted ? 1 : -1);
  if (it->second == 0) acc.values.erase(it);
}

// Calls `each` with the values in order, each as many times as its weight (once for DISTINCT).
template <typename Each>
void each_ordered(const sql::aggregate_call& call, const accumulator& acc, Each each) {
  auto repeat = [&](const sql::value& v, std::int64_t weight) {
    for (std::int64_t i = 0; i < (call.distinct ? std::min<std::int64_t>(weight, 1) : weight); ++i) each(v);
  };
  if (call.descending) {
    for (auto it = acc.values.rbegin(); it != acc.values.rend(); ++it) repeat(it->first, it->second);
  } else {
    for (const auto& [v, weight] : acc.values) repeat(v, weight);
  }
}

sql::value string_agg(const sql::aggregate_call& call, const accumulator& acc) {
  if (acc.count <= 0) return {};
  std::string out;
  bool first = true;
  each_ordered(call, acc, [&](const sql::value& v) {
    if (!first) out += call.separator;
    out += v.as_text();
    first = false;
  });
  return sql::value::text(std::move(out));
}

sql::value array_agg(const sql::aggregate_call& call, const accumulator& acc) {
  if (acc.count <= 0) return {};
  std::vector<sql::value> items;
  each_ordered(call, acc, [&](const sql::value& v) { items.push_back(v); });
  return sql::value::array(call.type, std::move(items));
}

// An ordered-set aggregate over the multiset, read in the call's order.
sql::value ordered_set(const sql::aggregate_call& call, const accumulator& acc) {
  sql::value_runs runs;
  runs.reserve(acc.values.size());
  auto append = [&](const sql::value& v, std::int64_t weight) {
    if (weight > 0) runs.emplace_back(v, weight);
  };
  if (call.descending) {
    for (auto it = acc.values.rbegin(); it != acc.values.rend(); ++it) append(it->first, it->second);
  } else {
    for (const auto& [v, weight] : acc.values) append(v, weight);
  }
  return sql::ordered_set_result(call, runs);
}

// bit_and / bit_or / bit_xor over the multiset (a value there with an even weight cancels in xor).
sql::value bits(const sql::aggregate_call& call, const accumulator& acc) {
  if (acc.count <= 0) return {};
  std::int64_t out = call.fn == aggregate_fn::bit_and ? -1 : 0;
  for (const auto& [v, weight] : acc.values) {
    if (weight <= 0) continue;
    std::int64_t x = v.as_bigint();
    if (call.fn == aggregate_fn::bit_and) out &= x;
    if (call.fn == aggregate_fn::bit_or) out |= x;
    if (call.fn == aggregate_fn::bit_xor && (call.distinct || weight % 2 == 1)) out ^= x;
  }
  return sql::value::bigint(out);
}

// Insert-only min/max: the multiset keeps one entry, the extreme so far. The node is reused when a new
// extreme replaces it.
void keep_extreme(aggregate_fn fn, accumulator& acc, const sql::value& v) {
  if (acc.values.empty()) {
    acc.values.emplace(v, 1);
    acc.count = 1;
    return;
  }
  bool is_min = fn == aggregate_fn::min;
  int c = compare(v, is_min ? acc.values.begin()->first : acc.values.rbegin()->first);
  if (is_min ? c >= 0 : c <= 0) return;
  if (acc.values.size() > 1) {  // a state written before the input was known to only insert
    acc.values.clear();
    acc.values.emplace(v, 1);
    acc.count = 1;
    return;
  }
  auto node = acc.values.extract(acc.values.begin());
  node.key() = v;
  acc.values.insert(std::move(node));
}

void add_value(const sql::aggregate_call& call, accumulator& acc, const sql::value& v, std::int64_t w) {
  if (v.is_null() && call.fn != aggregate_fn::array_agg) return;  // array_agg keeps NULL elements
  if (keeps_values(call)) {
    add_to_multiset(call.fn, acc, v, w);
  } else {
    add_plain(call.fn, acc, v, w);
  }
}

}  // namespace

bool keeps_values(const sql::aggregate_call& call) {
  return call.distinct || call.fn == aggregate_fn::min || call.fn == aggregate_fn::max ||
         call.fn == aggregate_fn::string_agg || call.fn == aggregate_fn::array_agg ||
         sql::is_ordered_set(call.fn) || call.fn == aggregate_fn::bit_and ||
         call.fn == aggregate_fn::bit_or || call.fn == aggregate_fn::bit_xor;
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

void aggregate_functions::add(group_state& state, const aggregate_args& args, std::int64_t weight,
                              changed_values* changed) const {
  state.rows += weight;
  for (std::size_t i = 0; i < calls_.size(); ++i) {
    if (!args[i]) continue;  // filtered out for this call
    if (calls_[i].fn == aggregate_fn::count_star) {
      state.accs[i].count += weight;
    } else if (keeps_extreme_only(calls_[i], state)) {
      if (!args[i]->is_null()) keep_extreme(calls_[i].fn, state.accs[i], *args[i]);
    } else {
      add_value(calls_[i], state.accs[i], *args[i], weight);
      if (changed && keeps_values(calls_[i]) && !args[i]->is_null()) changed->emplace_back(i, *args[i]);
    }
  }
}

bool aggregate_functions::keeps_extreme_only(const sql::aggregate_call& call,
                                             const group_state& state) const {
  // A group stored entry by entry (restored from before) keeps its multiset: its flush writes
  // only the entries add() reports, which a replaced extreme would not be.
  return input_only_inserts_ && !call.distinct &&
         (call.fn == aggregate_fn::min || call.fn == aggregate_fn::max) && !state.values_apart;
}

void aggregate_functions::merge(group_state& into, const group_state& from, std::int64_t sign) const {
  auto scale = static_cast<double>(sign);
  into.rows += sign * from.rows;
  for (std::size_t i = 0; i < calls_.size(); ++i) {
    accumulator& a = into.accs[i];
    const accumulator& b = from.accs[i];
    if (keeps_extreme_only(calls_[i], into)) {  // the extremes of both; nothing can be taken back out
      SLUICE_ASSERT(sign > 0, "an insert-only min/max state merged out");
      for (const auto& entry : b.values) keep_extreme(calls_[i].fn, a, entry.first);
      continue;
    }
    if (keeps_values(calls_[i])) {  // distinct values do not add up: each entry may cross 0 here
      for (const auto& [v, w] : b.values) add_to_multiset(calls_[i].fn, a, v, sign * w);
      continue;
    }
    a.count += sign * b.count;
    a.int_sum += sign * b.int_sum;
    a.sum += scale * b.sum;
    a.sum_squares += scale * b.sum_squares;
    a.trues += sign * b.trues;
    a.falses += sign * b.falses;
    if (sums_numeric(calls_[i])) {
      a.exact_sum = sql::numeric_add(a.exact_sum, sign > 0 ? b.exact_sum : sql::numeric_neg(b.exact_sum));
    }
  }
}

sql::value aggregate_functions::result(const sql::aggregate_call& call, const accumulator& acc) const {
  // A DISTINCT call's running fields are already those of its plain call over the distinct values.
  switch (call.fn) {
    case aggregate_fn::count_star:
    case aggregate_fn::count:
      return sql::value::bigint(acc.count);
    case aggregate_fn::sum:
      if (acc.count <= 0) return {};
      if (call.type == sql::data_type::bigint) return sql::value::bigint(acc.int_sum);
      if (call.type == sql::data_type::numeric) return sql::value::numeric_of(acc.exact_sum);
      return sql::value::double_precision(acc.sum + static_cast<double>(acc.int_sum));
    case aggregate_fn::avg:
      if (acc.count <= 0) return {};
      if (call.type == sql::data_type::numeric) {  // over bigint or numeric: exact, as Postgres's
        sql::numeric total = sums_numeric(call) ? acc.exact_sum : sql::numeric_from_bigint(acc.int_sum);
        return sql::value::numeric_of(sql::numeric_div(total, sql::numeric_from_bigint(acc.count)));
      }
      return sql::value::double_precision((acc.sum + static_cast<double>(acc.int_sum)) /
                                          static_cast<double>(acc.count));
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
    case aggregate_fn::string_agg:
      return string_agg(call, acc);
    case aggregate_fn::array_agg:
      return array_agg(call, acc);
    case aggregate_fn::percentile_cont:
    case aggregate_fn::percentile_disc:
    case aggregate_fn::mode:
      return ordered_set(call, acc);
    case aggregate_fn::bit_and:
    case aggregate_fn::bit_or:
    case aggregate_fn::bit_xor:
      return bits(call, acc);
    default:
      if (call.type == sql::data_type::numeric)
        return sql::numeric_variance(call.fn, acc.count, acc.sum, acc.sum_squares);
      return variance(call.fn, static_cast<double>(acc.count), acc.sum, acc.sum_squares);
  }
}

void aggregate_functions::results(const group_state& state, sql::row& out) const {
  for (std::size_t i = 0; i < calls_.size(); ++i) out.push_back(result(calls_[i], state.accs[i]));
}

std::string aggregate_functions::serialize(const group_state& state) const {
  std::string out;
  append_i64(out, state.rows);
  for (std::size_t i = 0; i < state.accs.size(); ++i) {
    const accumulator& a = state.accs[i];
    append_i64(out, a.count);
    append_i64(out, a.int_sum);
    append_double(out, a.sum);
    append_double(out, a.sum_squares);
    append_i64(out, a.trues);
    append_i64(out, a.falses);
    if (sums_numeric(calls_[i])) append_numeric(out, a.exact_sum);
  }
  append_u8(out, state.values_apart ? 1 : 0);
  if (state.values_apart) return out;
  for (std::size_t i = 0; i < state.accs.size(); ++i) {
    const accumulator& a = state.accs[i];
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
  for (std::size_t i = 0; i < state.accs.size(); ++i) {
    accumulator& a = state.accs[i];
    if (!d.read_i64(a.count) || !d.read_i64(a.int_sum) || !d.read_double(a.sum) ||
        !d.read_double(a.sum_squares) || !d.read_i64(a.trues) || !d.read_i64(a.falses))
      return false;
    if (sums_numeric(calls_[i]) && !d.read_numeric(a.exact_sum)) return false;
  }
  std::uint8_t apart = 0;
  if (!d.read_u8(apart) || apart > 1) return false;
  state.values_apart = apart == 1;
  if (state.values_apart) return d.done();
  for (std::size_t call = 0; call < state.accs.size(); ++call) {
    accumulator& a = state.accs[call];
    std::int64_t n = 0;
    if (!d.read_i64(n)) return false;
    for (std::int64_t i = 0; i < n; ++i) {
      sql::value v;
      std::int64_t w = 0;
      if (!d.read_value(v) || !d.read_i64(w)) return false;
      a.values.emplace(std::move(v), w);
    }
  }
  return d.done();
}

void aggregate_functions::write_group(group_state* state, dirty_group& dirty, std::string group_key,
                                      std::size_t tag_at, write_batch& batch) const {
  if (state && !state->values_apart) {
    std::size_t entries = 0;
    for (std::size_t i = 0; i < state->accs.size(); ++i) entries += state->accs[i].values.size();
    if (entries > inline_values_limit) {  // from now on apart: write every entry once
      state->values_apart = true;
      append_all_values(*state, dirty.changed);
    }
  }
  bool apart = state && state->values_apart;
  // Entries from the last flush that no longer belong to a group stored apart are erased.
  if (apart || dirty.stored_apart) {
    std::string values_prefix = group_key;
    values_prefix[tag_at] = value_tag;
    write_values(apart ? state : nullptr, dirty.changed, values_prefix, batch);
  }
  if (state) {
    batch.put(std::move(group_key), serialize(*state));
  } else {
    batch.erase(std::move(group_key));
  }
  dirty.changed.clear();
  dirty.stored_apart = apart;
}

void aggregate_functions::append_all_values(const group_state& state, changed_values& out) const {
  for (std::size_t i = 0; i < state.accs.size(); ++i) {
    for (const auto& entry : state.accs[i].values) out.emplace_back(i, entry.first);
  }
}

void aggregate_functions::write_values(const group_state* state, changed_values& changed,
                                       const std::string& key_prefix, write_batch& batch) const {
  auto less = [](const auto& a, const auto& b) {
    return a.first != b.first ? a.first < b.first : compare(a.second, b.second) < 0;
  };
  auto equal = [](const auto& a, const auto& b) {
    return a.first == b.first && compare(a.second, b.second) == 0;
  };
  std::sort(changed.begin(), changed.end(), less);
  changed.erase(std::unique(changed.begin(), changed.end(), equal), changed.end());
  for (const auto& [call, v] : changed) {
    std::string key = key_prefix;
    append_i64(key, static_cast<std::int64_t>(call));
    append_value(key, v);
    std::optional<std::int64_t> weight;
    if (state) {
      auto it = state->accs[call].values.find(v);
      if (it != state->accs[call].values.end()) weight = it->second;
    }
    if (!weight) {
      batch.erase(std::move(key));
      continue;
    }
    std::string w;
    append_i64(w, *weight);
    batch.put(std::move(key), std::move(w));
  }
  changed.clear();
}

bool aggregate_functions::restore_value(decoder& key, std::string_view value, group_state& state) const {
  std::int64_t call = 0;
  sql::value v;
  std::int64_t w = 0;
  decoder d(value);
  if (!key.read_i64(call) || !key.read_value(v) || !key.done() || !d.read_i64(w) || !d.done()) return false;
  if (call < 0 || static_cast<std::size_t>(call) >= calls_.size()) return false;
  auto i = static_cast<std::size_t>(call);
  if (!keeps_values(calls_[i]) || w == 0 || !state.values_apart) return false;
  return state.accs[i].values.emplace(std::move(v), w).second;
}

}  // namespace sluice::stream
