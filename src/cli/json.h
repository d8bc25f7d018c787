// cli/json.h — the little JSON the client commands need: a strict parser for one value (records given
// to `sluice produce --format json`) and string escaping for the records `sluice consume` prints.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/json_string.h"
#include "base/result.h"

namespace sluice::cli {

struct json_value {
  enum class kind { null, boolean, number, string, array, object };
  kind type = kind::null;
  bool boolean = false;
  std::string text;  // a string's contents (UTF-8), or a number as written
  std::vector<json_value> items;
  std::vector<std::pair<std::string, json_value>> members;  // in document order, duplicates kept

  // A number that is an integer in int64 range; invalid_argument otherwise.
  result<std::int64_t> as_int64() const;
};

// Parses exactly one JSON value (RFC 8259), surrounded by optional whitespace. Nesting deeper than
// 64 levels is refused. Errors (invalid_argument) give the byte position.
result<json_value> parse_json(std::string_view text);

using sluice::append_json_string;

}  // namespace sluice::cli
