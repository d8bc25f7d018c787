// cli/record_input.h — turns one input line of `sluice produce` into a record: plain text, text with a
// key delimiter, or a JSON object. Pure, so it is unit-tested without a broker.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "base/result.h"

namespace sluice::cli {

using record_header = std::pair<std::string, std::optional<std::string>>;  // value nullopt: null

struct input_record {
  std::optional<std::string> key;
  std::optional<std::string> value;
  std::vector<record_header> headers;
  std::int32_t partition = -1;  // -1: the partitioner decides
  std::int64_t timestamp = 0;   // 0: the producer's clock
};

enum class input_format { text, json };

// What the flags give every record; a JSON line may override key, partition, and add headers.
struct record_defaults {
  input_format format = input_format::text;
  std::optional<std::string> key;
  std::optional<std::string> key_delimiter;  // text only: "key<delim>value"; no delimiter = no key
  std::vector<record_header> headers;
  std::int32_t partition = -1;
};

// One line (without its '\n'). JSON lines are objects with the optional members "key", "value"
// (string or null), "headers" (an object of strings, or an array of [name, value] pairs),
// "partition" and "timestamp" (integers); any other member is an error.
result<input_record> parse_record(const std::string& line, const record_defaults& defaults);

}  // namespace sluice::cli
