#include "metrics/registry.h"

#include <algorithm>
#include <variant>

#include "base/assert.h"

namespace sluice::metrics {
namespace {

bool valid_name(std::string_view name, bool allow_colon) {
  if (name.empty()) return false;
  for (std::size_t i = 0; i < name.size(); ++i) {
    char c = name[i];
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || (allow_colon && c == ':') ||
              (i > 0 && c >= '0' && c <= '9');
    if (!ok) return false;
  }
  return true;
}

labels zip(const std::vector<std::string>& names, const std::vector<std::string>& values) {
  labels out;
  out.reserve(names.size());
  for (std::size_t i = 0; i < names.size(); ++i) out.emplace_back(names[i], values[i]);
  return out;
}

}  // namespace

using instrument = std::variant<std::shared_ptr<counter>, std::shared_ptr<gauge>, std::shared_ptr<histogram>>;

struct registry::family_entry {
  family_info info;
  metric_type type;
  std::map<std::vector<std::string>, instrument> children;
};

void sample_writer::counter(std::string_view name, std::string_view help, labels label_set, double value) {
  family(name, help, metric_type::counter).samples.push_back({std::move(label_set), value});
}

void sample_writer::gauge(std::string_view name, std::string_view help, labels label_set, double value) {
  family(name, help, metric_type::gauge).samples.push_back({std::move(label_set), value});
}

void sample_writer::histogram(std::string_view name, std::string_view help, labels label_set,
                              histogram_counts counts) {
  family(name, help, metric_type::histogram).histograms.push_back({std::move(label_set), std::move(counts)});
}

family_snapshot& sample_writer::family(std::string_view name, std::string_view help, metric_type type) {
  SLUICE_ASSERT(valid_name(name, true), "invalid metric name");
  auto it = families_.find(name);
  if (it == families_.end()) {
    family_snapshot f{
        .name = std::string(name), .help = std::string(help), .type = type, .samples = {}, .histograms = {}};
    it = families_.emplace(std::string(name), std::move(f)).first;
  }
  SLUICE_ASSERT(it->second.type == type, "a metric family declared with two types");
  return it->second;
}

std::vector<family_snapshot> sample_writer::take() {
  std::vector<family_snapshot> out;
  out.reserve(families_.size());
  for (auto& [name, f] : families_) out.push_back(std::move(f));
  families_.clear();
  return out;
}

collector_handle::collector_handle(collector_handle&& other) noexcept
    : owner_(std::exchange(other.owner_, nullptr)), id_(other.id_) {}

collector_handle& collector_handle::operator=(collector_handle&& other) noexcept {
  if (this != &other) {
    reset();
    owner_ = std::exchange(other.owner_, nullptr);
    id_ = other.id_;
  }
  return *this;
}

void collector_handle::reset() {
  if (owner_ != nullptr) std::exchange(owner_, nullptr)->remove_collector(id_);
}

registry::family_entry& registry::family(const family_info& info, metric_type type) {
  auto it = families_.find(info.name);
  if (it == families_.end()) {
    SLUICE_ASSERT(valid_name(info.name, true), "invalid metric name");
    for (const auto& l : info.label_names)
      SLUICE_ASSERT(valid_name(l, false) && !l.starts_with("__") && l != "le", "invalid label name");
    it = families_.emplace(info.name, std::make_shared<family_entry>(family_entry{info, type, {}})).first;
  }
  auto& f = *it->second;
  SLUICE_ASSERT(f.type == type && f.info.label_names == info.label_names,
                "a metric family declared twice with different types or labels");
  return f;
}

std::shared_ptr<counter> registry::counter(const family_info& info, std::vector<std::string> values) {
  SLUICE_ASSERT(values.size() == info.label_names.size(), "one value per label");
  std::lock_guard lock(mu_);
  auto& slot = family(info, metric_type::counter).children[std::move(values)];
  if (!std::holds_alternative<std::shared_ptr<metrics::counter>>(slot) ||
      !std::get<std::shared_ptr<metrics::counter>>(slot))
    slot = std::make_shared<metrics::counter>();
  return std::get<std::shared_ptr<metrics::counter>>(slot);
}

std::shared_ptr<gauge> registry::gauge(const family_info& info, std::vector<std::string> values) {
  SLUICE_ASSERT(values.size() == info.label_names.size(), "one value per label");
  std::lock_guard lock(mu_);
  auto& slot = family(info, metric_type::gauge).children[std::move(values)];
  if (!std::holds_alternative<std::shared_ptr<metrics::gauge>>(slot))
    slot = std::make_shared<metrics::gauge>();
  return std::get<std::shared_ptr<metrics::gauge>>(slot);
}

std::shared_ptr<histogram> registry::histogram(const family_info& info, std::vector<std::string> values,
                                               std::span<const double> bounds) {
  SLUICE_ASSERT(values.size() == info.label_names.size(), "one value per label");
  std::lock_guard lock(mu_);
  auto& slot = family(info, metric_type::histogram).children[std::move(values)];
  if (!std::holds_alternative<std::shared_ptr<metrics::histogram>>(slot))
    slot = std::make_shared<metrics::histogram>(bounds);
  return std::get<std::shared_ptr<metrics::histogram>>(slot);
}

void registry::remove(std::string_view name, const std::vector<std::string>& values) {
  std::lock_guard lock(mu_);
  if (auto it = families_.find(name); it != families_.end()) it->second->children.erase(values);
}

collector_handle registry::add_collector(collector fn) {
  std::lock_guard lock(collectors_mu_);
  auto id = next_collector_++;
  collectors_.emplace(id, std::move(fn));
  return collector_handle(this, id);
}

void registry::remove_collector(std::uint64_t id) {
  std::lock_guard lock(collectors_mu_);
  collectors_.erase(id);
}

std::vector<family_snapshot> registry::collect() const {
  sample_writer out;
  {
    std::lock_guard lock(mu_);
    for (const auto& [name, f] : families_) {
      if (f->children.empty()) continue;
      for (const auto& [values, child] : f->children) {
        auto label_set = zip(f->info.label_names, values);
        if (const auto* c = std::get_if<std::shared_ptr<metrics::counter>>(&child))
          out.counter(name, f->info.help, std::move(label_set), static_cast<double>((*c)->value()));
        else if (const auto* g = std::get_if<std::shared_ptr<metrics::gauge>>(&child))
          out.gauge(name, f->info.help, std::move(label_set), (*g)->value());
        else
          out.histogram(name, f->info.help, std::move(label_set),
                        std::get<std::shared_ptr<metrics::histogram>>(child)->counts());
      }
    }
  }
  {
    std::lock_guard lock(collectors_mu_);
    for (const auto& [id, fn] : collectors_) fn(out);
  }
  return out.take();
}

registry& default_registry() {
  static registry r;
  return r;
}

double total(const std::vector<family_snapshot>& families, std::string_view name) {
  auto it = std::find_if(families.begin(), families.end(), [&](const auto& f) { return f.name == name; });
  if (it == families.end()) return 0;
  double sum = 0;
  for (const auto& s : it->samples) sum += s.value;
  return sum;
}

}  // namespace sluice::metrics
