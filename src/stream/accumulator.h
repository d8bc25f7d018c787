// stream/accumulator.h — the running state of a group's aggregates, updatable in both directions.
//
// Every aggregate accepts retractions (negative weights) and merges with another state of the same
// calls (how HOP windows combine per-slide panes). count and sum keep counts and sums; avg, stddev
// and variance keep n, Σx and Σx² (doubles; exact for integer inputs below 2^53); bool_and/bool_or
// count trues and falses; min, max and every DISTINCT aggregate keep a multiset of the values, so a
// delete of the current minimum finds the next one. A group exists while its total weight is > 0.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "sql/plan.h"
#include "stream/codec.h"

namespace sluice::stream {

struct value_less {
  bool operator()(const sql::value& a, const sql::value& b) const { return compare(a, b) < 0; }
};

struct accumulator {
  std::int64_t count = 0;  // weight of the non-NULL inputs
  std::int64_t int_sum = 0;
  double sum = 0;
  double sum_squares = 0;
  std::int64_t trues = 0;
  std::int64_t falses = 0;
  std::map<sql::value, std::int64_t, value_less> values;  // min/max/DISTINCT only: value → weight
};

struct group_state {
  std::int64_t rows = 0;  // total weight of the group's rows
  std::vector<accumulator> accs;
};

// Which calls keep a multiset (min, max and DISTINCT).
bool keeps_values(const sql::aggregate_call& call);

// Each call's argument for one input row; nullopt when the call's FILTER (WHERE …) leaves the row out.
using aggregate_args = std::vector<std::optional<sql::value>>;

class aggregate_functions {
 public:
  explicit aggregate_functions(std::vector<sql::aggregate_call> calls) : calls_(std::move(calls)) {}
  const std::vector<sql::aggregate_call>& calls() const { return calls_; }

  group_state make() const;
  // Adds one input row with `weight` (negative retracts). `args[i]` is call i's argument (NULL for
  // count(*); nullopt: the call's filter leaves the row out). Throws sql::eval_error for a data
  // error, before changing anything.
  void add(group_state& state, const aggregate_args& args, std::int64_t weight) const;
  // into += sign * from; sign −1 takes a merged state back out (every aggregate here is a group).
  void merge(group_state& into, const group_state& from, std::int64_t sign = 1) const;
  // Appends each call's current result to `out`.
  void results(const group_state& state, sql::row& out) const;
  // Evaluates every call's FILTER and argument over `input` into `args` (resized to the call count).
  void eval_args(const sql::row& input, aggregate_args& args) const;

  std::string serialize(const group_state& state) const;
  bool deserialize(std::string_view in, group_state& state) const;

 private:
  sql::value result(const sql::aggregate_call& call, const accumulator& acc) const;
  std::vector<sql::aggregate_call> calls_;
};

}  // namespace sluice::stream
