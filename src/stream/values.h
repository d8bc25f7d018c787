// stream/values.h — constant rows (SELECT without FROM): emitted once at start, never changed.
#pragma once

#include <vector>

#include "stream/operator.h"

namespace sluice::stream {

class values_operator final : public stream_operator {
 public:
  explicit values_operator(std::vector<sql::row> rows) : rows_(std::move(rows)) {}
  int input_count() const override { return 0; }
  void on_start(sql::change_batch& out) override {
    for (sql::row& r : rows_) out.push_back({std::move(r), 1});
    rows_.clear();
  }
  void on_changes(int /*port*/, sql::change_batch& /*in*/, sql::change_batch& /*out*/) override {}

 private:
  std::vector<sql::row> rows_;
};

}  // namespace sluice::stream
