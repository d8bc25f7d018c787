// stream/decode.h — a record value (JSON or CSV) to a row of the source's schema.
//
// JSON: an object; each column takes the field of the same name; a missing field or JSON null is
// NULL. Strings go through sql::cast_from_text (Postgres's input rules) into typed columns. A JSON
// number in a timestamp or timestamptz column is epoch milliseconds, in a date column epoch days;
// numbers and booleans into a text column are taken as their JSON text; a jsonb column keeps the
// field's raw JSON text (minified). CSV: fields by position (RFC 4180 quoting); an empty unquoted
// field is NULL; too few or too many fields is an error. Every failure is an error value with the
// text a dead letter carries; decoding never throws.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "sql/error.h"
#include "sql/value.h"

namespace sluice::stream {

enum class record_format : std::uint8_t { json, csv };

// Readable bytes after a record that let JSON be parsed where it lies (simdjson reads ahead by up to
// this much; what the bytes hold does not matter) instead of copied into a padded buffer first.
inline constexpr std::size_t decode_padding = 64;

class row_decoder {
 public:
  // `materialize`: the columns to decode into `out` (empty: all). The others are still checked —
  // a record is malformed or not whatever columns are read — but left NULL, which saves building
  // values (strings above all) that nothing reads.
  row_decoder(record_format format, sql::schema schema, std::vector<bool> materialize = {});
  ~row_decoder();
  row_decoder(row_decoder&&) noexcept;
  // Decodes `text` into `out` (resized to the schema). On error returns the reason. `padded`: at
  // least decode_padding readable bytes follow `text`.
  sql::sql_result<void> decode(std::string_view text, sql::row& out, bool padded = false);

 private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

// Parses "json" / "csv" (a WITH (format = '…') option).
sql::sql_result<record_format> parse_format(std::string_view name);

}  // namespace sluice::stream
