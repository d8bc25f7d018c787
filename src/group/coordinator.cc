#include "group/coordinator.h"

#include <spdlog/spdlog.h>

namespace sluice::group {

group_coordinator::group_coordinator(boost::asio::io_context& io, storage::log_manager* logs,
                                     coordinator_config config)
    : io_(io), logs_(logs), config_(config) {}

group_coordinator::~group_coordinator() = default;

result<void> group_coordinator::load() {
  if (logs_ == nullptr) return {};
  auto opened = offsets_log::open(*logs_, config_.offsets_partitions);
  if (!opened) return tl::unexpected(opened.error());
  store_ = std::move(*opened);
  std::size_t records = 0;
  auto replayed = store_->replay([&](const offsets_record& r) {
    ++records;
    auto g = get_or_create(r.group);
    if (r.partition)
      g->restore_offset(*r.partition, r.offset);
    else
      g->restore_metadata(r.metadata);
  });
  if (!replayed) return replayed;
  spdlog::info("group coordinator: {} groups from {} records of {}", list().size(), records, offsets_topic);
  return {};
}

std::shared_ptr<group> group_coordinator::find(const std::string& group_id) const {
  std::lock_guard lock(mu_);
  auto it = groups_.find(group_id);
  if (it == groups_.end() || it->second->vacant()) return nullptr;
  return it->second;
}

std::shared_ptr<group> group_coordinator::get_or_create(const std::string& group_id) {
  std::lock_guard lock(mu_);
  auto& g = groups_[group_id];
  if (!g || g->state() == group_state::dead)
    g = std::make_shared<group>(group_id, io_, config_.group, store_.get());
  return g;
}

std::vector<std::shared_ptr<group>> group_coordinator::list() const {
  std::lock_guard lock(mu_);
  std::vector<std::shared_ptr<group>> out;
  for (const auto& [id, g] : groups_)
    if (!g->vacant()) out.push_back(g);
  return out;
}

kafka::error_code group_coordinator::remove(const std::string& group_id) {
  std::lock_guard lock(mu_);
  auto it = groups_.find(group_id);
  if (it == groups_.end() || it->second->vacant()) return kafka::error_code::group_id_not_found;
  auto error = it->second->remove();
  if (error == kafka::error_code::none) groups_.erase(it);
  return error;
}

std::vector<partition_lag> group_coordinator::lag(const std::string& group_id) const {
  std::vector<partition_lag> out;
  auto g = find(group_id);
  if (!g) return out;
  for (const auto& [tp, committed] : g->all_committed()) {
    partition_lag l{.partition = tp, .committed = committed.offset, .end_offset = -1, .lag = 0};
    auto log = logs_ != nullptr ? logs_->partition(tp.topic, tp.partition) : nullptr;
    if (log) {
      l.end_offset = log->end_offset();
      l.lag = std::max<std::int64_t>(0, l.end_offset - std::max<std::int64_t>(committed.offset, 0));
    }
    out.push_back(l);
  }
  return out;
}

}  // namespace sluice::group
