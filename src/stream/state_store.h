// stream/state_store.h — where operators keep their state: an ordered byte-string key/value map.
//
// Keys compare bytewise (memcmp order); codec.h encodes rows so that this order is the rows' order.
// Each operator owns the keys under its own prefix (state_prefix). Writes go through a write_batch
// applied atomically at a batch boundary, so the store always holds the state as of the end of a
// whole input batch — the point exactly-once checkpoints will snapshot. A store is used from one
// thread at a time (the dataflow's); implementations need no locking of their own.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"

namespace sluice::stream {

// An append-only byte log kept beside a store's keys — where a view keeps its rows: appending them to
// a file costs a fraction of storing them as keys. A log grows only through write_batch::append and
// state_store::write, which appends and syncs it before applying the batch's keys; so the length its
// owner stores in that batch is durable whenever the keys are. Checkpoints do not copy logs: after a
// restart the owner truncates its log back to the length the restored keys hold.
class state_log {
 public:
  virtual ~state_log() = default;
  virtual result<std::uint64_t> size() = 0;
  // Appends `out` with the log's bytes [offset, offset + length); fails if the log is shorter.
  virtual result<void> read(std::uint64_t offset, std::uint64_t length, std::string& out) = 0;
  virtual result<void> truncate(std::uint64_t size) = 0;
  // For state_store::write only.
  virtual result<void> append(std::string_view bytes) = 0;
  virtual result<void> sync() = 0;
};

// Puts and erases to apply together, in order (a later op on a key wins). The ops live back to back in
// one buffer, so a batch of a million small writes costs a few reallocations, not two allocations each.
class write_batch {
 public:
  struct op {
    std::string_view key;
    std::optional<std::string_view> value;  // nullopt: erase
  };
  void put(std::string_view key, std::string_view value);
  void erase(std::string_view key);
  // Bytes to append to `log` before any key is written. They are not copied: they must stay valid
  // and unchanged until the batch is written.
  void append(state_log& log, std::string_view bytes) { appends_.push_back({&log, bytes}); }
  // Calls fn(const op&) for each op in order.
  template <typename F>
  void for_each(F&& fn) const {
    std::string_view rest = buf_;
    while (!rest.empty()) fn(next_op(rest));
  }
  // The ops in order, as views into the batch (valid until it changes).
  std::vector<op> ops() const;
  std::size_t size() const { return count_; }
  bool empty() const { return count_ == 0 && appends_.empty(); }
  // The bytes the ops take, and room for that many, so a large batch is not built by doubling.
  std::size_t bytes() const { return buf_.size(); }
  void reserve(std::size_t bytes) { buf_.reserve(bytes); }
  void clear() {
    buf_.clear();
    count_ = 0;
    appends_.clear();
  }

  struct log_append {
    state_log* log;
    std::string_view bytes;
  };
  const std::vector<log_append>& appends() const { return appends_; }
  // Appends every log_append, then syncs each log appended to: what write() does first.
  result<void> write_appends() const;

 private:
  // Decodes the op at the front of `rest` and advances past it.
  static op next_op(std::string_view& rest);

  std::string buf_;  // per op: kind byte (0 erase, 1 put), key length, key, [value length, value]
  std::size_t count_ = 0;
  std::vector<log_append> appends_;
};

// Called for each entry of a scan in key order; return false to stop.
using scan_fn = std::function<bool(std::string_view key, std::string_view value)>;

class state_store {
 public:
  virtual ~state_store() = default;
  virtual result<std::optional<std::string>> get(std::string_view key) = 0;
  virtual result<void> put(std::string_view key, std::string_view value) = 0;
  virtual result<void> erase(std::string_view key) = 0;
  // Visits keys in [begin, end) in order; an empty `end` means no upper bound.
  virtual result<void> scan(std::string_view begin, std::string_view end, const scan_fn& fn) = 0;
  // Applies the batch: its log appends (synced), then its keys. Not atomic against a crash: the live
  // store is never read after one (a restart restores a checkpoint), so a store may apply a large
  // batch in pieces.
  virtual result<void> write(const write_batch& batch) = 0;
  // The log named `name`, created empty if there is none. Names are the caller's to keep unique.
  virtual result<std::shared_ptr<state_log>> open_log(std::string_view name) = 0;
  virtual result<void> remove_log(std::string_view name) = 0;
  // Removes the logs nobody opened since the store was opened: those of views dropped or rebuilt
  // before a crash. Call once every view has been restored.
  virtual result<void> remove_unopened_logs() = 0;
  // Roughly how many bytes keys in [begin, end) take (on disk and in memory), for monitoring; an
  // empty `end` means no upper bound. Cheap: no scan.
  virtual std::uint64_t approximate_size(std::string_view begin, std::string_view end) = 0;
  // Writes a consistent copy of everything written so far to `dir` (which must not exist), durably.
  // Incremental where the store allows (RocksDB hard-links its immutable files).
  virtual result<void> checkpoint(const std::string& dir) = 0;

  // Visits every key starting with `prefix`.
  result<void> scan_prefix(std::string_view prefix, const scan_fn& fn);
  // Removes every key starting with `prefix`, in one write.
  result<void> erase_prefix(std::string_view prefix);
};

// The smallest key greater than every key starting with `prefix` ("" if there is none).
std::string prefix_end(std::string_view prefix);

// An operator's key prefix: 2 bytes of its id in the dataflow, so prefixes never nest.
std::string state_prefix(int operator_id);

std::unique_ptr<state_store> make_memory_store();
// Opens (creating if needed) a RocksDB database in `dir`, with its logs as files in `logs_dir`.
result<std::unique_ptr<state_store>> open_rocksdb_store(const std::string& dir, const std::string& logs_dir);

}  // namespace sluice::stream
