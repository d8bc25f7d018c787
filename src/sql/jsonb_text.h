// sql/jsonb_text.h — jsonb's text: how Postgres prints a jsonb value, written from JSON text.
//
// Keys ordered (shorter first, then by bytes) and each once (the last wins), ", " and ": " between
// items, strings JSON-escaped, numbers as numerics as written (2.50 stays 2.50, 1e2 is 100). Read with
// simdjson On-Demand, which keeps a number's text where the DOM keeps a double. normalize_jsonb
// (functions.h) turns any JSON text into this form; print_jsonb prints one value of a document.
#pragma once

#include <simdjson.h>

#include <optional>
#include <string>
#include <string_view>

namespace sluice::sql {

// A scalar's text as written (raw_json_token may run on past it).
std::string_view json_scalar_text(simdjson::ondemand::value v);
// Any value's text as written (an object or array whole); none if On-Demand cannot read it.
std::optional<std::string_view> json_text(simdjson::ondemand::value v);

// Appends `v` (of a well-formed document) in jsonb's form. Throws simdjson_error if the document
// cannot be read after all.
void print_jsonb(simdjson::ondemand::value v, std::string& out);

}  // namespace sluice::sql
