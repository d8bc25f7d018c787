// stream/set_operation.h — UNION ALL, INTERSECT [ALL] and EXCEPT [ALL] of two inputs with the same
// columns. UNION ALL passes both inputs' changes through and keeps nothing. The others keep, per row,
// its multiplicity in each input, and emit the change of sql::set_multiplicity when an input's
// changes move it, so the output is always the set operation of the inputs as they stand.
// State: row → (left count, right count).
#pragma once

#include <unordered_map>
#include <unordered_set>

#include "sql/plan.h"
#include "stream/operator.h"

namespace sluice::stream {

class union_all_operator final : public stream_operator {
 public:
  int input_count() const override { return 2; }
  void on_changes(int port, sql::change_batch& in, sql::change_batch& out) override;
};

class set_operator final : public stream_operator {
 public:
  set_operator(sql::set_operation op, std::string prefix) : op_(op), prefix_(std::move(prefix)) {}
  int input_count() const override { return 2; }
  void on_changes(int port, sql::change_batch& in, sql::change_batch& out) override;
  void flush(write_batch& batch) override;
  result<void> restore(state_store& store) override;

 private:
  struct counts {
    std::int64_t left = 0;
    std::int64_t right = 0;
  };
  sql::set_operation op_;
  std::string prefix_;
  std::unordered_map<sql::row, counts, sql::row_hash, sql::row_equal> counts_;
  std::unordered_set<sql::row, sql::row_hash, sql::row_equal> dirty_;
};

}  // namespace sluice::stream
