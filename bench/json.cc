#include "json.h"

#include <fmt/format.h>

#include <cmath>

#include "base/json_string.h"

namespace sluice::bench {
namespace {

std::string quote(const std::string& s) {
  std::string out;
  append_json_string(out, s);
  return out;
}

// Three decimals is far below the run-to-run noise of any figure here, and
// keeps the files readable.
std::string number(double v) {
  if (!std::isfinite(v)) return "null";
  return fmt::format("{}", std::round(v * 1000) / 1000);
}

}  // namespace

std::string json::dump(int indent) const {
  std::string pad(static_cast<std::size_t>(indent + 2), ' ');
  std::string closing(static_cast<std::size_t>(indent), ' ');
  switch (kind_) {
    case kind::integer:
      return fmt::format("{}", integer_);
    case kind::number:
      return number(number_);
    case kind::boolean:
      return boolean_ ? "true" : "false";
    case kind::string:
      return quote(string_);
    case kind::array: {
      if (items_.empty()) return "[]";
      std::string out = "[\n";
      for (std::size_t i = 0; i < items_.size(); ++i)
        out += pad + items_[i].dump(indent + 2) + (i + 1 < items_.size() ? ",\n" : "\n");
      return out + closing + "]";
    }
    case kind::object: {
      if (members_.empty()) return "{}";
      std::string out = "{\n";
      for (std::size_t i = 0; i < members_.size(); ++i)
        out += pad + quote(members_[i].first) + ": " + members_[i].second.dump(indent + 2) +
               (i + 1 < members_.size() ? ",\n" : "\n");
      return out + closing + "}";
    }
  }
  return "null";
}

}  // namespace sluice::bench
