// stream/view.h — the materialized view: the dataflow's sink.
//
// Keeps the view's rows in memory and in the state store (under its prefix, written at each commit).
// Each batch of changes is applied, then handed to every subscriber, so a subscriber that starts
// from a snapshot and applies the batches it receives always holds the view's exact contents.
// snapshot() may be called from another thread (pull queries): it sees the view as of a batch
// boundary, never half a batch.
//
// Two layouts, chosen by the compiler:
//   general      row → multiplicity (a hash map in memory; [prefix][encoded row] → count in the store).
//   append-only  for dataflows that only ever insert (filters and projections of a SOURCE, windowed
//                aggregates, inner joins of such inputs): rows are encoded back to back into a tail
//                buffer, and each flush hands the tail to the view's state_log (a file), so an insert
//                costs no hashing, no per-row allocation and no store write, and the view's memory is
//                what arrived since the last flush: older rows are read back through the page
//                cache. [prefix]"n" holds the log's incarnation, length and row count as of the flush;
//                a restart truncates the log back to that length and reads nothing. A retraction,
//                which such dataflows do not produce, is still applied correctly: a search for the
//                row, and a hole key [prefix]"h"[sequence].
#pragma once

#include <cstdint>
#include <functional>
#include <mutex>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "sql/value.h"
#include "stream/state_store.h"

namespace sluice::stream {

// Returns false to unsubscribe.
using subscriber = std::function<bool(const sql::change_batch&)>;

class view_sink {
 public:
  view_sink(sql::schema schema, std::string prefix, bool append_only = false)
      : schema_(std::move(schema)), prefix_(std::move(prefix)), append_only_(append_only) {}

  // Applies one batch and notifies subscribers.
  void apply(sql::change_batch& batch);
  void flush(write_batch& batch);
  // Before the first apply: start empty, or reload the rows from the store (after a restart).
  result<void> start(state_store& store);
  result<void> restore(state_store& store);
  // Removes what the view keeps outside the store's keys (DROP; the caller erases the keys).
  result<void> remove_log(state_store& store);

  // The current rows, each repeated by its multiplicity, in no particular order.
  std::vector<sql::row> snapshot() const;
  // The current rows `keep` accepts, in no particular order: a lookup that copies only what it finds.
  std::vector<sql::row> rows_where(const std::function<bool(const sql::row&)>& keep) const;
  // Takes a snapshot and subscribes with no batch in between. REQUIRES: the pipeline's thread.
  std::vector<sql::row> subscribe(subscriber fn);
  std::size_t size() const;
  // Bytes of the row log as of the last flush (append-only layout; 0 for the general one).
  std::uint64_t log_bytes() const;
  const sql::schema& schema() const { return schema_; }
  // Rows with a negative multiplicity (append-only: retractions of rows it does not hold): always 0
  // for a correct dataflow (checked by the tests).
  std::size_t negative_rows() const;

 private:
  // General layout.
  struct counted {
    std::int64_t count = 0;
    bool dirty = false;     // changed since the last flush
    std::uint64_t seq = 0;  // when the row last arrived: snapshots list rows in arrival order
  };
  void apply_counted(sql::change_batch& batch);
  void flush_counted(write_batch& batch);
  result<void> restore_counted(state_store& store);

  // Append-only layout.
  result<void> for_each_stored_row(const std::function<void(std::uint64_t, sql::row&)>& fn) const;
  void retract(std::string_view encoded);
  std::string hole_key(std::uint64_t seq) const;
  std::string log_name() const;
  void apply_appended(sql::change_batch& batch);
  void flush_appended(write_batch& batch);
  result<void> restore_appended(state_store& store);

  sql::schema schema_;
  std::string prefix_;
  bool append_only_;
  mutable std::mutex mu_;  // guards the rows against snapshot() from other threads
  std::vector<subscriber> subscribers_;
  std::size_t live_rows_ = 0;  // rows counted by multiplicity (negative counts excluded)

  std::unordered_map<sql::row, counted, sql::row_hash, sql::row_equal> counts_;
  std::vector<const sql::row*> dirty_;  // keys of counts_ with dirty set
  std::uint64_t arrivals_ = 0;          // the next counted::seq

  // Append-only layout: the rows, encoded back to back, are the log's first written_ bytes, then
  // in_flight_ (handed to the last flush's batch, in the log once that batch is written), then tail_
  // (since the last flush). Only the last two are in memory; the rest is read through the page cache.
  std::shared_ptr<state_log> log_;
  std::uint64_t incarnation_ = 0;  // names the log: a namesake view recreated later gets another
  std::uint64_t written_ = 0;
  std::string in_flight_;
  std::string tail_;
  std::uint64_t rows_ = 0;                   // sequences handed out, holes included
  std::unordered_set<std::uint64_t> holes_;  // sequences retracted
  std::vector<std::uint64_t> erased_;        // holes since the last flush
  bool log_state_saved_ = false;             // [prefix]"n" has been flushed since start()
  std::size_t unmatched_retractions_ = 0;
};

}  // namespace sluice::stream
