// stream/view.h — the materialized view: the dataflow's sink.
//
// Keeps the view's rows as row → multiplicity, in memory and in the state store (under its prefix,
// written at each batch boundary). Each batch of changes is consolidated, applied, then handed to
// every subscriber, so a subscriber that starts from a snapshot and applies the batches it receives
// always holds the view's exact contents. snapshot() may be called from another thread (pull
// queries): it sees the view as of a batch boundary, never half a batch.
#pragma once

#include <functional>
#include <mutex>
#include <unordered_map>
#include <vector>

#include "sql/value.h"
#include "stream/state_store.h"

namespace sluice::stream {

// Returns false to unsubscribe.
using subscriber = std::function<bool(const sql::change_batch&)>;

class view_sink {
 public:
  view_sink(sql::schema schema, std::string prefix)
      : schema_(std::move(schema)), prefix_(std::move(prefix)) {}

  // Applies one batch (consolidating it first) and notifies subscribers.
  void apply(sql::change_batch& batch);
  void flush(write_batch& batch);
  // Reloads the rows from the store (after a restart).
  result<void> restore(state_store& store);

  // The current rows, each repeated by its multiplicity, in no particular order.
  std::vector<sql::row> snapshot() const;
  // Takes a snapshot and subscribes with no batch in between. REQUIRES: the pipeline's thread.
  std::vector<sql::row> subscribe(subscriber fn);
  std::size_t size() const;
  const sql::schema& schema() const { return schema_; }
  // Rows with a negative multiplicity: always 0 for a correct dataflow (checked by the tests).
  std::size_t negative_rows() const;

 private:
  sql::schema schema_;
  std::string prefix_;
  mutable std::mutex mu_;  // guards rows_ against snapshot() from other threads
  std::unordered_map<sql::row, std::int64_t, sql::row_hash, sql::row_equal> rows_;
  std::vector<subscriber> subscribers_;
  std::unordered_map<std::string, std::int64_t> pending_;  // store key → multiplicity (0: erase)
};

}  // namespace sluice::stream
