// stream/accumulator.h — the running state of a group's aggregates, updatable in both directions.
//
// Every aggregate accepts retractions (negative weights) and merges with another state of the same
// calls (how HOP windows combine per-slide panes). count and sum keep counts and sums (exact for
// bigint and numeric inputs); avg keeps n and Σx, exact for bigint and numeric; stddev and variance
// keep n, Σx and Σx² (doubles; exact for integer inputs below 2^53); bool_and/bool_or
// count trues and falses; min, max, string_agg, array_agg, the ordered-set aggregates (percentile_cont,
// percentile_disc, mode), bit_and/bit_or/bit_xor and every DISTINCT aggregate keep a multiset of the
// values, so a delete of the current minimum finds the next one. A group exists while its total weight is >
// 0. When the input only inserts, a min or max multiset holds just the current extreme (weight 1): no value
// below it can ever be read, and keeping them all cost a map insert per row and their encoding at every
// flush.
//
// Invariant of a multiset call: its running fields (count, sums, trues/falses) are those of the plain
// aggregate over the values whose weight is positive, each taken once, so count/sum/avg DISTINCT are
// read in O(1); they change only when a value's weight crosses between 0 and positive.
//
// Stored form: serialize() holds the running fields, and the multisets too while the group has at
// most inline_values_limit entries (a flag says which). Past that the group stores each entry as its
// own store entry ([caller's prefix][call index][value] → weight), and for the rest of its life a
// flush writes just the entries whose weight changed (collected by add()), so a large multiset costs
// what changed, not its size, and a small one costs a single write.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "sql/numeric.h"
#include "sql/plan.h"
#include "stream/codec.h"
#include "stream/state_store.h"

namespace sluice::stream {

struct value_less {
  bool operator()(const sql::value& a, const sql::value& b) const { return compare(a, b) < 0; }
};

struct accumulator {
  std::int64_t count = 0;  // weight of the non-NULL inputs (multiset calls: values of positive weight)
  std::int64_t int_sum = 0;
  double sum = 0;
  double sum_squares = 0;
  std::int64_t trues = 0;
  std::int64_t falses = 0;
  sql::numeric exact_sum;  // sum and avg of numeric inputs (stored only for those calls)
  std::map<sql::value, std::int64_t, value_less> values;  // min/max/DISTINCT only: value → weight
};

// A group's accumulators, one per call. The first lives inside the group: most aggregates have one
// call (count(*) per key, max per window), and a group then costs one allocation less, and a row, a
// merge and an output one pointer chase less.
class accumulators {
 public:
  void resize(std::size_t n) {
    size_ = n;
    rest_.resize(n > 0 ? n - 1 : 0);
  }
  std::size_t size() const { return size_; }
  accumulator& operator[](std::size_t i) { return i == 0 ? first_ : rest_[i - 1]; }
  const accumulator& operator[](std::size_t i) const { return i == 0 ? first_ : rest_[i - 1]; }

 private:
  accumulator first_;
  std::vector<accumulator> rest_;
  std::size_t size_ = 0;
};

struct group_state {
  std::int64_t rows = 0;  // total weight of the group's rows
  accumulators accs;
  bool values_apart = false;  // multisets stored entry by entry (set at a flush, never cleared)
  // Changed since the last flush (for an owner that lists its dirty groups, so a group already listed
  // costs no lookup). Not stored.
  bool dirty = false;
  // The store holds the group (it was written at a flush or restored), for an owner that drops groups:
  // one never written needs no erase. Not stored.
  bool stored = false;
};

// Which calls keep a multiset (min, max, string_agg, array_agg and DISTINCT).
bool keeps_values(const sql::aggregate_call& call);

// Each call's argument for one input row; nullopt when the call's FILTER (WHERE …) leaves the row out.
using aggregate_args = std::vector<std::optional<sql::value>>;

// Multiset entries whose weight may have changed since the state was last written: (call index,
// value), possibly repeated.
using changed_values = std::vector<std::pair<std::size_t, sql::value>>;

// What a flush writes for one group besides its running fields: the multiset entries changed since
// the last flush, and whether the store holds the group's entries apart (as of the last flush).
struct dirty_group {
  changed_values changed;
  bool stored_apart = false;
};

// Groups with more multiset entries than this store them entry by entry. One write per changed entry
// costs about as much as re-encoding a few thousand entries (Nexmark q17's busiest auctions hold
// 1k–8k values and ran slower apart; q15/q16's bidder sets hold far more). Tests lower it, through
// scoped_inline_values_limit, to reach both forms with little data.
inline std::size_t inline_values_limit = 8192;

struct scoped_inline_values_limit {
  explicit scoped_inline_values_limit(std::size_t n) : saved(inline_values_limit) { inline_values_limit = n; }
  ~scoped_inline_values_limit() { inline_values_limit = saved; }
  scoped_inline_values_limit(const scoped_inline_values_limit&) = delete;
  scoped_inline_values_limit& operator=(const scoped_inline_values_limit&) = delete;
  std::size_t saved;
};
// Key tags after an operator's prefix: a group's stored value, and a multiset entry stored apart. The
// two keys of a group differ only in this byte.
inline constexpr char group_tag = 'g';
inline constexpr char value_tag = 'v';

class aggregate_functions {
 public:
  // `input_only_inserts`: add() never sees a negative weight, so min and max keep only the extreme.
  explicit aggregate_functions(std::vector<sql::aggregate_call> calls, bool input_only_inserts = false)
      : calls_(std::move(calls)), input_only_inserts_(input_only_inserts) {}
  const std::vector<sql::aggregate_call>& calls() const { return calls_; }

  group_state make() const;
  // Adds one input row with `weight` (negative retracts). `args[i]` is call i's argument (NULL for
  // count(*); nullopt: the call's filter leaves the row out). Throws sql::eval_error for a data
  // error, before changing anything. With `changed`, appends the multiset entries it touched (a
  // caller passes it for a group stored apart; an inline group is written whole).
  void add(group_state& state, const aggregate_args& args, std::int64_t weight,
           changed_values* changed = nullptr) const;
  // into += sign * from; sign −1 takes a merged state back out (every aggregate here is a group).
  void merge(group_state& into, const group_state& from, std::int64_t sign = 1) const;
  // Appends each call's current result to `out`.
  void results(const group_state& state, sql::row& out) const;
  // Evaluates every call's FILTER and argument over `input` into `args` (resized to the call count).
  void eval_args(const sql::row& input, aggregate_args& args) const;

  // The running fields, and the multisets unless they are stored apart.
  std::string serialize(const group_state& state) const;
  bool deserialize(std::string_view in, group_state& state) const;
  // Appends every multiset entry of `state` to `out` (all of them must go when the state is dropped).
  void append_all_values(const group_state& state, changed_values& out) const;
  // Flush: writes `state` under `group_key` (erases it when `state` is null: the group is gone) and
  // the multiset entries `dirty` lists as the state's storage needs, under `group_key` with value_tag
  // for the group_tag at `tag_at`; moves a group past inline_values_limit to entries apart. Clears
  // `dirty.changed`.
  void write_group(group_state* state, dirty_group& dirty, std::string group_key, std::size_t tag_at,
                   write_batch& batch) const;
  // Reads one entry written apart (`key` past the group's value_tag key) back into `state`'s
  // multiset; the running fields come from deserialize. False when it does not decode or `state`
  // keeps its values inline.
  bool restore_value(decoder& key, std::string_view value, group_state& state) const;

 private:
  void write_values(const group_state* state, changed_values& changed, const std::string& key_prefix,
                    write_batch& batch) const;
  sql::value result(const sql::aggregate_call& call, const accumulator& acc) const;
  bool keeps_extreme_only(const sql::aggregate_call& call, const group_state& state) const;
  std::vector<sql::aggregate_call> calls_;
  bool input_only_inserts_ = false;
};

}  // namespace sluice::stream
