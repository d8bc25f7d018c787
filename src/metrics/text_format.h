// metrics/text_format.h — Prometheus' text exposition format, version 0.0.4: a HELP and a TYPE line per
// family, then one line per sample; histograms as cumulative `_bucket{le="..."}` lines ending with
// le="+Inf" (equal to `_count`), then `_sum` and `_count`. Label values escape \, " and newlines; help
// text escapes \ and newlines.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "metrics/registry.h"

namespace sluice::metrics {

inline constexpr std::string_view text_content_type = "text/plain; version=0.0.4; charset=utf-8";

std::string render_text(const std::vector<family_snapshot>& families);

// A sample value as Prometheus writes it: integers without a fraction, NaN, +Inf, -Inf.
std::string format_value(double value);

}  // namespace sluice::metrics
