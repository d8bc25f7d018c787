#include "stream/decode.h"

#include <fmt/format.h>
#include <simdjson.h>

#include <cmath>
#include <optional>
#include <unordered_map>

#include "sql/cast.h"
#include "sql/jsonb_text.h"

namespace sluice::stream {
namespace {

using simdjson::dom::element;
using simdjson::dom::element_type;
using sql::data_type;

sql::value from_number_text(const element& e, const sql::column& col) {
  return sql::cast_from_text(simdjson::minify(e), col.type);
}

[[noreturn]] void wrong_type(const sql::column& col, const char* got) {
  throw sql::eval_error(sql::sqlstate::datatype_mismatch,
                        fmt::format("column \"{}\" is of type {} but the JSON value is {}", col.name,
                                    sql::type_name(col.type), got));
}

const char* json_type_name(element_type t) {
  switch (t) {
    case element_type::ARRAY:
      return "an array";
    case element_type::OBJECT:
      return "an object";
    case element_type::STRING:
      return "a string";
    case element_type::BOOL:
      return "a boolean";
    case element_type::NULL_VALUE:
      return "null";
    default:
      return "a number";
  }
}

sql::value timestamp_from_millis(double ms, data_type type) {
  auto micros = static_cast<std::int64_t>(std::llround(ms * 1000.0));
  return type == data_type::timestamp ? sql::value::timestamp(micros) : sql::value::timestamptz(micros);
}

sql::value timestamp_from_millis(const element& e, data_type type) {
  double ms = e.type() == element_type::INT64
                  ? static_cast<double>(std::int64_t(e))
                  : (e.type() == element_type::UINT64 ? static_cast<double>(std::uint64_t(e)) : double(e));
  return timestamp_from_millis(ms, type);
}

// A jsonb column: the field's JSON text, as Postgres keeps jsonb (keys ordered, numbers as written); a
// json column: the field's text as written.
bool on_demand_jsonb(simdjson::ondemand::value v, simdjson::ondemand::json_type t, data_type type,
                     sql::value& out) {
  if (t == simdjson::ondemand::json_type::null) {
    out = sql::value();
    return true;
  }
  std::optional<std::string_view> raw = sql::json_text(v);
  if (!raw) return false;
  out = type == data_type::json ? sql::value::json(std::string(*raw))
                                : sql::cast_from_text(*raw, data_type::jsonb);
  return true;
}

// The common conversions, read with simdjson On-Demand (which parses only what it visits); numbers
// into numeric and text columns and jsonb fields keep the text they were written with. Returns
// false for whatever json_to_value owns alone (booleans into text, integers beyond int64, type
// errors) and for malformed JSON: the DOM path then decodes the record, so values
// and error messages are the same either way.
bool on_demand_value(simdjson::ondemand::value v, const sql::column& col, sql::value& out) {
  using simdjson::ondemand::json_type;
  using simdjson::ondemand::number_type;
  json_type t{};
  if (v.type().get(t)) return false;
  if (col.type == data_type::jsonb || col.type == data_type::json)
    return on_demand_jsonb(v, t, col.type, out);
  switch (t) {
    case json_type::null:
      out = sql::value();
      return true;
    case json_type::string: {
      std::string_view s;
      if (v.get_string().get(s)) return false;
      out = sql::cast_from_text(s, col.type);
      return true;
    }
    case json_type::boolean: {
      bool b = false;
      if (col.type != data_type::boolean || v.get_bool().get(b)) return false;
      out = sql::value::boolean(b);
      return true;
    }
    case json_type::number:
      break;
    default:
      return false;
  }
  if (col.type == data_type::numeric || col.type == data_type::text) {  // as written: 12.50 keeps its scale
    std::string_view token = sql::json_scalar_text(v);
    simdjson::ondemand::number checked;  // text takes the token as it is: it must be a number
    if (col.type == data_type::text && v.get_number().get(checked)) return false;
    out = sql::cast_from_text(token, col.type);
    return true;
  }
  number_type kind{};
  if (v.get_number_type().get(kind)) return false;
  if (kind == number_type::signed_integer) {
    std::int64_t i = 0;
    if (v.get_int64().get(i)) return false;
    switch (col.type) {
      case data_type::bigint:
        out = sql::value::bigint(i);
        return true;
      case data_type::double_precision:
        out = sql::value::double_precision(static_cast<double>(i));
        return true;
      case data_type::timestamp:
      case data_type::timestamptz:
        out = timestamp_from_millis(static_cast<double>(i), col.type);
        return true;
      case data_type::date:
        out = sql::value::date(static_cast<std::int32_t>(i));
        return true;
      default:
        return false;
    }
  }
  if (kind != number_type::floating_point_number) return false;
  double d = 0;
  if (v.get_double().get(d)) return false;
  if (col.type == data_type::double_precision) {
    out = sql::value::double_precision(d);
    return true;
  }
  if (col.type != data_type::timestamp && col.type != data_type::timestamptz) return false;
  out = timestamp_from_millis(d, col.type);
  return true;
}

// One JSON field into a column's type. Throws sql::eval_error.
sql::value json_to_value(const element& e, const sql::column& col) {
  element_type t = e.type();
  if (t == element_type::NULL_VALUE) return {};
  if (col.type == data_type::jsonb || col.type == data_type::json)
    return sql::cast_from_text(simdjson::minify(e), col.type);
  if (t == element_type::STRING) return sql::cast_from_text(std::string_view(e), col.type);
  if (sql::is_array(col.type) && t == element_type::ARRAY) {
    // A JSON array fills an array column element by element, by the rules for its element type.
    sql::column item_column{col.name, sql::element_type(col.type)};
    std::vector<sql::value> items;
    for (element item : e.get_array()) {
      if (item.type() == element_type::ARRAY) {
        throw sql::eval_error(sql::sqlstate::feature_not_supported,
                              "multidimensional arrays are not supported");
      }
      items.push_back(json_to_value(item, item_column));
    }
    return sql::value::array(col.type, std::move(items));
  }
  bool number = t == element_type::INT64 || t == element_type::UINT64 || t == element_type::DOUBLE;
  switch (col.type) {
    case data_type::boolean:
      if (t == element_type::BOOL) return sql::value::boolean(bool(e));
      break;
    case data_type::bigint:
      if (t == element_type::INT64) return sql::value::bigint(std::int64_t(e));
      if (number) return from_number_text(e, col);  // the cast rejects 1.5 and out-of-range values
      break;
    case data_type::double_precision:
      if (number) return sql::value::double_precision(double(e));
      break;
    case data_type::numeric:
      if (number) return from_number_text(e, col);
      break;
    case data_type::text:
      if (number || t == element_type::BOOL) return sql::value::text(simdjson::minify(e));
      break;
    case data_type::timestamp:
    case data_type::timestamptz:
      if (number) return timestamp_from_millis(e, col.type);
      break;
    case data_type::date:
      if (t == element_type::INT64) return sql::value::date(static_cast<std::int32_t>(std::int64_t(e)));
      break;
    default:
      break;
  }
  wrong_type(col, json_type_name(t));
}

// True when `v` is sure to convert into `col` without building the value: what an unread column needs.
// False means "convert it to find out" (on_demand_value), not "malformed".
bool on_demand_converts(simdjson::ondemand::value v, const sql::column& col) {
  using simdjson::ondemand::json_type;
  using simdjson::ondemand::number_type;
  json_type t{};
  if (col.type == data_type::jsonb || col.type == data_type::json || v.type().get(t)) return false;
  if (t == json_type::null) return true;
  if (col.type == data_type::text) {
    std::string_view unescaped;  // read (into the parser's buffer) for its escapes to be checked
    return t == json_type::string ? !v.get_string().get(unescaped)
                                  : t == json_type::number || t == json_type::boolean;
  }
  if (col.type == data_type::boolean) return t == json_type::boolean;
  number_type kind{};
  if (t != json_type::number || v.get_number_type().get(kind)) return false;
  switch (col.type) {
    case data_type::bigint:
      return kind == number_type::signed_integer;
    case data_type::double_precision:
    case data_type::numeric:
    case data_type::timestamp:
    case data_type::timestamptz:
      return kind == number_type::signed_integer || kind == number_type::floating_point_number;
    default:
      return false;
  }
}

// True when a field that is not a column is well-formed JSON. On-Demand skips a value it is not asked
// for without reading its atoms, so `{"junk": 01x}` would pass; the DOM parser rejects it, and a
// record's validity must not depend on which parser read it.
bool on_demand_well_formed(simdjson::ondemand::value v, int depth = 0) {
  using simdjson::ondemand::json_type;
  json_type t{};
  if (depth > 64 || v.type().get(t)) return false;  // deeper documents go to the DOM parser
  switch (t) {
    case json_type::object: {
      simdjson::ondemand::object obj;
      if (v.get_object().get(obj)) return false;
      for (auto field : obj) {
        std::string_view key;
        simdjson::ondemand::value member;
        if (field.unescaped_key().get(key) || field.value().get(member)) return false;
        if (!on_demand_well_formed(member, depth + 1)) return false;
      }
      return true;
    }
    case json_type::array: {
      simdjson::ondemand::array items;
      if (v.get_array().get(items)) return false;
      for (auto item : items) {
        simdjson::ondemand::value element;
        if (item.get(element) || !on_demand_well_formed(element, depth + 1)) return false;
      }
      return true;
    }
    case json_type::string: {
      std::string_view unescaped;
      return !v.get_string().get(unescaped);
    }
    case json_type::number: {
      simdjson::ondemand::number n;
      return !v.get_number().get(n);
    }
    case json_type::boolean: {
      bool b = false;
      return !v.get_bool().get(b);
    }
    case json_type::null: {
      bool null = false;
      return !v.is_null().get(null) && null;
    }
  }
  return false;
}

// Splits one CSV line into fields; quoted fields may hold commas, newlines and "" for a quote.
// `quoted[i]` tells an empty quoted field ("") from an empty unquoted one (NULL).
bool split_csv(std::string_view text, std::vector<std::string>& fields, std::vector<bool>& quoted) {
  if (text.ends_with('\n')) text.remove_suffix(1);
  if (text.ends_with('\r')) text.remove_suffix(1);
  fields.assign(1, std::string());
  quoted.assign(1, false);
  bool in_quotes = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (in_quotes) {
      if (c != '"') {
        fields.back().push_back(c);
      } else if (i + 1 < text.size() && text[i + 1] == '"') {
        fields.back().push_back('"');
        ++i;
      } else {
        in_quotes = false;
      }
    } else if (c == '"' && fields.back().empty()) {
      in_quotes = true;
      quoted.back() = true;
    } else if (c == ',') {
      fields.emplace_back();
      quoted.push_back(false);
    } else {
      fields.back().push_back(c);
    }
  }
  return !in_quotes;
}

}  // namespace

struct row_decoder::impl {
  record_format format;
  sql::schema schema;
  simdjson::dom::parser parser;
  simdjson::ondemand::parser on_demand;
  std::string padded;  // the record, copied with the padding simdjson reads past its end
  std::unordered_map<std::string_view, std::size_t> column_index;
  std::vector<bool> materialize;            // per column; all true unless the reader reads fewer
  std::vector<std::size_t> typmod_columns;  // numeric(p, s) columns: values are rounded to them
  sql::value unread;                        // where an unread column's value is converted to check it
  std::vector<std::string> fields;
  std::vector<bool> quoted;

  // The column named `key`; fields usually come in the schema's order, so the one after `previous`
  // is tried first. schema.size() when no column has that name.
  std::size_t column_of(std::string_view key, std::size_t previous) const {
    std::size_t next = previous + 1;
    if (next < schema.size() && schema[next].name == key) return next;
    auto it = column_index.find(key);
    return it == column_index.end() ? schema.size() : it->second;
  }

  // False: decode with decode_json instead (see on_demand_value).
  bool decode_json_on_demand(std::string_view text, bool text_padded, sql::row& out) {
    static_assert(decode_padding >= simdjson::SIMDJSON_PADDING);
    std::size_t readable = text.size() + decode_padding;
    if (!text_padded) {
      if (padded.capacity() < readable) padded.reserve(readable);
      padded.assign(text);
      text = padded;
      readable = padded.capacity();
    }
    simdjson::ondemand::document doc;
    simdjson::ondemand::object obj;
    if (on_demand.iterate(text.data(), text.size(), readable).get(doc) || doc.get_object().get(obj)) {
      return false;
    }
    std::size_t previous = schema.size();
    for (auto field : obj) {
      std::string_view key;
      if (field.unescaped_key().get(key)) return false;
      std::size_t column = column_of(key, previous);
      simdjson::ondemand::value v;
      if (field.value().get(v)) return false;
      if (column == schema.size()) {  // not a column: only checked
        if (!on_demand_well_formed(v)) return false;
        continue;
      }
      previous = column;
      if (materialize[column]) {
        if (!on_demand_value(v, schema[column], out[column])) return false;
      } else if (!on_demand_converts(v, schema[column]) && !on_demand_value(v, schema[column], unread)) {
        return false;
      }
    }
    const char* trailing = nullptr;  // anything after the object makes the record malformed
    return doc.current_location().get(trailing) == simdjson::OUT_OF_BOUNDS;
  }

  // The JSON text of the last field named `key` of the object `text` (which the DOM parsed); none if
  // On-Demand cannot read it.
  std::optional<std::string> raw_field(std::string_view text, std::string_view key) {
    try {
      simdjson::padded_string copy(text);
      simdjson::ondemand::document doc = on_demand.iterate(copy);
      std::optional<std::string> raw;
      for (auto field : doc.get_object()) {
        if (field.unescaped_key().value() != key) continue;
        std::optional<std::string_view> text_of_field = sql::json_text(field.value().value());
        if (!text_of_field) return std::nullopt;
        raw = std::string(*text_of_field);
      }
      return raw;
    } catch (const simdjson::simdjson_error&) {
      return std::nullopt;
    }
  }

  void decode_json(std::string_view text, sql::row& out) {
    element doc;
    if (auto err = parser.parse(text.data(), text.size()).get(doc); err) {
      throw sql::eval_error(sql::sqlstate::invalid_text_representation,
                            fmt::format("invalid JSON: {}", simdjson::error_message(err)));
    }
    simdjson::dom::object obj;
    if (doc.get_object().get(obj)) {
      throw sql::eval_error(sql::sqlstate::datatype_mismatch, "the JSON value is not an object");
    }
    for (auto field : obj) {
      auto it = column_index.find(field.key);
      if (it == column_index.end()) continue;
      const sql::column& col = schema[it->second];
      element_type t = field.value.type();
      bool number = t == element_type::INT64 || t == element_type::UINT64 || t == element_type::DOUBLE;
      // The DOM holds numbers as doubles; these two take them as written, as On-Demand does.
      std::optional<std::string> raw;
      bool json_column = col.type == data_type::jsonb || col.type == data_type::json;
      if ((json_column && t != element_type::NULL_VALUE) || (col.type == data_type::text && number))
        raw = raw_field(text, field.key);
      if (!raw) {
        out[it->second] = json_to_value(field.value, col);
      } else {
        out[it->second] =
            json_column ? sql::cast_from_text(*raw, col.type) : sql::value::text(std::move(*raw));
      }
    }
  }

  void decode_csv(std::string_view text, sql::row& out) {
    if (!split_csv(text, fields, quoted)) {
      throw sql::eval_error(sql::sqlstate::invalid_text_representation, "unterminated quoted CSV field");
    }
    if (fields.size() != schema.size()) {
      throw sql::eval_error(sql::sqlstate::invalid_text_representation,
                            fmt::format("expected {} CSV fields, got {}", schema.size(), fields.size()));
    }
    for (std::size_t i = 0; i < schema.size(); ++i) {
      if (fields[i].empty() && !quoted[i]) continue;
      if (schema[i].type == data_type::text) {
        if (materialize[i]) out[i] = sql::value::text(std::move(fields[i]));
        continue;
      }
      (materialize[i] ? out[i] : unread) = sql::cast_from_text(fields[i], schema[i].type);
    }
  }
};

row_decoder::row_decoder(record_format format, sql::schema schema, std::vector<bool> materialize)
    : impl_(std::make_unique<impl>()) {
  impl_->format = format;
  impl_->schema = std::move(schema);
  if (materialize.empty()) materialize.assign(impl_->schema.size(), true);
  materialize.resize(impl_->schema.size());
  impl_->materialize = std::move(materialize);
  for (std::size_t i = 0; i < impl_->schema.size(); ++i) {
    impl_->column_index.emplace(impl_->schema[i].name, i);
    if (impl_->schema[i].typmod >= 0) impl_->typmod_columns.push_back(i);
  }
}

row_decoder::~row_decoder() = default;
row_decoder::row_decoder(row_decoder&&) noexcept = default;

sql::sql_result<void> row_decoder::decode(std::string_view text, sql::row& out, bool padded) {
  out.assign(impl_->schema.size(), sql::value());
  try {
    if (impl_->format == record_format::json) {
      if (!impl_->decode_json_on_demand(text, padded, out)) {
        out.assign(impl_->schema.size(), sql::value());
        impl_->decode_json(text, out);
        for (std::size_t i = 0; i < out.size(); ++i) {
          if (!impl_->materialize[i]) out[i] = sql::value();
        }
      }
    } else {
      impl_->decode_csv(text, out);
    }
    for (std::size_t i : impl_->typmod_columns) out[i] = sql::apply_column_typmod(out[i], impl_->schema[i]);
  } catch (const sql::eval_error& e) {
    return sql::sql_fail(e);
  }
  return {};
}

sql::sql_result<record_format> parse_format(std::string_view name) {
  if (name == "json") return record_format::json;
  if (name == "csv") return record_format::csv;
  return sql::sql_fail(sql::sqlstate::feature_not_supported, fmt::format("unsupported format \"{}\"", name));
}

}  // namespace sluice::stream
