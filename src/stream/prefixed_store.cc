#include "stream/prefixed_store.h"

namespace sluice::stream {
namespace {

class prefixed_store final : public state_store {
 public:
  prefixed_store(state_store& base, std::string prefix) : base_(base), prefix_(std::move(prefix)) {}

  result<std::optional<std::string>> get(std::string_view key) override { return base_.get(full(key)); }
  result<void> put(std::string_view key, std::string_view value) override {
    return base_.put(full(key), value);
  }
  result<void> erase(std::string_view key) override { return base_.erase(full(key)); }

  result<void> scan(std::string_view begin, std::string_view end, const scan_fn& fn) override {
    std::string upper = end.empty() ? prefix_end(prefix_) : full(end);
    return base_.scan(full(begin), upper, [&](std::string_view key, std::string_view value) {
      return fn(key.substr(prefix_.size()), value);
    });
  }

  std::uint64_t approximate_size(std::string_view begin, std::string_view end) override {
    return base_.approximate_size(full(begin), end.empty() ? prefix_end(prefix_) : full(end));
  }

  result<void> checkpoint(const std::string& dir) override { return base_.checkpoint(dir); }

  result<void> write(const write_batch& batch) override {
    write_batch prefixed;
    for (const write_batch::log_append& a : batch.appends()) prefixed.append(*a.log, a.bytes);
    std::string key = prefix_;
    batch.for_each([&](const write_batch::op& op) {
      key.resize(prefix_.size());
      key.append(op.key);
      if (op.value) {
        prefixed.put(key, *op.value);
      } else {
        prefixed.erase(key);
      }
    });
    return base_.write(prefixed);
  }
  result<std::shared_ptr<state_log>> open_log(std::string_view name) override {
    return base_.open_log(full(name));
  }
  result<void> remove_log(std::string_view name) override { return base_.remove_log(full(name)); }
  result<void> remove_unopened_logs() override { return base_.remove_unopened_logs(); }

 private:
  std::string full(std::string_view key) const { return prefix_ + std::string(key); }

  state_store& base_;
  std::string prefix_;
};

}  // namespace

std::unique_ptr<state_store> make_prefixed_store(state_store& base, std::string prefix) {
  return std::make_unique<prefixed_store>(base, std::move(prefix));
}

}  // namespace sluice::stream
