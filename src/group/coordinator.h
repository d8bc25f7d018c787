// group/coordinator.h — the group coordinator: every consumer group of this broker, their committed
// offsets in the offsets topic, and consumer lag. The broker is the coordinator of every group (one node).
//
// Ownership: the coordinator owns its groups (shared_ptr, so a timer or request in flight keeps a group
// alive while it is deleted); it borrows the log_manager and the io_context, which must outlive it.
// Destroy it after the io_context's threads have stopped and before the log_manager closes.
//
// Threading: thread-safe. mu_ guards the map of groups only; each group has its own mutex, so a slow or
// misbehaving member of one group never blocks another group. Lock order: coordinator, then group.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "base/result.h"
#include "group/group.h"
#include "group/offsets_log.h"
#include "storage/log_manager.h"

namespace sluice::group {

struct coordinator_config {
  group_settings group;
  std::int32_t offsets_partitions = 8;  // Kafka: offsets.topic.num.partitions (50 there)
};

// One partition's consumer lag: log end offset − committed offset (never negative).
struct partition_lag {
  topic_partition partition;
  std::int64_t committed = -1;
  std::int64_t end_offset = -1;  // -1 when the partition no longer exists
  std::int64_t lag = 0;
};

class group_coordinator {
 public:
  // `logs` may be null (tests): nothing is persisted.
  group_coordinator(boost::asio::io_context& io, storage::log_manager* logs, coordinator_config config);
  ~group_coordinator();
  group_coordinator(const group_coordinator&) = delete;
  group_coordinator& operator=(const group_coordinator&) = delete;

  // Opens (creating) the offsets topic and replays it. Call once, before serving requests.
  result<void> load();

  // nullptr when the group does not exist (or is vacant).
  std::shared_ptr<group> find(const std::string& group_id) const;
  std::shared_ptr<group> get_or_create(const std::string& group_id);
  // Every group that is not vacant, by id.
  std::vector<std::shared_ptr<group>> list() const;
  // DeleteGroups for one group.
  kafka::error_code remove(const std::string& group_id);

  // Lag of every partition the group has committed offsets for.
  std::vector<partition_lag> lag(const std::string& group_id) const;

  const storage::log_manager* logs() const { return logs_; }
  storage::log_manager* logs() { return logs_; }

 private:
  boost::asio::io_context& io_;
  storage::log_manager* logs_;
  coordinator_config config_;
  std::unique_ptr<offsets_log> store_;

  mutable std::mutex mu_;  // guards groups_
  std::map<std::string, std::shared_ptr<group>> groups_;
};

}  // namespace sluice::group
