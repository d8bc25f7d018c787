// stream/memory_store.cc — the in-memory state_store for unit tests: a std::map with memcmp order.
#include <map>

#include "stream/state_store.h"

namespace sluice::stream {
namespace {

class memory_log final : public state_log {
 public:
  result<std::uint64_t> size() override { return bytes_.size(); }
  result<void> read(std::uint64_t offset, std::uint64_t length, std::string& out) override {
    if (offset + length > bytes_.size()) return fail(errc::corruption, "the log is shorter than asked");
    out.append(bytes_, offset, length);
    return {};
  }
  result<void> truncate(std::uint64_t size) override {
    if (size < bytes_.size()) bytes_.resize(size);
    return {};
  }
  result<void> append(std::string_view bytes) override {
    bytes_.append(bytes);
    return {};
  }
  result<void> sync() override { return {}; }

 private:
  std::string bytes_;
};

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
    SLUICE_RETURN_IF_ERROR(batch.write_appends());
    batch.for_each([&](const write_batch::op& op) {
      if (op.value) {
        map_.insert_or_assign(std::string(op.key), std::string(*op.value));
      } else if (auto it = map_.find(op.key); it != map_.end()) {
        map_.erase(it);
      }
    });
    return {};
  }
  result<std::shared_ptr<state_log>> open_log(std::string_view name) override {
    auto [it, created] = logs_.try_emplace(std::string(name));
    if (created) it->second = std::make_shared<memory_log>();
    return std::shared_ptr<state_log>(it->second);
  }
  result<void> remove_log(std::string_view name) override {
    if (auto it = logs_.find(name); it != logs_.end()) logs_.erase(it);
    return {};
  }
  result<void> remove_unopened_logs() override { return {}; }  // every log here lives only this long

 private:
  std::map<std::string, std::string, std::less<>> map_;
  std::map<std::string, std::shared_ptr<memory_log>, std::less<>> logs_;
};

}  // namespace

std::unique_ptr<state_store> make_memory_store() { return std::make_unique<memory_store>(); }

}  // namespace sluice::stream
