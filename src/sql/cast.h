// sql/cast.h — text to typed values by Postgres's input rules: what '42'::bigint, a CSV field or a
// JSON string in a timestamp column become. One place, used by the binder for literals and casts
// and by the stream engine when it decodes events.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "sql/value.h"

namespace sluice::sql {

// Parses `text` as a value of `target` (never NULL). Throws eval_error with SQLSTATE 22P02
// (invalid_text_representation), 22007 (invalid_datetime_format) or 22003 (out of range).
// Accepted forms: boolean t/true/yes/on/1 and f/false/no/off/0 (any case); integers and decimals
// with optional sign and surrounding blanks; timestamps 'YYYY-MM-DD[( |T)HH:MM[:SS[.ffffff]]][zone]'
// with zone Z, ±HH, ±HH:MM or ±HHMM (timestamptz converts to UTC, timestamp ignores the zone as
// Postgres does); dates 'YYYY-MM-DD'; intervals '1 day 2 hours', '5 seconds', '-3 mins', 'HH:MM:SS',
// or a mix ('2 days 04:00:00'); jsonb must be well-formed JSON.
value cast_from_text(std::string_view text, data_type target);
// An array's text form ('{1,2,NULL}', '{"a b",c}') as `array_type` (array_text.cc); 22P02
// "malformed array literal" for text that is not one, 0A000 for a multidimensional one.
value array_from_text(std::string_view text, data_type array_type);

// Value to value: every cast Postgres allows between our types (numbers to and from text and
// booleans, temporal types among themselves, jsonb scalars to numbers and booleans, anything to
// text, arrays element by element). NULL stays NULL. Throws eval_error for values that do not convert.
value cast_value(const value& v, data_type target);
// The expression function casting its one argument to `target` (what the binder calls for CAST).
value (*cast_function(data_type target))(const value* args, std::size_t count);
// numeric(precision, scale): args are a numeric and its type modifier (numeric_typmod, as a bigint).
// Rounds to the scale; 22003 when the integer part has more than precision − scale digits.
value apply_numeric_typmod(const value* args, std::size_t count);
// `s` with ASCII letters in lower case (type names, units, zone names: Postgres reads them so).
std::string ascii_lower(std::string_view s);
// varchar(n)'s type modifier as Postgres packs it in atttypmod, and back.
inline constexpr std::int32_t varchar_max_length = 10'485'760;
constexpr std::int32_t varchar_typmod(std::int32_t length) { return length + 4; }
constexpr std::int32_t varchar_typmod_length(std::int32_t typmod) { return typmod - 4; }
// An explicit cast to varchar(n): args are a text and its type modifier (varchar_typmod, as a
// bigint). Cuts the text to n characters, as Postgres does.
value apply_varchar_typmod(const value* args, std::size_t count);
// A value of the column's type with its type modifier applied (numeric(p, s) rounds; varchar(n) takes
// a longer text only if what is past n characters is spaces, else 22001); NULL stays.
value apply_column_typmod(const value& v, const column& c);
// Whether Postgres casts `from` to `to` implicitly (bigint → double, date → timestamp, …).
bool implicitly_castable(data_type from, data_type to);

}  // namespace sluice::sql
