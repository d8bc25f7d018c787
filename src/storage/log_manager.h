// storage/log_manager.h — the data directory: every topic, its partitions'
// logs and its config overrides, and the housekeeping that runs over them.
//
//   <data>/meta.properties                    format version and cluster id
//   <data>/.lock                              held while a process owns the directory
//   <data>/.clean-shutdown                    present only between a clean stop and the next start
//   <data>/topics/<topic>/topic.properties    partition count and config overrides
//   <data>/topics/<topic>/<partition>/        one partition_log
//
// Topic changes are crash-safe: topic.properties is the commit point of a
// create, and a delete renames the directory away before removing it.
//
// Thread-safe. Partitions are handed out as shared_ptr so a reader or
// writer keeps its log alive while the topic is deleted under it.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "base/result.h"
#include "io/directory_lock.h"
#include "io/file.h"
#include "storage/log_config.h"
#include "storage/partition_log.h"
#include "storage/seal_queue.h"

namespace sluice::storage {

struct storage_options {
  std::string data_dir = "sluice-data";
  log_config defaults;  // server-wide defaults under the topic configs
  // How often flush.ms deadlines are checked.
  std::chrono::milliseconds flush_check_interval{50};
  // How often retention runs (Kafka's log.retention.check.interval.ms).
  std::chrono::milliseconds retention_check_interval{300000};
  // How often compacted partitions are checked for a cleaning pass (Kafka's log.cleaner.backoff.ms
  // is 15 s; a check here only walks the segment list, and a pass runs only when one is due).
  std::chrono::milliseconds cleaner_check_interval{1000};
  bool background_housekeeping = true;
};

struct topic_description {
  std::string name;
  std::int32_t partitions;
  config_overrides overrides;
};

class log_manager {
 public:
  static result<std::unique_ptr<log_manager>> open(io::file_system& fs, storage_options options);
  ~log_manager();
  log_manager(const log_manager&) = delete;
  log_manager& operator=(const log_manager&) = delete;

  result<void> create_topic(const std::string& name, std::int32_t partitions,
                            const config_overrides& overrides);
  result<void> delete_topic(const std::string& name);
  // Grows a topic to `total` partitions.
  result<void> create_partitions(const std::string& name, std::int32_t total);
  // Replaces the topic's overrides.
  result<void> alter_topic_config(const std::string& name, const config_overrides& overrides);

  // nullptr when the topic or partition does not exist.
  std::shared_ptr<partition_log> partition(const std::string& topic, std::int32_t partition) const;
  std::optional<topic_description> describe_topic(const std::string& name) const;
  std::vector<topic_description> list_topics() const;
  const storage_options& options() const { return options_; }
  const std::string& cluster_id() const { return cluster_id_; }
  // True when the previous run shut down cleanly, or there was none.
  bool recovered_cleanly() const { return clean_start_; }

  // One pass of flush.ms, retention and compaction checks (the background thread calls them).
  void run_flush_checks(std::chrono::steady_clock::time_point now);
  void run_retention(std::int64_t now_ms);
  void run_cleaner(std::int64_t now_ms);

  // Closes every log and leaves the clean-shutdown marker.
  result<void> close();

 private:
  struct topic_state {
    config_overrides overrides;
    std::vector<std::shared_ptr<partition_log>> partitions;
  };

  log_manager(io::file_system& fs, storage_options options, io::directory_lock lock);

  result<void> load_identity();
  result<void> load_topics();
  result<void> load_topic(const std::string& name);
  result<void> persist_topic(const std::string& name, const topic_state& topic);
  result<std::shared_ptr<partition_log>> open_partition(const std::string& topic, std::int32_t p,
                                                        const log_config& config);
  std::string topic_dir(const std::string& name) const;
  std::vector<std::shared_ptr<partition_log>> all_partitions() const;
  void housekeeping_loop();
  // Compaction on a thread of its own (Kafka's cleaner threads): a long pass must not hold up
  // flush.ms syncs and retention.
  void cleaner_loop();

  io::file_system& fs_;
  storage_options options_;
  io::directory_lock lock_;
  // Seals rolled segments of every partition, off their append locks.
  std::shared_ptr<seal_queue> sealer_ = std::make_shared<seal_queue>();
  std::string cluster_id_;
  bool clean_start_ = false;

  mutable std::mutex mu_;  // guards topics_ and closed_
  std::map<std::string, topic_state> topics_;
  bool closed_ = false;

  std::mutex housekeeping_mu_;
  std::condition_variable housekeeping_wake_;
  bool stopping_ = false;
  std::thread housekeeping_;
  std::thread cleaner_;
};

// Kafka's rule: 1–249 characters of [a-zA-Z0-9._-], and not "." or "..".
result<void> validate_topic_name(const std::string& name);

}  // namespace sluice::storage
