// stream/json_sink.h — a view's changes as keyed JSON records, for CREATE SINK … INTO topic.
//
// The record key is the view's key columns (group keys / primary key) as a JSON object; a view
// without key columns uses the whole row. Per key, a batch becomes one record: the new row as a JSON
// object when the key has a row after the batch (insert or update: −old,+new), or a tombstone (null
// value) when it has none (delete). So a compacted topic holds the view's current rows. Values:
// numbers and booleans as JSON, NULL as null, jsonb as its JSON, everything else as its Postgres text.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "sql/value.h"

namespace sluice::stream {

struct keyed_record {
  std::string key;
  std::optional<std::string> value;  // nullopt: tombstone
};

class json_sink_encoder {
 public:
  json_sink_encoder(sql::schema schema, std::vector<int> key_columns);
  // `batch` should be consolidated (view_sink::subscribe hands out consolidated batches).
  std::vector<keyed_record> encode(const sql::change_batch& batch) const;
  std::string row_json(const sql::row& r) const;
  std::string key_json(const sql::row& r) const;

 private:
  sql::schema schema_;
  std::vector<int> key_columns_;
};

void append_json_value(std::string& out, const sql::value& v);

}  // namespace sluice::stream
