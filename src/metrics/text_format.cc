#include "metrics/text_format.h"

#include <charconv>
#include <cmath>
#include <cstdint>

namespace sluice::metrics {
namespace {

void append_escaped(std::string& out, std::string_view text, bool quote) {
  for (char c : text) {
    if (c == '\\')
      out += "\\\\";
    else if (c == '\n')
      out += "\\n";
    else if (c == '"' && quote)
      out += "\\\"";
    else
      out += c;
  }
}

// {a="x",b="y"} plus an optional extra label (le), or nothing when there are no labels at all.
void append_labels(std::string& out, const labels& label_set, std::string_view extra_name = {},
                   std::string_view extra_value = {}) {
  if (label_set.empty() && extra_name.empty()) return;
  out += '{';
  bool first = true;
  auto one = [&](std::string_view name, std::string_view value) {
    if (!first) out += ',';
    first = false;
    out += name;
    out += "=\"";
    append_escaped(out, value, true);
    out += '"';
  };
  for (const auto& [name, value] : label_set) one(name, value);
  if (!extra_name.empty()) one(extra_name, extra_value);
  out += '}';
}

void append_line(std::string& out, std::string_view name, std::string_view suffix, const labels& label_set,
                 double value, std::string_view le = {}) {
  out += name;
  out += suffix;
  append_labels(out, label_set, le.empty() ? std::string_view{} : "le", le);
  out += ' ';
  out += format_value(value);
  out += '\n';
}

std::string_view type_name(metric_type type) {
  switch (type) {
    case metric_type::counter:
      return "counter";
    case metric_type::gauge:
      return "gauge";
    case metric_type::histogram:
      return "histogram";
  }
  return "untyped";
}

void append_histogram(std::string& out, const std::string& name, const histogram_sample& h) {
  const auto& c = h.counts;
  for (std::size_t i = 0; i < c.bounds.size(); ++i)
    append_line(out, name, "_bucket", h.label_set, static_cast<double>(c.buckets[i]),
                format_value(c.bounds[i]));
  append_line(out, name, "_bucket", h.label_set, static_cast<double>(c.count), "+Inf");
  append_line(out, name, "_sum", h.label_set, c.sum);
  append_line(out, name, "_count", h.label_set, static_cast<double>(c.count));
}

}  // namespace

std::string format_value(double value) {
  if (std::isnan(value)) return "NaN";
  if (std::isinf(value)) return value > 0 ? "+Inf" : "-Inf";
  char buffer[32];
  // Integral values below 2^53 are exact: print them as integers, as counters read best.
  if (value == std::trunc(value) && std::fabs(value) < 9007199254740992.0) {
    auto [end, ec] = std::to_chars(buffer, buffer + sizeof buffer, static_cast<std::int64_t>(value));
    return std::string(buffer, end);
  }
  // Shortest round-trip digits in %g style, as Go's client writes them: 0.0001, 5e-05, 1e+300.
  auto [end, ec] = std::to_chars(buffer, buffer + sizeof buffer, value, std::chars_format::general);
  return std::string(buffer, end);
}

std::string render_text(const std::vector<family_snapshot>& families) {
  std::string out;
  for (const auto& f : families) {
    out += "# HELP ";
    out += f.name;
    out += ' ';
    append_escaped(out, f.help, false);
    out += "\n# TYPE ";
    out += f.name;
    out += ' ';
    out += type_name(f.type);
    out += '\n';
    for (const auto& s : f.samples) append_line(out, f.name, "", s.label_set, s.value);
    for (const auto& h : f.histograms) append_histogram(out, f.name, h);
  }
  return out;
}

}  // namespace sluice::metrics
