// sql/set_functions.h — the set-returning functions an expand node runs (plan.h): unnest(array),
// generate_series(start, stop [, step]), the jsonb ones (jsonb_array_elements[_text],
// jsonb_object_keys, jsonb_each[_text]) and regexp_matches / regexp_split_to_table over each input row, for
// the batch executor and the stream engine alike. Several calls in one node are zipped, as Postgres runs the
// set-returning functions of one select list (or a ROWS FROM) in lockstep.
#pragma once

#include <optional>
#include <string_view>
#include <vector>

#include "sql/plan.h"

namespace sluice::sql {

// The function `name` calls; the json_* names are the jsonb_* functions (json is jsonb here).
std::optional<set_function> set_function_named(std::string_view name);
const char* set_function_name(set_function fn);
// How many columns a call adds: two for jsonb_each[_text] (key, value), else one.
int set_function_width(set_function fn);

// Appends to `out` each row the expand node `p` makes of `input`: the input's values, then the
// calls' values. Throws eval_error (a zero step, more than ten million rows from one call, jsonb of
// the wrong kind).
void expand_row(const plan& p, const row& input, std::vector<row>& out);

// generate_series returns at most this many rows (54000 beyond).
inline constexpr std::int64_t max_series_rows = 10'000'000;
// Raises 54000 when a series of numbers (bigint or numeric start, stop and a non-zero step) would
// return more than max_series_rows: known from the arguments, before any row is made.
void check_series_length(const value& start, const value& stop, const value& step);

// The rows (one or two columns each) a jsonb set-returning function makes of a non-NULL `json`
// (functions_json.cc). Throws eval_error 22023 when it is not an array or object as `fn` needs.
void jsonb_set_rows(set_function fn, const value& json, std::vector<row>& out);

// The rows of regexp_matches or regexp_split_to_table over non-NULL arguments (functions_regex.cc).
// Throws eval_error 2201B for a pattern that does not compile, 22023 for an unknown flag.
void regexp_set_rows(set_function fn, const value* args, int count, std::vector<row>& out);

}  // namespace sluice::sql
