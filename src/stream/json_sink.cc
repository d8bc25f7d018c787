#include "stream/json_sink.h"

#include <fmt/format.h>

#include <cmath>
#include <unordered_map>

#include "base/json_string.h"

namespace sluice::stream {

void append_json_value(std::string& out, const sql::value& v) {
  using sql::data_type;
  switch (v.type()) {
    case data_type::unknown:
      out += "null";
      return;
    case data_type::boolean:
      out += v.as_bool() ? "true" : "false";
      return;
    case data_type::bigint:
    case data_type::numeric:
      out += v.to_text();
      return;
    case data_type::double_precision:
      if (std::isfinite(v.as_double())) {
        out += v.to_text();
      } else {
        append_json_string(out, v.to_text());
      }
      return;
    case data_type::jsonb:
    case data_type::json:
      out += v.as_text();
      return;
    case data_type::text:
    case data_type::timestamp:
    case data_type::timestamptz:
    case data_type::date:
    case data_type::time:
    case data_type::interval:
      append_json_string(out, v.to_text());
      return;
    default:  // an array
      out += '[';
      for (std::size_t i = 0; i < v.as_array().size(); ++i) {
        if (i > 0) out += ',';
        append_json_value(out, v.as_array()[i]);
      }
      out += ']';
      return;
  }
}

json_sink_encoder::json_sink_encoder(sql::schema schema, std::vector<int> key_columns)
    : schema_(std::move(schema)), key_columns_(std::move(key_columns)) {
  if (key_columns_.empty()) {
    for (std::size_t i = 0; i < schema_.size(); ++i) key_columns_.push_back(static_cast<int>(i));
  }
}

std::string json_sink_encoder::row_json(const sql::row& r) const {
  std::string out = "{";
  for (std::size_t i = 0; i < schema_.size(); ++i) {
    if (i > 0) out.push_back(',');
    append_json_string(out, schema_[i].name);
    out.push_back(':');
    append_json_value(out, r[i]);
  }
  return out + "}";
}

std::string json_sink_encoder::key_json(const sql::row& r) const {
  std::string out = "{";
  for (std::size_t i = 0; i < key_columns_.size(); ++i) {
    auto col = static_cast<std::size_t>(key_columns_[i]);
    if (i > 0) out.push_back(',');
    append_json_string(out, schema_[col].name);
    out.push_back(':');
    append_json_value(out, r[col]);
  }
  return out + "}";
}

std::vector<keyed_record> json_sink_encoder::encode(const sql::change_batch& batch) const {
  std::vector<keyed_record> out;
  std::unordered_map<std::string, std::size_t> index;  // key → its record in `out`
  for (const sql::change& c : batch) {
    std::string key = key_json(c.values);
    auto [it, created] = index.try_emplace(key, out.size());
    if (created) out.push_back({std::move(key), std::nullopt});
    if (c.weight > 0) out[it->second].value = row_json(c.values);
  }
  return out;
}

}  // namespace sluice::stream
