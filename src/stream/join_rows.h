// stream/join_rows.h — the rows one side of a join holds, grouped by their join key.
//
// Keys sit in a flat open-addressing table, each with its hash and the ends of its list of rows, so
// a probe reads one entry and looks at a key's values only when the hashes are equal. Rows sit in blocks
// that never move: a row keeps its id and its address while it is stored (the join's row index keeps
// pointers to its values), and a freed place is reused by the next row. A key's rows are listed in
// the order they were added; the key leaves with its last row. A node-based map of lists cost a
// cache miss per node visited, and an allocation per row and per key, on every insert and erase.
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "sql/value.h"

namespace sluice::stream {

struct join_row {
  sql::row values;
  std::int64_t weight = 0;
  std::uint64_t seq = 0;    // its key in the store
  std::uint64_t chunk = 0;  // the chunk that holds it (inserts only); 0: not written to one yet
};

class join_rows {
 public:
  using id = std::uint32_t;
  static constexpr id none = ~id{0};

  // The first row stored under `key` (whose hash_row is `hash`), or none.
  id find(const sql::row& key, std::size_t hash) const;
  // The row after `r` under the same key, or none.
  id next(id r) const { return slot(r).next; }
  // Stores `r` as the last row under `key`.
  id add(const sql::row& key, std::size_t hash, join_row r);
  // REQUIRES: `r` is stored.
  void remove(id r);
  join_row& row(id r) { return slot(r).row; }
  const join_row& row(id r) const { return slot(r).row; }
  std::size_t size() const { return rows_; }
  void clear();
  // Calls f(id) for every stored row; f may remove the row it is given, and add none.
  template <typename F>
  void for_each(F&& f) {
    for (id r = 0; r < used_; ++r) {
      if (slot(r).prev != free_place) f(r);
    }
  }

 private:
  static constexpr id free_place = none - 1;  // a row slot's `prev` while no row is there
  struct row_slot {
    join_row row;
    std::size_t hash = 0;  // its key's
    id prev = free_place;
    id next = none;
  };
  // A key, and its rows as a list through their slots. The key's hash is kept here, so a probe
  // reads a key's values only when the hashes are equal, and rows find their entry by hash alone:
  // the entry whose first or last row a row is, is its own.
  struct table_entry {
    std::size_t hash = 0;
    id first = none;  // none: an empty entry
    id last = none;
    sql::row key;
  };
  static constexpr int block_bits = 12;
  static constexpr id block_rows = id{1} << block_bits;

  row_slot& slot(id r) { return blocks_[r >> block_bits][r & (block_rows - 1)]; }
  const row_slot& slot(id r) const { return blocks_[r >> block_bits][r & (block_rows - 1)]; }
  std::size_t home(std::size_t hash) const;
  // The entry that holds `key`, or the empty entry where it would go.
  std::size_t probe(const sql::row& key, std::size_t hash) const;
  // The entry whose first or last row is `r` (which has hash `hash`).
  std::size_t entry_of(id r, std::size_t hash) const;
  void erase_entry(std::size_t at);
  void grow_table();

  std::vector<table_entry> table_;  // a power of two long, at most half full
  int shift_ = 64;                  // home() takes the hash's top bits
  std::size_t keys_ = 0;
  std::vector<std::unique_ptr<row_slot[]>> blocks_;
  id used_ = 0;  // row ids below this have been handed out
  std::vector<id> free_rows_;
  std::size_t rows_ = 0;
};

}  // namespace sluice::stream
