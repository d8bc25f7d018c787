#include "stream/decode.h"

#include <fmt/format.h>
#include <simdjson.h>

#include <cmath>
#include <unordered_map>

#include "sql/cast.h"

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

sql::value timestamp_from_millis(const element& e, data_type type) {
  double ms = e.type() == element_type::INT64
                  ? static_cast<double>(std::int64_t(e))
                  : (e.type() == element_type::UINT64 ? static_cast<double>(std::uint64_t(e)) : double(e));
  auto micros = static_cast<std::int64_t>(std::llround(ms * 1000.0));
  return type == data_type::timestamp ? sql::value::timestamp(micros) : sql::value::timestamptz(micros);
}

// One JSON field into a column's type. Throws sql::eval_error.
sql::value json_to_value(const element& e, const sql::column& col) {
  element_type t = e.type();
  if (t == element_type::NULL_VALUE) return {};
  if (col.type == data_type::jsonb) return sql::value::jsonb(simdjson::minify(e));
  if (t == element_type::STRING) return sql::cast_from_text(std::string_view(e), col.type);
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
  std::unordered_map<std::string_view, std::size_t> column_index;
  std::vector<std::string> fields;
  std::vector<bool> quoted;

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
      out[it->second] = json_to_value(field.value, schema[it->second]);
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
      out[i] = schema[i].type == data_type::text ? sql::value::text(std::move(fields[i]))
                                                 : sql::cast_from_text(fields[i], schema[i].type);
    }
  }
};

row_decoder::row_decoder(record_format format, sql::schema schema) : impl_(std::make_unique<impl>()) {
  impl_->format = format;
  impl_->schema = std::move(schema);
  for (std::size_t i = 0; i < impl_->schema.size(); ++i)
    impl_->column_index.emplace(impl_->schema[i].name, i);
}

row_decoder::~row_decoder() = default;
row_decoder::row_decoder(row_decoder&&) noexcept = default;

sql::sql_result<void> row_decoder::decode(std::string_view text, sql::row& out) {
  out.assign(impl_->schema.size(), sql::value());
  try {
    if (impl_->format == record_format::json) {
      impl_->decode_json(text, out);
    } else {
      impl_->decode_csv(text, out);
    }
  } catch (const sql::eval_error& e) {
    return sql::sql_fail(e.code(), e.what());
  }
  return {};
}

sql::sql_result<record_format> parse_format(std::string_view name) {
  if (name == "json") return record_format::json;
  if (name == "csv") return record_format::csv;
  return sql::sql_fail(sql::sqlstate::feature_not_supported, fmt::format("unsupported format \"{}\"", name));
}

}  // namespace sluice::stream
