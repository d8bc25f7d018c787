#include "stream/join_rows.h"

#include <utility>

namespace sluice::stream {

std::size_t join_rows::home(std::size_t hash) const {
  // Fibonacci hashing: hash_row's low bits are not mixed enough to index by alone.
  return static_cast<std::size_t>((hash * 0x9e3779b97f4a7c15ULL) >> shift_);
}

std::size_t join_rows::probe(const sql::row& key, std::size_t hash) const {
  std::size_t mask = table_.size() - 1;
  for (std::size_t i = home(hash);; i = (i + 1) & mask) {
    const table_entry& e = table_[i];
    if (e.first == none) return i;
    if (e.hash == hash && sql::compare_rows(e.key, key) == 0) return i;
  }
}

std::size_t join_rows::entry_of(id r, std::size_t hash) const {
  std::size_t mask = table_.size() - 1;
  for (std::size_t i = home(hash);; i = (i + 1) & mask) {
    const table_entry& e = table_[i];
    if (e.hash == hash && (e.first == r || e.last == r)) return i;
  }
}

join_rows::id join_rows::find(const sql::row& key, std::size_t hash) const {
  if (keys_ == 0) return none;
  return table_[probe(key, hash)].first;
}

join_rows::id join_rows::add(const sql::row& key, std::size_t hash, join_row r) {
  if ((keys_ + 1) * 2 > table_.size()) grow_table();
  table_entry& e = table_[probe(key, hash)];
  if (e.first == none) {
    e.hash = hash;
    e.key = key;
    ++keys_;
  }
  id place;
  if (free_rows_.empty()) {
    if ((used_ & (block_rows - 1)) == 0) blocks_.push_back(std::make_unique<row_slot[]>(block_rows));
    place = used_++;
  } else {
    place = free_rows_.back();
    free_rows_.pop_back();
  }
  row_slot& s = slot(place);
  s.row = std::move(r);
  s.hash = hash;
  s.prev = e.last;
  s.next = none;
  if (e.last == none) {
    e.first = place;
  } else {
    slot(e.last).next = place;
  }
  e.last = place;
  ++rows_;
  return place;
}

void join_rows::remove(id r) {
  row_slot& s = slot(r);
  if (s.prev != none) slot(s.prev).next = s.next;
  if (s.next != none) slot(s.next).prev = s.prev;
  if (s.prev == none || s.next == none) {
    // An end of its key's list: the entry changes (rows in the middle never touch it).
    std::size_t at = entry_of(r, s.hash);
    table_entry& e = table_[at];
    if (e.first == r) e.first = s.next;
    if (e.last == r) e.last = s.prev;
    if (e.first == none) erase_entry(at);
  }
  s.row = join_row();  // frees the values now, not when the place is reused
  s.prev = free_place;
  free_rows_.push_back(r);
  --rows_;
}

void join_rows::erase_entry(std::size_t hole) {
  std::size_t mask = table_.size() - 1;
  // Backward-shift deletion: later entries of the probe run move into the hole when their home
  // allows it, so a lookup never stops early at a hole and no tombstones accumulate.
  for (std::size_t i = (hole + 1) & mask; table_[i].first != none; i = (i + 1) & mask) {
    std::size_t h = home(table_[i].hash);
    bool movable = hole <= i ? (h <= hole || h > i) : (h <= hole && h > i);
    if (!movable) continue;
    table_[hole] = std::move(table_[i]);
    hole = i;
  }
  table_[hole] = table_entry();
  --keys_;
}

void join_rows::grow_table() {
  constexpr int first_bits = 4;
  std::size_t size = table_.empty() ? std::size_t{1} << first_bits : table_.size() * 2;
  std::vector<table_entry> old = std::exchange(table_, std::vector<table_entry>(size));
  shift_ = table_.size() == (std::size_t{1} << first_bits) ? 64 - first_bits : shift_ - 1;
  std::size_t mask = table_.size() - 1;
  for (table_entry& e : old) {
    if (e.first == none) continue;
    std::size_t i = home(e.hash);
    while (table_[i].first != none) i = (i + 1) & mask;
    table_[i] = std::move(e);
  }
}

void join_rows::clear() {
  table_.clear();
  shift_ = 64;
  keys_ = 0;
  blocks_.clear();
  used_ = 0;
  free_rows_.clear();
  rows_ = 0;
}

}  // namespace sluice::stream
