#include "cli/record_input.h"

#include <limits>

#include "cli/json.h"

namespace sluice::cli {
namespace {

using kind = json_value::kind;

result<std::optional<std::string>> string_or_null(const json_value& v, const std::string& what) {
  if (v.type == kind::null) return std::nullopt;
  if (v.type != kind::string)
    return fail(errc::invalid_argument, "\"" + what + "\" must be a string or null");
  return v.text;
}

result<void> add_headers(const json_value& v, std::vector<record_header>& out) {
  if (v.type == kind::object) {
    for (const auto& [name, value] : v.members) {
      SLUICE_ASSIGN_OR_RETURN(auto text, string_or_null(value, "headers." + name));
      out.emplace_back(name, std::move(text));
    }
    return {};
  }
  if (v.type != kind::array) return fail(errc::invalid_argument, "\"headers\" must be an object or an array");
  for (const auto& pair : v.items) {
    if (pair.type != kind::array || pair.items.size() != 2 || pair.items[0].type != kind::string)
      return fail(errc::invalid_argument, "\"headers\" array items must be [name, value] pairs");
    SLUICE_ASSIGN_OR_RETURN(auto text, string_or_null(pair.items[1], "headers." + pair.items[0].text));
    out.emplace_back(pair.items[0].text, std::move(text));
  }
  return {};
}

result<std::int64_t> integer_in(const json_value& v, const std::string& what, std::int64_t low,
                                std::int64_t high) {
  auto n = v.as_int64();
  if (!n || *n < low || *n > high)
    return fail(errc::invalid_argument, "\"" + what + "\" must be an integer from " + std::to_string(low) +
                                            " to " + std::to_string(high));
  return *n;
}

result<input_record> parse_json_record(const std::string& line, input_record r) {
  SLUICE_ASSIGN_OR_RETURN(auto doc, parse_json(line));
  if (doc.type != kind::object) return fail(errc::invalid_argument, "expected a JSON object");
  for (const auto& [name, v] : doc.members) {
    if (name == "key") {
      SLUICE_ASSIGN_OR_RETURN(r.key, string_or_null(v, name));
    } else if (name == "value") {
      SLUICE_ASSIGN_OR_RETURN(r.value, string_or_null(v, name));
    } else if (name == "headers") {
      SLUICE_RETURN_IF_ERROR(add_headers(v, r.headers));
    } else if (name == "partition") {
      SLUICE_ASSIGN_OR_RETURN(auto p, integer_in(v, name, 0, std::numeric_limits<std::int32_t>::max()));
      r.partition = static_cast<std::int32_t>(p);
    } else if (name == "timestamp") {
      SLUICE_ASSIGN_OR_RETURN(r.timestamp, integer_in(v, name, 0, std::numeric_limits<std::int64_t>::max()));
    } else {
      return fail(errc::invalid_argument, "unknown member \"" + name + "\"");
    }
  }
  return r;
}

}  // namespace

result<input_record> parse_record(const std::string& line, const record_defaults& defaults) {
  input_record r;
  r.key = defaults.key;
  r.value = line;
  r.headers = defaults.headers;
  r.partition = defaults.partition;
  if (defaults.format == input_format::json) return parse_json_record(line, std::move(r));
  if (defaults.key_delimiter && !defaults.key_delimiter->empty()) {
    auto at = line.find(*defaults.key_delimiter);
    if (at != std::string::npos) {
      r.key = line.substr(0, at);
      r.value = line.substr(at + defaults.key_delimiter->size());
    }
  }
  return r;
}

}  // namespace sluice::cli
