// cli/datetime.h — ISO 8601 date-times given on the command line (`--to-datetime`), as milliseconds
// since the Unix epoch, the unit of Kafka record timestamps.
#pragma once

#include <cstdint>
#include <string_view>

#include "base/result.h"

namespace sluice::cli {

// Parses YYYY-MM-DD, optionally followed by 'T' (or a space) and HH:MM, HH:MM:SS or HH:MM:SS.fraction,
// then an optional zone: Z, ±HH, ±HHMM or ±HH:MM. Without a zone the time is UTC. Fraction digits
// beyond milliseconds are dropped. Errors (invalid_argument) quote the text and the expected form.
result<std::int64_t> parse_iso8601_ms(std::string_view text);

}  // namespace sluice::cli
