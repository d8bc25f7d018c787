// bench/json.h — a minimal ordered JSON tree for benchmark reports. Keys keep
// insertion order so result files diff cleanly between runs.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace sluice::bench {

class json {
 public:
  json() : kind_(kind::object) {}
  json(std::int64_t v) : kind_(kind::integer), integer_(v) {}          // NOLINT: implicit by design
  json(int v) : json(static_cast<std::int64_t>(v)) {}                  // NOLINT
  json(std::uint64_t v) : json(static_cast<std::int64_t>(v)) {}        // NOLINT
  json(double v) : kind_(kind::number), number_(v) {}                  // NOLINT
  json(bool v) : kind_(kind::boolean), boolean_(v) {}                  // NOLINT
  json(std::string v) : kind_(kind::string), string_(std::move(v)) {}  // NOLINT
  json(const char* v) : json(std::string(v)) {}                        // NOLINT

  static json array() {
    json j;
    j.kind_ = kind::array;
    return j;
  }

  // Object member; replaces nothing, so each key is set once.
  json& set(std::string key, json value) {
    members_.emplace_back(std::move(key), std::move(value));
    return *this;
  }
  // Array element.
  json& push(json value) {
    items_.push_back(std::move(value));
    return *this;
  }

  std::string dump(int indent = 0) const;

 private:
  enum class kind { object, array, integer, number, boolean, string };

  kind kind_;
  std::int64_t integer_ = 0;
  double number_ = 0;
  bool boolean_ = false;
  std::string string_;
  std::vector<std::pair<std::string, json>> members_;
  std::vector<json> items_;
};

}  // namespace sluice::bench
