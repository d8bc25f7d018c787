// stream/operator.h — the interface every dataflow operator implements, and change consolidation.
//
// Roles as in DuckDB's physical operators: a source (source.h) turns records into changes, an
// operator maps input changes to output changes, and the sink (view.h) is the dataflow's end.
// Operators are driven by one thread (the dataflow's): on_changes for each input batch,
// on_watermark when the minimum watermark over its inputs advances, flush at a batch boundary to
// write the state changed since the last flush into the store's write_batch. Changes are Z-set
// deltas: an update is −old, +new; stateful operators consolidate what they emit (no row twice, no
// zero weights).
#pragma once

#include <cstdint>
#include <limits>

#include "sql/value.h"
#include "stream/codec.h"
#include "stream/state_store.h"

namespace sluice::stream {

// Event time and watermarks are microseconds, like sql timestamps.
inline constexpr std::int64_t no_watermark = std::numeric_limits<std::int64_t>::min();
inline constexpr std::int64_t end_of_time = std::numeric_limits<std::int64_t>::max();

class stream_operator {
 public:
  virtual ~stream_operator() = default;
  virtual int input_count() const { return 1; }
  // Once, before any input: the output of the empty input (a global aggregate's single row).
  virtual void on_start(sql::change_batch& /*out*/) {}
  // Consumes `in` (rows may be moved out) arriving on input `port`; appends results to `out`.
  virtual void on_changes(int port, sql::change_batch& in, sql::change_batch& out) = 0;
  // The watermark of all inputs is now `watermark` (monotone): emit what it completes.
  virtual void on_watermark(std::int64_t /*watermark*/, sql::change_batch& /*out*/) {}
  // Batch boundary: append the state changed since the last flush.
  virtual void flush(write_batch& /*batch*/) {}
  // After a restart: replaces the in-memory state with what the store holds under the operator's
  // prefix (the state as of the last committed batch).
  virtual result<void> restore(state_store& /*store*/) { return {}; }
};

// Visits every entry under `prefix` with a decoder over the rest of its key. `fn` returns false when
// an entry does not decode: corruption, since the store holds only the operators' own writes.
template <typename F>
result<void> restore_entries(state_store& store, std::string_view prefix, F&& fn) {
  bool ok = true;
  SLUICE_RETURN_IF_ERROR(store.scan_prefix(prefix, [&](std::string_view k, std::string_view v) {
    decoder key(k.substr(prefix.size()));
    ok = fn(key, v);
    return ok;
  }));
  if (!ok) return fail(errc::corruption, "stream operator state does not decode");
  return {};
}

// Sums the weights of equal rows and drops rows whose weight sums to zero. Keeps first-seen order.
void consolidate(sql::change_batch& batch);

// Writes the state an operator keeps per row under [prefix][row]: `value`, or an erase when null.
void write_row_state(write_batch& batch, const std::string& prefix, const sql::row& r,
                     const std::string* value);

}  // namespace sluice::stream
