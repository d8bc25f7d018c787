// sql/functions_json.cc — jsonb field access (-> ->> #> #>>, jsonb_extract_path), jsonb_typeof,
// building jsonb (to_jsonb, jsonb_build_object/array, jsonb_strip_nulls), the operators @> <@ ? ?| ?&
// - || and jsonb_pretty, and the rows of the
// set-returning jsonb_array_elements[_text], jsonb_object_keys and jsonb_each[_text]. A jsonb value holds
// JSON text; each access parses it (simdjson) and prints the extracted part the way Postgres prints
// jsonb: `{"a": 1, "b": [1, 2]}`, strings JSON-escaped, ->> giving a string's contents unquoted.
#include <fmt/format.h>
#include <simdjson.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <optional>
#include <string>

#include "base/json_string.h"
#include "sql/error.h"
#include "sql/functions.h"
#include "sql/jsonb_text.h"
#include "sql/numeric.h"
#include "sql/set_functions.h"

namespace sluice::sql {
namespace {

using dt = data_type;
using simdjson::dom::element;
using simdjson::dom::element_type;

void print_string(std::string_view s, std::string& out) { append_json_string(out, s); }

// Parses the jsonb argument; the parser is per thread because elements point into it.
// `slot` 1 parses a second document while one from slot 0 is still in use (a parser's elements live
// only until its next parse): the right operand of a jsonb operator.
element parse(const value& v, int slot = 0) {
  thread_local simdjson::dom::parser parsers[2];
  auto doc = parsers[slot].parse(v.as_text());
  if (doc.error() != simdjson::SUCCESS) {
    raise(sqlstate::invalid_text_representation, "invalid input syntax for type json");
  }
  return doc.value();
}

// An On-Demand value as jsonb, or with `text` as ->> gives it (a string unquoted, null as NULL), its
// numbers as written. Throws simdjson_error.
value extracted(simdjson::ondemand::value v, bool text) {
  using simdjson::ondemand::json_type;
  json_type t = v.type().value();
  if (text && t == json_type::null) return value();
  if (text && t == json_type::string) return value::text(std::string(v.get_string().value()));
  std::string out;
  print_jsonb(v, out);
  return text ? value::text(std::move(out)) : value::jsonb(std::move(out));
}

// A value inside the jsonb document `doc`, at a JSON pointer, as extracted() gives it; none when the
// pointer cannot name it.
std::optional<value> located(const value& doc, const std::string& pointer, bool text) {
  thread_local simdjson::ondemand::parser parser;
  try {
    simdjson::padded_string padded(doc.as_text());
    simdjson::ondemand::document d = parser.iterate(padded);
    return extracted(d.at_pointer(pointer).value(), text);
  } catch (const simdjson::simdjson_error&) {
    return std::nullopt;
  }
}

// Where a step led, as a JSON pointer into the document (On-Demand's at_pointer).
struct json_path {
  std::string pointer;
};

// One step: an object key, or an array index (negative counts from the end).
bool step(element& e, const value& key, json_path* path = nullptr) {
  if (key.type() == dt::bigint) {
    if (e.type() != element_type::ARRAY) return false;
    auto array = e.get_array().value();
    std::int64_t i = key.as_bigint();
    auto size = static_cast<std::int64_t>(array.size());
    if (i < 0) i += size;
    if (i < 0 || i >= size) return false;
    e = array.at(static_cast<std::size_t>(i)).value();
    if (path) path->pointer += "/" + std::to_string(i);
    return true;
  }
  if (e.type() == element_type::ARRAY) {
    char* end = nullptr;
    const std::string& text = key.as_text();
    long long i = std::strtoll(text.c_str(), &end, 10);
    if (text.empty() || *end != '\0') return false;
    return step(e, value::bigint(i), path);
  }
  if (e.type() != element_type::OBJECT) return false;
  auto field = e.get_object().value().at_key(key.as_text());
  if (field.error() != simdjson::SUCCESS) return false;
  e = field.value();
  if (path) {
    // at_pointer compares a key as the document writes it: escaped, as jsonb's text escapes it.
    std::string written;
    append_json_string(written, key.as_text());
    path->pointer += '/';
    for (char c : std::string_view(written).substr(1, written.size() - 2))
      path->pointer += c == '~' ? "~0" : c == '/' ? "~1" : std::string(1, c);
  }
  return true;
}

// `e`, found at `path` in `doc`, as jsonb or as ->> gives it. Strings, booleans and null are read
// from the element; numbers, and containers that may hold them, again from the document's text, where
// they are written as jsonb keeps them.
value found(const value& doc, element e, const json_path& path, bool text) {
  switch (e.type()) {
    case element_type::NULL_VALUE:
      return text ? value() : value::jsonb("null");
    case element_type::BOOL:
      return text ? value::text(e.get_bool().value() ? "true" : "false")
                  : value::jsonb(e.get_bool().value() ? "true" : "false");
    case element_type::STRING:
      if (text) return value::text(std::string(e.get_string().value()));
      break;
    default:
      break;
  }
  if (path.pointer.empty()) return text ? value::text(doc.as_text()) : doc;  // the document itself
  if (std::optional<value> v = located(doc, path.pointer, text)) return *v;
  raise(sqlstate::invalid_text_representation, "invalid input syntax for type json");
}

value arrow(const value* a, std::size_t) {
  element e = parse(a[0]);
  json_path path;
  return step(e, a[1], &path) ? found(a[0], e, path, false) : value();
}
value arrow_text(const value* a, std::size_t) {
  element e = parse(a[0]);
  json_path path;
  return step(e, a[1], &path) ? found(a[0], e, path, true) : value();
}

// '{a,b,0}' → ["a", "b", "0"] (a text[] literal; quoted elements are not supported).
std::vector<std::string> path_of(const value& v) {
  std::string s = v.as_text();
  if (s.size() < 2 || s.front() != '{' || s.back() != '}') {
    raise(sqlstate::invalid_text_representation, "malformed array literal: \"" + s + "\"");
  }
  std::vector<std::string> out;
  std::string part;
  for (std::size_t i = 1; i + 1 < s.size(); ++i) {
    if (s[i] == ',') {
      out.push_back(part);
      part.clear();
    } else if (s[i] != ' ') {
      part += s[i];
    }
  }
  if (s.size() > 2) out.push_back(part);
  return out;
}

bool walk(element& e, const value& keys, json_path& path) {
  for (const std::string& key : path_of(keys)) {
    if (!step(e, value::text(key), &path)) return false;
  }
  return true;
}
value path_json(const value* a, std::size_t) {
  element e = parse(a[0]);
  json_path path;
  return walk(e, a[1], path) ? found(a[0], e, path, false) : value();
}
value path_text(const value* a, std::size_t) {
  element e = parse(a[0]);
  json_path path;
  return walk(e, a[1], path) ? found(a[0], e, path, true) : value();
}

// json's -> ->> #> #>>: what jsonb's give, but a value that is not a plain string, boolean or null is
// its text as the document writes it (json keeps its spaces), and -> and #> return json.
value json_found(const value& doc, element e, const json_path& path, bool text) {
  bool scalar = e.type() == element_type::NULL_VALUE || e.type() == element_type::BOOL ||
                (text && e.type() == element_type::STRING);
  if (scalar) {
    value v = found(doc, e, path, text);
    return text || v.is_null() ? v : value::json(v.as_text());
  }
  std::string raw = doc.as_text();
  if (!path.pointer.empty()) {
    thread_local simdjson::ondemand::parser parser;
    try {
      simdjson::padded_string padded(doc.as_text());
      simdjson::ondemand::document d = parser.iterate(padded);
      std::optional<std::string_view> written = json_text(d.at_pointer(path.pointer).value());
      if (!written) raise(sqlstate::invalid_text_representation, "invalid input syntax for type json");
      raw = std::string(*written);
    } catch (const simdjson::simdjson_error&) {
      raise(sqlstate::invalid_text_representation, "invalid input syntax for type json");
    }
  }
  return text ? value::text(std::move(raw)) : value::json(std::move(raw));
}
template <bool text>
value json_arrow(const value* a, std::size_t) {
  element e = parse(a[0]);
  json_path path;
  return step(e, a[1], &path) ? json_found(a[0], e, path, text) : value();
}
template <bool text>
value json_path_fn(const value* a, std::size_t) {
  element e = parse(a[0]);
  json_path path;
  return walk(e, a[1], path) ? json_found(a[0], e, path, text) : value();
}

value typeof_fn(const value* a, std::size_t) {
  switch (parse(a[0]).type()) {
    case element_type::OBJECT:
      return value::text("object");
    case element_type::ARRAY:
      return value::text("array");
    case element_type::STRING:
      return value::text("string");
    case element_type::BOOL:
      return value::text("boolean");
    case element_type::NULL_VALUE:
      return value::text("null");
    default:
      return value::text("number");
  }
}

value array_length_fn(const value* a, std::size_t) {
  element e = parse(a[0]);
  if (e.type() != element_type::ARRAY)
    raise(sqlstate::invalid_parameter_value, "cannot get array length of a non-array");
  return value::bigint(static_cast<std::int64_t>(e.get_array().value().size()));
}

value extract_path(const value* a, std::size_t count) {
  element e = parse(a[0]);
  json_path path;
  for (std::size_t i = 1; i < count; ++i) {
    if (a[i].is_null() || !step(e, a[i], &path)) return value();
  }
  return found(a[0], e, path, false);
}
value extract_path_text(const value* a, std::size_t count) {
  value doc = extract_path(a, count);
  return doc.is_null() ? doc : found(doc, parse(doc), json_path(), true);
}

// A value as to_jsonb and to_json write it: numbers and booleans bare, timestamps in ISO 8601 with a
// 'T', json and jsonb as they are, every other type as its text in a JSON string. An array's items are
// separated by `separator` (to_json writes "," where jsonb prints ", ").
void append_json(std::string& out, const value& v, const char* separator = ", ") {
  if (v.is_null()) {
    out += "null";
    return;
  }
  if (is_array(v.type())) {  // a JSON array of the elements, as Postgres's to_jsonb gives
    out += '[';
    for (const value& item : v.as_array()) {
      if (out.back() != '[') out += separator;
      append_json(out, item, separator);
    }
    out += ']';
    return;
  }
  std::string text;
  switch (v.type()) {
    case dt::boolean:
      out += v.as_bool() ? "true" : "false";
      return;
    case dt::bigint:
    case dt::numeric:
      out += v.to_text();
      return;
    case dt::double_precision:
      if (std::isfinite(v.as_double())) {
        out += v.to_text();
        return;
      }
      break;
    case dt::jsonb:
    case dt::json:
      out += v.as_text();
      return;
    case dt::timestamp:
    case dt::timestamptz:
      text = v.to_text();
      if (text.size() > 10 && text[10] == ' ') text[10] = 'T';
      if (v.type() == dt::timestamptz && text.size() > 3 && text[text.size() - 3] == '+') text += ":00";
      if (v.type() == dt::timestamptz && text.size() > 3 && text[text.size() - 3] == '-') text += ":00";
      append_json_string(out, text);
      return;
    default:
      break;
  }
  append_json_string(out, v.to_text());
}

value to_jsonb_fn(const value* a, std::size_t) {
  std::string out;
  append_json(out, a[0]);
  return value::jsonb(normalize_jsonb(out));
}

value build_array_fn(const value* a, std::size_t count) {
  std::string out = "[";
  for (std::size_t i = 0; i < count; ++i) {
    if (i > 0) out += ", ";
    append_json(out, a[i]);
  }
  return value::jsonb(normalize_jsonb(out + "]"));
}

// {"k": v, …} with `colon` between key and value and `comma` between pairs; keys in argument order.
std::string object_text(const value* a, std::size_t count, const char* colon, const char* comma,
                        const char* array_separator) {
  if (count % 2 != 0) {
    raise(sqlstate::invalid_parameter_value, "argument list must have even number of elements");
  }
  std::string out = "{";
  for (std::size_t i = 0; i < count; i += 2) {
    if (a[i].is_null()) {
      raise(sqlstate::invalid_parameter_value, fmt::format("argument {}: key must not be null", i + 1));
    }
    if (i > 0) out += comma;
    append_json_string(out, a[i].type() == dt::jsonb ? a[i].as_text() : a[i].to_text());
    out += colon;
    append_json(out, a[i + 1], array_separator);
  }
  return out + "}";
}

value build_object_fn(const value* a, std::size_t count) {
  return value::jsonb(normalize_jsonb(object_text(a, count, ": ", ", ", ", ")));
}

// --- json: the text Postgres's json functions write, kept as written ---

value to_json_fn(const value* a, std::size_t) {
  std::string out;
  append_json(out, a[0], ",");
  return value::json(std::move(out));
}
value json_build_array_fn(const value* a, std::size_t count) {
  std::string out = "[";
  for (std::size_t i = 0; i < count; ++i) {
    if (i > 0) out += ", ";
    append_json(out, a[i], ",");
  }
  return value::json(out + "]");
}
value json_build_object_fn(const value* a, std::size_t count) {
  return value::json(object_text(a, count, " : ", ", ", ","));
}
// A row as row_to_json writes it: {"a":1,"b":"x"}, columns in order (binder::bind_whole_row).
value json_record_fn(const value* a, std::size_t count) {
  return value::json(object_text(a, count, ":", ",", ","));
}
// json_agg's result from its array of values: ", " between them, and a line break before each array or
// row after the first, as Postgres's json_agg writes them (`rows`: the values are rows).
template <bool rows>
value json_agg_final_fn(const value* a, std::size_t) {
  std::string out = "[";
  for (const value& item : a[0].as_array()) {
    if (out.size() > 1) out += (rows || is_array(item.type())) && !item.is_null() ? ", \n " : ", ";
    append_json(out, item, ",");
  }
  return value::json(out + "]");
}

// --- operators: containment, key existence, deletion, concatenation ---

bool is_container(element e) { return e.type() == element_type::ARRAY || e.type() == element_type::OBJECT; }

// Scalars equal as jsonb compares them: numbers by value (1 = 1.0), strings by their bytes.
bool same_scalar(element a, element b) {
  auto number = [](element e, double& d) {
    switch (e.type()) {
      case element_type::INT64:
        d = static_cast<double>(e.get_int64().value());
        return true;
      case element_type::UINT64:
        d = static_cast<double>(e.get_uint64().value());
        return true;
      case element_type::DOUBLE:
        d = e.get_double().value();
        return true;
      default:
        return false;
    }
  };
  double x = 0, y = 0;
  bool a_number = number(a, x), b_number = number(b, y);
  if (a_number || b_number) {
    if (a.type() == element_type::INT64 && b.type() == element_type::INT64)
      return a.get_int64().value() == b.get_int64().value();  // exact past 2^53
    return a_number && b_number && x == y;
  }
  if (a.type() != b.type()) return false;
  if (a.type() == element_type::STRING) return a.get_string().value() == b.get_string().value();
  if (a.type() == element_type::BOOL) return a.get_bool().value() == b.get_bool().value();
  return true;  // both null
}

// a @> b: b's structure and contents are found in a, once non-matching array elements and object
// fields of a are set aside; array order and repetition do not matter.
bool contains(element a, element b) {
  if (!is_container(b)) return !is_container(a) && same_scalar(a, b);
  if (a.type() != b.type()) return false;
  if (b.type() == element_type::OBJECT) {
    simdjson::dom::object outer = a.get_object().value();
    simdjson::dom::object wanted_fields = b.get_object().value();
    for (auto [key, v] : wanted_fields) {
      auto found = outer.at_key(key);
      if (found.error() != simdjson::SUCCESS || !contains(found.value(), v)) return false;
    }
    return true;
  }
  simdjson::dom::array outer = a.get_array().value();
  simdjson::dom::array wanted_items = b.get_array().value();
  for (element wanted : wanted_items) {
    bool found = false;
    for (element have : outer) {
      if (is_container(wanted) ? contains(have, wanted) : !is_container(have) && same_scalar(have, wanted)) {
        found = true;
        break;
      }
    }
    if (!found) return false;
  }
  return true;
}

// At the top level an array also contains a scalar that is one of its elements.
bool top_contains(element a, element b) {
  if (a.type() == element_type::ARRAY && !is_container(b)) {
    simdjson::dom::array items = a.get_array().value();
    for (element have : items) {
      if (!is_container(have) && same_scalar(have, b)) return true;
    }
    return false;
  }
  return contains(a, b);
}

value contains_fn(const value* a, std::size_t) {
  return value::boolean(top_contains(parse(a[0]), parse(a[1], 1)));
}
value contained_fn(const value* a, std::size_t) {
  return value::boolean(top_contains(parse(a[1]), parse(a[0], 1)));
}

// jsonb ? key: an object's key, a string element of an array, or the string itself.
bool has_key(element e, std::string_view key) {
  switch (e.type()) {
    case element_type::OBJECT:
      return e.get_object().value().at_key(key).error() == simdjson::SUCCESS;
    case element_type::ARRAY: {
      simdjson::dom::array items = e.get_array().value();
      for (element item : items) {
        if (item.type() == element_type::STRING && item.get_string().value() == key) return true;
      }
      return false;
    }
    case element_type::STRING:
      return e.get_string().value() == key;
    default:
      return false;
  }
}
value has_key_fn(const value* a, std::size_t) { return value::boolean(has_key(parse(a[0]), a[1].as_text())); }
// ?| and ?&: NULL elements of the key array are skipped, as in Postgres.
template <bool all>
value has_keys_fn(const value* a, std::size_t) {
  element e = parse(a[0]);
  for (const value& key : a[1].as_array()) {
    if (key.is_null()) continue;
    if (has_key(e, key.as_text()) != all) return value::boolean(!all);
  }
  return value::boolean(all);
}

// Postgres's message when a set-returning jsonb function meets the wrong kind of value.
[[noreturn]] void wrong_kind(set_function fn, element e) {
  const char* kind = e.type() == element_type::ARRAY    ? "an array"
                     : e.type() == element_type::OBJECT ? "an object"
                                                        : "a scalar";
  std::string message;
  if (fn == set_function::jsonb_array_elements || fn == set_function::jsonb_array_elements_text)
    message = fmt::format("cannot extract elements from {}", kind);
  else if (fn == set_function::jsonb_object_keys)
    message = fmt::format("cannot call {} on {}", set_function_name(fn), kind);
  else
    message = fmt::format("cannot call {} on a non-object", set_function_name(fn));
  raise(sqlstate::invalid_parameter_value, message);
}

}  // namespace

void jsonb_set_rows(set_function fn, const value& json, std::vector<row>& out) {
  element e = parse(json);
  bool text = fn == set_function::jsonb_array_elements_text || fn == set_function::jsonb_each_text;
  bool elements = fn == set_function::jsonb_array_elements || fn == set_function::jsonb_array_elements_text;
  if (e.type() != (elements ? element_type::ARRAY : element_type::OBJECT)) wrong_kind(fn, e);
  // Read with On-Demand, so that numbers print as written. A jsonb value's text has its keys in order
  // and once each, so its fields come as jsonb_fields would list them.
  thread_local simdjson::ondemand::parser parser;
  try {
    simdjson::padded_string padded(json.as_text());
    simdjson::ondemand::document doc = parser.iterate(padded);
    if (elements) {
      for (auto v : doc.get_array()) out.push_back(row{extracted(v.value(), text)});
      return;
    }
    for (auto field : doc.get_object()) {
      value key = value::text(std::string(field.unescaped_key().value()));
      if (fn == set_function::jsonb_object_keys) {
        out.push_back(row{std::move(key)});
      } else {
        out.push_back(row{std::move(key), extracted(field.value().value(), text)});
      }
    }
  } catch (const simdjson::simdjson_error&) {
    raise(sqlstate::invalid_text_representation, "invalid input syntax for type json");
  }
}

namespace {

// jsonb_object_agg's final step: its rows' [key, value] pairs (jsonb_build_array) as one object. A key
// is the pair's first item as text (a string unquoted); later keys win, as in jsonb input. Read with
// On-Demand, so values keep their numbers as written.
template <bool json>
value object_agg_final_fn(const value* a, std::size_t) {
  using simdjson::ondemand::json_type;
  thread_local simdjson::ondemand::parser parser;
  std::string out = "{";
  try {
    for (const value& pair : a[0].as_array()) {
      simdjson::padded_string text(pair.as_text());
      simdjson::ondemand::document doc = parser.iterate(text);
      auto items = doc.get_array();
      auto item = items.begin();
      simdjson::ondemand::value key = (*item).value();
      std::string name;
      switch (key.type().value()) {
        case json_type::null:
          raise(sqlstate::invalid_parameter_value, "field name must not be null");
        case json_type::object:
        case json_type::array:
          raise(sqlstate::invalid_parameter_value, "key value must be scalar, not array, composite, or json");
        case json_type::string:
          name = std::string(key.get_string().value());
          break;
        default:
          print_jsonb(key, name);
      }
      if (out.size() > 1) out += ", ";
      if (json && out.size() == 1) out += ' ';
      print_string(name, out);
      out += json ? " : " : ": ";
      ++item;
      print_jsonb((*item).value(), out);
    }
  } catch (const simdjson::simdjson_error&) {
    raise(sqlstate::invalid_text_representation, "invalid input syntax for type json");
  }
  // json keeps every pair as given ({ "a" : 1, "a" : 2 }); jsonb keeps the last of each key.
  if (json) return value::json(out + (out.size() > 1 ? " }" : "}"));
  return value::jsonb(normalize_jsonb(out + "}"));
}

}  // namespace

void add_json_functions(std::vector<function_overload>& out) {
  const dt j = dt::jsonb, t = dt::text;
  out.push_back({"->", {j, t}, j, arrow});
  out.push_back({"->", {j, dt::bigint}, j, arrow});
  out.push_back({"->>", {j, t}, t, arrow_text});
  out.push_back({"->>", {j, dt::bigint}, t, arrow_text});
  out.push_back({"#>", {j, t}, j, path_json});
  out.push_back({"#>>", {j, t}, t, path_text});
  for (dt key : {t, dt::bigint}) {
    out.push_back({"->", {dt::json, key}, dt::json, json_arrow<false>});
    out.push_back({"->>", {dt::json, key}, t, json_arrow<true>});
  }
  out.push_back({"#>", {dt::json, t}, dt::json, json_path_fn<false>});
  out.push_back({"#>>", {dt::json, t}, t, json_path_fn<true>});
  // The json_ readers are the jsonb ones under Postgres's names (json converts to jsonb implicitly);
  // the json builders write json's own text.
  for (std::string prefix : {"jsonb", "json"}) {
    out.push_back({prefix + "_typeof", {j}, t, typeof_fn});
    out.push_back({prefix + "_array_length", {j}, dt::bigint, array_length_fn});
    out.push_back({prefix + "_extract_path", {j, t, t}, j, extract_path, true, true});
    out.push_back({prefix + "_extract_path_text", {j, t, t}, t, extract_path_text, true, true});
  }
  out.push_back({"to_jsonb", {dt::unknown}, j, to_jsonb_fn});
  out.push_back({"jsonb_build_array", {dt::unknown}, j, build_array_fn, false, true});
  out.push_back({"jsonb_build_object", {dt::unknown}, j, build_object_fn, false, true});
  out.push_back({"to_json", {dt::unknown}, dt::json, to_json_fn});
  out.push_back({"array_to_json", {dt::unknown}, dt::json, to_json_fn});
  out.push_back({"json_build_array", {dt::unknown}, dt::json, json_build_array_fn, false, true});
  out.push_back({"json_build_object", {dt::unknown}, dt::json, json_build_object_fn, false, true});
  out.push_back({"json_record", {dt::unknown}, dt::json, json_record_fn, false, true});
  out.push_back({"json_agg_finalfn", {dt::unknown}, dt::json, json_agg_final_fn<false>});
  out.push_back({"json_agg_rows_finalfn", {dt::unknown}, dt::json, json_agg_final_fn<true>});
  out.push_back({"jsonb_object_agg_finalfn", {dt::jsonb_array}, j, object_agg_final_fn<false>});
  out.push_back({"json_object_agg_finalfn", {dt::jsonb_array}, dt::json, object_agg_final_fn<true>});
  // A row reaches row_to_json already as a json object (binder::bind_whole_row).
  out.push_back({"row_to_json", {dt::json}, dt::json, [](const value* a, std::size_t) { return a[0]; }});
  out.push_back({"@>", {j, j}, dt::boolean, contains_fn});
  out.push_back({"<@", {j, j}, dt::boolean, contained_fn});
  out.push_back({"?", {j, t}, dt::boolean, has_key_fn});
  out.push_back({"?|", {j, dt::text_array}, dt::boolean, has_keys_fn<false>});
  out.push_back({"?&", {j, dt::text_array}, dt::boolean, has_keys_fn<true>});
}

}  // namespace sluice::sql
