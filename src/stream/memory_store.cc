// stream/memory_store.cc — the in-memory state_store for unit tests: a std::map with memcmp order.
#include <map>

#include "stream/state_store.h"

namespace sluice::stream {
namespace {

class memory_store final : public state_store {
 public:
  result<std::optional<std::string>> get(std::string_view key) override {
    auto it = map_.find(key);
    if (it == map_.end()) return std::optional<std::string>();
    return std::optional<std::string>(it->second);
  }
  result<void> put(std::string_view key, std::string_view value) override {
    map_.insert_or_assign(std::string(key), std::string(value));
    return {};
  }
  result<void> erase(std::string_view key) override {
    if (auto it = map_.find(key); it != map_.end()) map_.erase(it);
    return {};
  }
  result<void> scan(std::string_view begin, std::string_view end, const scan_fn& fn) override {
    for (auto it = map_.lower_bound(begin); it != map_.end(); ++it) {
      if (!end.empty() && std::string_view(it->first) >= end) break;
      if (!fn(it->first, it->second)) break;
    }
    return {};
  }
  std::uint64_t approximate_size(std::string_view begin, std::string_view end) override {
    std::uint64_t size = 0;
    for (auto it = map_.lower_bound(begin); it != map_.end(); ++it) {
      if (!end.empty() && std::string_view(it->first) >= end) break;
      size += it->first.size() + it->second.size();
    }
    return size;
  }
  result<void> checkpoint(const std::string&) override {
    return fail(errc::invalid_argument, "the in-memory state store has no checkpoints");
  }
  result<void> write(const write_batch& batch) override {
    batch.for_each([&](const write_batch::op& op) {
      if (op.value) {
        map_.insert_or_assign(std::string(op.key), std::string(*op.value));
      } else if (auto it = map_.find(op.key); it != map_.end()) {
        map_.erase(it);
      }
    });
    return {};
  }

 private:
  std::map<std::string, std::string, std::less<>> map_;
};

}  // namespace

std::unique_ptr<state_store> make_memory_store() { return std::make_unique<memory_store>(); }

}  // namespace sluice::stream
