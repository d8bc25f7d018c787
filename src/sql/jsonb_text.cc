#include "sql/jsonb_text.h"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <cstdint>
#include <utility>
#include <vector>

#include "base/json_string.h"
#include "sql/error.h"
#include "sql/functions.h"
#include "sql/numeric.h"

namespace sluice::sql {
namespace {

// A number as jsonb keeps it, a numeric: 2.50 stays 2.50, 1e2 is 100, 2.50e1 is 25.0. Numbers past
// numeric's 38 digits keep the text they were written with.
void print_number(std::string_view token, std::string& out) {
  std::string text;
  try {
    text = numeric_text(numeric_from_text(token));
  } catch (const eval_error&) {
    out += token;
    return;
  }
  // An integer past 64 bits (1e30 written out) is text the JSON parser refuses: keep it as written.
  if (text.find('.') == std::string::npos) {
    std::int64_t i = 0;
    std::uint64_t u = 0;
    const char* end = text.data() + text.size();
    if (std::from_chars(text.data(), end, i).ec != std::errc() &&
        std::from_chars(text.data(), end, u).ec != std::errc()) {
      out += token;
      return;
    }
  }
  out += text;
}

}  // namespace

std::string_view json_scalar_text(simdjson::ondemand::value v) {
  std::string_view token = v.raw_json_token();
  while (!token.empty() &&
         (token.back() == ' ' || token.back() == '\n' || token.back() == '\t' || token.back() == '\r' ||
          token.back() == ',' || token.back() == '}' || token.back() == ']'))
    token.remove_suffix(1);
  return token;
}

std::optional<std::string_view> json_text(simdjson::ondemand::value v) {
  using simdjson::ondemand::json_type;
  json_type t{};
  std::string_view raw;
  if (v.type().get(t)) return std::nullopt;
  if (t == json_type::object) {
    simdjson::ondemand::object obj;
    if (v.get_object().get(obj) || obj.raw_json().get(raw)) return std::nullopt;
    return raw;
  }
  if (t == json_type::array) {
    simdjson::ondemand::array items;
    if (v.get_array().get(items) || items.raw_json().get(raw)) return std::nullopt;
    return raw;
  }
  return json_scalar_text(v);
}

// Prints a (well-formed) value as Postgres prints jsonb, from its text: On-Demand reads numbers as
// written, where the DOM would have turned them into doubles.
void print_jsonb(simdjson::ondemand::value v, std::string& out) {
  using simdjson::ondemand::json_type;
  switch (v.type().value()) {
    case json_type::object: {
      std::vector<std::pair<std::string, std::string>> fields;
      for (auto field : v.get_object()) {
        std::string key(field.unescaped_key().value());
        std::string printed;
        print_jsonb(field.value().value(), printed);
        fields.emplace_back(std::move(key), std::move(printed));
      }
      std::stable_sort(fields.begin(), fields.end(), [](const auto& a, const auto& b) {
        return a.first.size() != b.first.size() ? a.first.size() < b.first.size() : a.first < b.first;
      });
      out += '{';
      for (std::size_t i = 0; i < fields.size(); ++i) {
        if (i + 1 < fields.size() && fields[i + 1].first == fields[i].first) continue;  // the last one wins
        if (out.back() != '{') out += ", ";
        append_json_string(out, fields[i].first);
        out += ": ";
        out += fields[i].second;
      }
      out += '}';
      return;
    }
    case json_type::array: {
      out += '[';
      bool first = true;
      for (auto item : v.get_array()) {
        if (!first) out += ", ";
        first = false;
        print_jsonb(item.value(), out);
      }
      out += ']';
      return;
    }
    case json_type::string:
      append_json_string(out, v.get_string().value());
      return;
    case json_type::number:
      print_number(json_scalar_text(v), out);
      return;
    case json_type::boolean:
      out += v.get_bool().value() ? "true" : "false";
      return;
    case json_type::null:
      out += "null";
      return;
  }
}

std::string normalize_jsonb(std::string_view json) {
  // The DOM parser checks the whole text (On-Demand reads only what it is asked for).
  thread_local simdjson::dom::parser parser;
  simdjson::padded_string padded(json);
  if (parser.parse(padded).error() != simdjson::SUCCESS) {
    throw eval_error(sqlstate::invalid_text_representation, "invalid input syntax for type json",
                     fmt::format("The input is \"{}\".", json));
  }
  thread_local simdjson::ondemand::parser on_demand;
  std::string out;
  try {
    simdjson::ondemand::document doc = on_demand.iterate(padded);
    // A scalar document is not a value in On-Demand; an array around it makes it one.
    if (doc.is_scalar().value()) {
      std::string wrapped = "[" + std::string(json) + "]";
      simdjson::padded_string padded_wrapped(wrapped);
      simdjson::ondemand::document array = on_demand.iterate(padded_wrapped);
      for (auto item : array.get_array()) print_jsonb(item.value(), out);
      return out;
    }
    print_jsonb(doc.get_value().value(), out);
  } catch (const simdjson::simdjson_error&) {
    throw eval_error(sqlstate::invalid_text_representation, "invalid input syntax for type json",
                     fmt::format("The input is \"{}\".", json));
  }
  return out;
}

}  // namespace sluice::sql
