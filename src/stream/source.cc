#include "stream/source.h"

#include <fmt/format.h>

#include "sql/cast.h"
#include "stream/codec.h"
#include "stream/operator.h"
#include "stream/window_assign.h"

namespace sluice::stream {
namespace {

sql::schema key_schema(const sql::relation_info& info) {
  sql::schema s;
  for (int i : info.primary_key) s.push_back(info.columns[static_cast<std::size_t>(i)]);
  return s;
}

std::string describe_payload(const record& r) { return r.value ? std::string(*r.value) : std::string(); }

}  // namespace

sql::sql_result<std::int64_t> allowed_lateness(const sql::relation_info& info, std::int64_t fallback) {
  auto it = info.options.find("allowed_lateness");
  if (it == info.options.end()) return fallback;
  try {
    std::int64_t micros =
        sql::cast_from_text(it->second, sql::data_type::interval).as_interval().approximate_micros();
    if (micros >= 0) return micros;
  } catch (const sql::eval_error&) {
  }
  return sql::sql_fail(
      sql::sqlstate::invalid_parameter_value,
      fmt::format("allowed_lateness must be a non-negative interval such as '10 seconds', got \"{}\"",
                  it->second));
}

sql::sql_result<std::unique_ptr<source_reader>> source_reader::make(const sql::relation_info& info,
                                                                    const source_options& options,
                                                                    std::string prefix, diagnostics* diag,
                                                                    std::vector<bool> columns_read) {
  auto it = info.options.find("format");
  SLUICE_ASSIGN_OR_RETURN(record_format format, parse_format(it == info.options.end() ? "json" : it->second));
  SLUICE_ASSIGN_OR_RETURN(std::int64_t lateness, allowed_lateness(info, options.allowed_lateness_micros));
  source_options with_lateness = options;
  with_lateness.allowed_lateness_micros = lateness;
  return std::unique_ptr<source_reader>(
      new source_reader(info, format, with_lateness, std::move(prefix), diag, std::move(columns_read)));
}

namespace {

// A dead letter's reason: the error and its detail, on one line.
std::string dead_letter_reason(const sql::sql_error& e) {
  return e.detail.empty() ? e.message : e.message + ": " + e.detail;
}

// What the decoder materializes: the columns read, and those the source itself needs.
std::vector<bool> columns_to_decode(const sql::relation_info& info, std::vector<bool> read) {
  if (read.empty()) return read;
  read.resize(info.columns.size());
  if (info.watermark) read[static_cast<std::size_t>(info.watermark->column)] = true;
  for (int c : info.primary_key) read[static_cast<std::size_t>(c)] = true;
  return read;
}

}  // namespace

source_reader::source_reader(const sql::relation_info& info, record_format format,
                             const source_options& options, std::string prefix, diagnostics* diag,
                             std::vector<bool> columns_read)
    : relation_(info.name),
      table_(info.kind == sql::relation_kind::table),
      schema_(info.columns),
      primary_key_(info.primary_key),
      watermark_spec_(info.watermark),
      decoder_(format, info.columns, columns_to_decode(info, std::move(columns_read))),
      key_decoder_(record_format::json, key_schema(info)),
      tracker_({info.watermark ? info.watermark->delay_micros : 0, options.allowed_lateness_micros,
                options.idle_timeout},
               options.clock),
      prefix_(std::move(prefix)),
      diag_(diag) {}

void source_reader::reject(const record& r, std::string error) {
  diag_->report(dead_letter{relation_, std::move(error), describe_payload(r), r.partition});
}

void source_reader::ingest(std::span<const record> records, sql::change_batch& out) {
  out.reserve(out.size() + records.size());
  for (const record& r : records) {
    // A table without a primary key has nothing to upsert by: every record is a new row.
    if (table_ && !primary_key_.empty()) {
      ingest_upsert(r, out);
    } else {
      ingest_event(r, out);
    }
  }
}

void source_reader::ingest_event(const record& r, sql::change_batch& out) {
  tracker_.touch(r.partition);
  if (!r.value) return;  // a tombstone means nothing to an append-only source
  sql::row row;
  if (auto ok = decoder_.decode(*r.value, row, r.padded); !ok)
    return reject(r, dead_letter_reason(ok.error()));
  if (watermark_spec_) {
    const sql::value& t = row[static_cast<std::size_t>(watermark_spec_->column)];
    if (t.is_null()) return reject(r, "the event time column is NULL");
    std::int64_t event_time = event_time_micros(t);
    if (!tracker_.observe(r.partition, event_time)) {
      diag_->report(
          late_event{relation_,
                     fmt::format("event time {} is before the watermark {} minus the allowed lateness",
                                 t.to_text(), sql::value::timestamp(tracker_.late_before()).to_text()),
                     describe_payload(r), event_time, tracker_.late_before(), r.partition});
      return;
    }
  }
  out.push_back({std::move(row), 1});
}

bool source_reader::key_from_record(std::string_view key, sql::row& pk) {
  if (!key.empty() && key.front() == '{') return key_decoder_.decode(key, pk).has_value();
  if (primary_key_.size() != 1) return false;
  if (key.size() >= 2 && key.front() == '"' && key.back() == '"') key = key.substr(1, key.size() - 2);
  try {
    pk.assign(1, sql::cast_from_text(key, schema_[static_cast<std::size_t>(primary_key_[0])].type));
  } catch (const sql::eval_error&) {
    return false;
  }
  return true;
}

void source_reader::ingest_upsert(const record& r, sql::change_batch& out) {
  sql::row pk;
  sql::row row;
  if (r.value) {
    if (auto ok = decoder_.decode(*r.value, row, r.padded); !ok)
      return reject(r, dead_letter_reason(ok.error()));
    for (int i : primary_key_) pk.push_back(row[static_cast<std::size_t>(i)]);
  }
  bool pk_missing = !r.value;
  for (const sql::value& v : pk) pk_missing = pk_missing || v.is_null();
  if (pk_missing) {
    sql::row from_key;
    if (!r.key || !key_from_record(*r.key, from_key)) return reject(r, "the record has no primary key");
    pk = std::move(from_key);
    if (r.value) {
      for (std::size_t i = 0; i < primary_key_.size(); ++i)
        row[static_cast<std::size_t>(primary_key_[i])] = pk[i];
    }
  }
  auto it = rows_.find(pk);
  if (it != rows_.end() && r.value && sql::compare_rows(it->second, row) == 0) return;
  if (it != rows_.end()) {
    out.push_back({std::move(it->second), -1});
    rows_.erase(it);
  }
  if (r.value) {
    out.push_back({row, 1});
    rows_.emplace(pk, std::move(row));
  }
  dirty_[std::move(pk)] = true;
}

std::int64_t source_reader::advance_watermark() {
  if (table_) return end_of_time;
  if (!watermark_spec_) return no_watermark;
  return tracker_.advance();
}

// Keys under the source's prefix: "r" + primary key → a table's row; "w" → the watermark tracker.
void source_reader::flush(write_batch& batch) {
  // Only event time has progress worth keeping (a source without WATERMARK has none).
  if (watermark_spec_) {
    std::string progress = tracker_.save();
    if (progress != saved_progress_) {
      batch.put(prefix_ + "w", progress);
      saved_progress_ = std::move(progress);
    }
  }
  for (const auto& [pk, unused] : dirty_) {
    std::string key = prefix_ + "r";
    append_row(key, pk);
    auto it = rows_.find(pk);
    if (it == rows_.end()) {
      batch.erase(std::move(key));
    } else {
      batch.put(std::move(key), encode_row(it->second));
    }
  }
  dirty_.clear();
}

result<void> source_reader::restore(state_store& store) {
  rows_.clear();
  SLUICE_ASSIGN_OR_RETURN(auto progress, store.get(prefix_ + "w"));
  if (progress) {
    if (!tracker_.load(*progress))
      return fail(errc::corruption, "source " + relation_ + ": watermark state does not decode");
    saved_progress_ = std::move(*progress);
  }
  return restore_entries(store, prefix_ + "r", [&](decoder& k, std::string_view v) {
    sql::row pk;
    auto row = decode_row(v);
    if (!k.read_row(pk) || !row) return false;
    rows_.emplace(std::move(pk), std::move(*row));
    return true;
  });
}

}  // namespace sluice::stream
