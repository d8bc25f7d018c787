// stream/distinct.h — SELECT DISTINCT: a row is in the output once while its input multiplicity is
// positive. Emits +row when the multiplicity becomes positive and −row when it drops to zero, so the
// output is always a set. State: row → multiplicity.
#pragma once

#include <unordered_map>
#include <unordered_set>

#include "stream/codec.h"
#include "stream/operator.h"

namespace sluice::stream {

class distinct_operator final : public stream_operator {
 public:
  explicit distinct_operator(std::string prefix) : prefix_(std::move(prefix)) {}
  void on_changes(int port, sql::change_batch& in, sql::change_batch& out) override;
  void flush(write_batch& batch) override;
  result<void> restore(state_store& store) override;

 private:
  std::string prefix_;
  std::unordered_map<sql::row, std::int64_t, sql::row_hash, sql::row_equal> counts_;
  std::unordered_set<sql::row, sql::row_hash, sql::row_equal> dirty_;
};

}  // namespace sluice::stream
