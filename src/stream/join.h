// stream/join.h — a symmetric hash join on equality keys, inner or outer (left, right, full), over
// weighted changes.
//
// Both inputs are kept in state (key → multiset of rows), so a change on either side — a new order,
// an updated or deleted customer — emits exactly the change of the SQL join's result: a change on one
// side is joined with the other side's current rows, then added to its own side. On an outer side
// (the left of a LEFT join, the right of a RIGHT join, both of a FULL one) a row with no match is
// emitted padded with NULLs; the padded row is retracted when its first match arrives and re-emitted
// when its last match goes. NULL keys never match. Output is
// consolidated per batch. State: [sequence] → (side, key, row, weight), each stored row numbered
// when it first arrives, so the store's keys are short and ascending (cheap to insert) and a row that
// comes and goes between two flushes is never written at all. When both inputs only insert, equal
// rows are stored apart and rows are never looked up by value (so never hashed whole), and the state
// is kept in chunks instead: each flush writes the rows it adds as one value (or a few), so a row
// costs its encoding, not a key of its own and later a tombstone. A chunk is erased when its last
// row has expired; when expired rows held by chunks outnumber the live ones, the sparse chunks'
// live rows are written again into a new chunk, so the stored rows stay within twice the live ones.
// Chunks hold no record of which of their rows expired: a restore drops those rows again at the
// watermark it saved with them.
//
// Interval joins forget rows that can no longer match. When both inputs only insert and the condition
// bounds a side's timestamp by the other side's event time from below (`a.t >= b.event_time + c`,
// as `b.date_time BETWEEN a.date_time AND a.expires` bounds auctions by bids), a row whose timestamp
// is below that bound at the watermark meets no future row of the other side: every later row there
// has event time ≥ the watermark. Such rows leave the state (not the output), so the state holds
// the rows within the interval instead of the whole history.
#pragma once

#include <deque>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "sql/plan.h"
#include "stream/diagnostics.h"
#include "stream/join_rows.h"
#include "stream/operator.h"

namespace sluice::stream {

// Rows of `side` whose `column` (a timestamp) is below `bound` at the watermark meet no future row.
struct join_expiry {
  int side = 0;
  int column = 0;   // in the side's own row
  sql::expr bound;  // over left ++ right, reading only `time_column`: the other side's event time
  int time_column = 0;
  sql::data_type time_type = sql::data_type::timestamp;
};

struct join_spec {
  sql::join_type type = sql::join_type::inner;
  std::vector<sql::expr> left_keys;
  std::vector<sql::expr> right_keys;
  sql::expr residual;  // over left ++ right
  std::size_t right_width = 0;
  std::optional<join_expiry> expiry[2];  // per side; set only when both inputs only insert
  // Both inputs only insert: the output needs no consolidation (nothing can cancel), which saves
  // hashing every row twice.
  bool inputs_only_insert = false;
  std::size_t left_width = 0;  // for padding right rows (RIGHT and FULL joins)
};

class join_operator final : public stream_operator {
 public:
  join_operator(join_spec spec, std::string prefix, diagnostics* diag);
  int input_count() const override { return 2; }
  void on_changes(int port, sql::change_batch& in, sql::change_batch& out) override;
  void on_watermark(std::int64_t watermark, sql::change_batch& out) override;
  void flush(write_batch& batch) override;
  result<void> restore(state_store& store) override;
  // The rows both sides hold.
  std::size_t stored_rows() const;

 private:
  using row_id = join_rows::id;
  // A row's values with their hash, computed once.
  struct row_ref {
    const sql::row* values;
    std::size_t hash;
  };
  struct row_ref_hash {
    std::size_t operator()(const row_ref& r) const noexcept { return r.hash; }
  };
  struct row_ref_equal {
    bool operator()(const row_ref& x, const row_ref& y) const {
      return x.hash == y.hash && (x.values == y.values || sql::compare_rows(*x.values, *y.values) == 0);
    }
  };
  // Finds a stored row by its values (row → key is a function, so the row alone names it). Only kept
  // when rows can be retracted: a join whose inputs only insert never looks a row up, and so never
  // hashes a whole row. The values' address is stable while the row is stored.
  using row_index = std::unordered_map<row_ref, row_id, row_ref_hash, row_ref_equal>;
  // A row's state to write at the next flush; weight 0 erases it. `row` names it in sides_ while it
  // is there (weight ≠ 0).
  struct pending_write {
    int side = 0;
    std::int64_t weight = 0;
    row_id row = join_rows::none;
  };
  // How many rows a chunk was written with, and how many of them are still stored.
  struct chunk_count {
    std::size_t rows = 0;
    std::size_t live = 0;
  };
  // An entry of a side's expiry heap: a row and its expiring timestamp.
  struct timed_row {
    std::int64_t time;
    row_id row;
  };

  bool key_of(int side, const sql::row& r, sql::row& key);
  // Whether the residual holds for l ++ r. It is evaluated over the few columns it reads, so a pair
  // that fails it costs no joined row.
  bool matches(const sql::row& l, const sql::row& r);
  void compact_residual();
  static sql::row joined(const sql::row& l, const sql::row& r);
  // Appends l ++ r with `weight` to `out` when the residual holds.
  void emit_if_matches(const sql::row& l, const sql::row& r, std::int64_t weight, sql::change_batch& out);
  // Unmatched rows of `side` appear padded with NULLs (the left of a LEFT join, both of a FULL one).
  bool outer(int side) const;
  // Joins a change of `side` with the other side's rows, keeps the padding of both sides exact, and
  // stores the change.
  void on_change(int side, sql::change& c, sql::change_batch& out);
  // The weight of the other side's rows from `first` on (those under one key) that `r`, of `side`,
  // matches.
  std::int64_t match_weight(int side, const sql::row& r, row_id first);
  // Adds `r` (moved from: the input row is consumed) under key_ on `side`.
  void add(int side, sql::row&& r, std::int64_t weight);
  // Stores a new row under key_ and indexes it (by `row_hash`) when rows are indexed; returns where
  // it is.
  row_id store_row(int side, sql::row&& r, std::size_t row_hash, std::int64_t weight, std::uint64_t seq);
  // The first retraction into a join that assumed inserts only: index every stored row, merging
  // equal rows, and stop forgetting rows (a retraction may concern one).
  void start_indexing();
  // `r` of `side` with NULLs for the other side's columns.
  sql::row padded(int side, const sql::row& r) const;
  std::string store_key(std::uint64_t seq) const;
  // Records that row `seq` now has `weight` (0: gone) for the next flush.
  void changed(int side, std::uint64_t seq, std::int64_t weight, row_id r);
  void index_for_expiry(int side, row_id r);
  void expire(int side, std::int64_t watermark);
  // A stored row left: its chunk loses a live row, or its pending write is cancelled.
  void forget(int side, row_id r);
  // Rows are to be stored one key each from now on: every chunk goes, every row is written again.
  void leave_chunks();
  void flush_rows(write_batch& batch);
  void flush_chunks(write_batch& batch);
  std::string chunk_key(std::uint64_t chunk) const;
  std::string watermark_key() const { return prefix_ + "w"; }
  result<void> restore_chunk(std::uint64_t chunk, std::string_view value);

  join_spec spec_;
  std::string prefix_;
  diagnostics* diag_;
  sql::expr residual_;                 // spec_.residual over residual_row_
  std::vector<int> residual_columns_;  // residual_row_[i] is column residual_columns_[i] of l ++ r
  sql::row residual_row_;
  join_rows sides_[2];
  row_index index_[2];
  // Rows can be retracted: index_ is kept, batches are consolidated, and no row is forgotten by
  // expiry (it might be retracted later). Set for good by the first retraction.
  bool indexed_;
  sql::row key_;  // the key of the change being processed (reused: no allocation per change)
  std::size_t key_hash_ = 0;
  // Rows numbered since the last flush (most changes), by sequence − flushed_seq_; weight 0 there means
  // the row came and went and is never written. Older rows' changes are few and kept by sequence.
  std::vector<pending_write> pending_new_;
  std::unordered_map<std::uint64_t, pending_write> pending_old_;
  std::uint64_t next_seq_ = 0;
  std::uint64_t flushed_seq_ = 0;  // rows numbered from here on have never been written
  // Chunks (while no row is indexed): those in the store, and those to erase at the next flush.
  std::unordered_map<std::uint64_t, chunk_count> chunks_;
  std::vector<std::uint64_t> dead_chunks_;
  std::uint64_t next_chunk_ = 1;
  std::size_t chunked_live_ = 0;  // stored rows that a chunk holds
  std::size_t chunked_dead_ = 0;  // expired rows that a chunk still holds
  // The watermark rows were last expired at, saved with the chunks.
  std::int64_t watermark_ = no_watermark;
  bool watermark_saved_ = true;
  // A side's rows by their expiring timestamp. Rows that arrive in time order (bids by date_time)
  // are appended to `in_order`, sorted by construction; the others (auctions by expires) wait in a
  // min-heap. A heap alone cost a cache miss per level for every row that left.
  class expiry_queue {
   public:
    void push(const timed_row& r);
    bool empty() const { return in_order_.empty() && heap_.empty(); }
    const timed_row& earliest() const;
    void pop();
    void clear();

   private:
    std::deque<timed_row> in_order_;
    std::vector<timed_row> heap_;
  };
  expiry_queue by_time_[2];  // per side with an expiry
};

}  // namespace sluice::stream
