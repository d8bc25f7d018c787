// stream/join.h — a symmetric hash join on equality keys, inner or left outer, over weighted changes.
//
// Both inputs are kept in state (key → multiset of rows), so a change on either side — a new order,
// an updated or deleted customer — emits exactly the change of the SQL join's result: a change on one
// side is joined with the other side's current rows, then added to its own side. For a left join a
// left row with no matching right row is emitted padded with NULLs; the padded row is retracted when
// its first match arrives and re-emitted when its last match goes. NULL keys never match. Output is
// consolidated per batch. State: [side][key][row] → weight.
#pragma once

#include <string>
#include <unordered_map>
#include <vector>

#include "sql/plan.h"
#include "stream/diagnostics.h"
#include "stream/operator.h"

namespace sluice::stream {

struct join_spec {
  sql::join_type type = sql::join_type::inner;
  std::vector<sql::expr> left_keys;
  std::vector<sql::expr> right_keys;
  sql::expr residual;  // over left ++ right
  std::size_t right_width = 0;
};

class join_operator final : public stream_operator {
 public:
  join_operator(join_spec spec, std::string prefix, diagnostics* diag);
  int input_count() const override { return 2; }
  void on_changes(int port, sql::change_batch& in, sql::change_batch& out) override;
  void flush(write_batch& batch) override;
  result<void> restore(state_store& store) override;

 private:
  using multiset = std::unordered_map<sql::row, std::int64_t, sql::row_hash, sql::row_equal>;
  using side_state = std::unordered_map<sql::row, multiset, sql::row_hash, sql::row_equal>;

  bool key_of(int side, const sql::row& r, sql::row& key);
  bool matches(const sql::row& l, const sql::row& r, sql::row& joined);
  void on_left(sql::change& c, sql::change_batch& out);
  void on_right(sql::change& c, sql::change_batch& out);
  std::int64_t match_weight(const sql::row& l, const multiset& rights);
  void add(int side, const sql::row& key, const sql::row& r, std::int64_t weight);
  sql::row padded(const sql::row& l) const;

  join_spec spec_;
  std::string prefix_;
  diagnostics* diag_;
  side_state sides_[2];
  std::unordered_map<std::string, std::int64_t> pending_;  // store key → weight (0: erase)
};

}  // namespace sluice::stream
