// stream/source.h — where records enter a dataflow: decoding, upserts, event time and lateness.
//
// A SOURCE is append-only: each record value becomes one +row. A TABLE is an upsert relation over a
// keyed topic: a record replaces the row with the same primary key (emits −old, +new; nothing when
// unchanged) and a null value (tombstone) deletes it; the primary key comes from the value's columns,
// or from the record key (a JSON object of the key columns, or the bare value of a single key
// column) for tombstones and for values that leave it out. A malformed record is counted and handed
// to the dead-letter callback; a SOURCE event older than the watermark minus the allowed lateness is
// handed to the late-event callback. A source without WATERMARK has no event-time progress; a table
// never holds back the watermark of what it is joined with.
// A TABLE without a PRIMARY KEY is append-only: every record is a new row.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <unordered_map>

#include "sql/catalog.h"
#include "stream/decode.h"
#include "stream/diagnostics.h"
#include "stream/watermark.h"

namespace sluice::stream {

struct record {
  int partition = 0;
  std::optional<std::string_view> key;
  std::optional<std::string_view> value;  // nullopt: a tombstone
  bool padded = false;                    // at least decode_padding readable bytes follow `value`
};

struct source_options {
  std::int64_t allowed_lateness_micros = 0;
  std::chrono::milliseconds idle_timeout{30'000};
  wall_clock clock;  // empty: steady_clock
};

// The source's WITH (allowed_lateness = '10 seconds') in microseconds, or `fallback` without one;
// 22023 when the value is not a non-negative interval.
sql::sql_result<std::int64_t> allowed_lateness(const sql::relation_info& info, std::int64_t fallback);

class source_reader {
 public:
  // `info` is a source or table; its format comes from WITH (format = …), JSON by default.
  // `columns_read`: the columns the dataflow reads (empty: all); the others are validated, as every
  // column is, but left NULL. The event-time and primary-key columns are always read.
  static sql::sql_result<std::unique_ptr<source_reader>> make(const sql::relation_info& info,
                                                              const source_options& options,
                                                              std::string prefix, diagnostics* diag,
                                                              std::vector<bool> columns_read = {});

  // Decodes `records` into changes appended to `out`.
  void ingest(std::span<const record> records, sql::change_batch& out);
  // The watermark to hand downstream, after idle partitions are accounted for.
  std::int64_t advance_watermark();
  // The relation's topic has `count` partitions (see watermark_tracker::declare_partitions).
  void declare_partitions(int count) { tracker_.declare_partitions(count); }
  void flush(write_batch& batch);
  // After a restart: a table's rows and the event-time progress, as of the last flush.
  result<void> restore(state_store& store);

  const std::string& relation() const { return relation_; }
  bool is_table() const { return table_; }

 private:
  source_reader(const sql::relation_info& info, record_format format, const source_options& options,
                std::string prefix, diagnostics* diag, std::vector<bool> columns_read);
  void ingest_event(const record& r, sql::change_batch& out);
  void ingest_upsert(const record& r, sql::change_batch& out);
  bool key_from_record(std::string_view key, sql::row& pk);
  void reject(const record& r, std::string error);

  std::string relation_;
  bool table_;
  sql::schema schema_;
  std::vector<int> primary_key_;
  std::optional<sql::watermark_spec> watermark_spec_;
  row_decoder decoder_;
  row_decoder key_decoder_;
  watermark_tracker tracker_;
  std::string prefix_;
  std::string saved_progress_;  // the tracker as last flushed: unchanged progress is not rewritten
  diagnostics* diag_;
  std::unordered_map<sql::row, sql::row, sql::row_hash, sql::row_equal> rows_;  // table: key → row
  std::unordered_map<sql::row, bool, sql::row_hash, sql::row_equal> dirty_;
};

}  // namespace sluice::stream
