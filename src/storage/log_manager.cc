#include "storage/log_manager.h"

#include <spdlog/spdlog.h>

#include <random>

#include "base/thread_name.h"
#include "storage/properties_file.h"

namespace sluice::storage {
namespace {

constexpr const char* clean_shutdown_marker = ".clean-shutdown";

std::int64_t wall_ms_now() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}
constexpr const char* identity_file = "meta.properties";
constexpr const char* topic_file = "topic.properties";
constexpr const char* override_prefix = "config.";
// Topic names cannot contain '~', so a topic being deleted cannot clash with a live one.
constexpr const char* deleting_suffix = "~deleting";
constexpr std::int32_t max_partitions = 100000;

std::string random_cluster_id() {
  static constexpr char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  std::random_device device;
  std::string id;
  for (int i = 0; i < 22; ++i) id += alphabet[device() % 64];
  return id;
}

}  // namespace

result<void> validate_topic_name(const std::string& name) {
  if (name.empty() || name.size() > 249)
    return fail(errc::invalid_argument, "topic name must have 1 to 249 characters");
  if (name == "." || name == "..") return fail(errc::invalid_argument, "topic name cannot be '.' or '..'");
  for (char c : name) {
    bool legal = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
                 c == '_' || c == '-';
    if (!legal)
      return fail(errc::invalid_argument, "topic name '" + name +
                                              "' has a character other than ASCII "
                                              "letters, digits, '.', '_' and '-'");
  }
  return {};
}

log_manager::log_manager(io::file_system& fs, storage_options options, io::directory_lock lock)
    : fs_(fs), options_(std::move(options)), lock_(std::move(lock)) {}

log_manager::~log_manager() {
  if (auto closed = close(); !closed)
    spdlog::error("closing the data directory: {}", closed.error().describe());
}

result<std::unique_ptr<log_manager>> log_manager::open(io::file_system& fs, storage_options options) {
  SLUICE_RETURN_IF_ERROR(fs.create_directories(options.data_dir + "/topics"));
  SLUICE_ASSIGN_OR_RETURN(auto lock, io::directory_lock::acquire(options.data_dir));
  std::unique_ptr<log_manager> manager(new log_manager(fs, std::move(options), std::move(lock)));
  const auto& dir = manager->options_.data_dir;
  auto marker = dir + "/" + clean_shutdown_marker;
  bool marker_present = fs.exists(marker);
  // A directory never used before has nothing to recover either.
  manager->clean_start_ = marker_present || !fs.exists(dir + "/" + identity_file);
  if (marker_present) {
    // Gone (durably) before anything is written, so a crash from here on is
    // seen as unclean by the next start.
    SLUICE_RETURN_IF_ERROR(fs.remove(marker));
    SLUICE_RETURN_IF_ERROR(fs.sync_directory(dir));
  }
  if (auto loaded = manager->load_identity().and_then([&] { return manager->load_topics(); }); !loaded) {
    // The destructor must not close() a start that failed half way: the
    // marker it would leave claims a recovery that never finished.
    manager->closed_ = true;
    return tl::unexpected(loaded.error());
  }
  if (manager->options_.background_housekeeping) {
    manager->housekeeping_ = std::thread([m = manager.get()] {
      name_this_thread("log-housekeep");
      m->housekeeping_loop();
    });
    manager->cleaner_ = std::thread([m = manager.get()] {
      name_this_thread("log-cleaner");
      m->cleaner_loop();
    });
  }
  return manager;
}

result<void> log_manager::load_identity() {
  auto path = options_.data_dir + "/" + identity_file;
  if (!fs_.exists(path)) {
    cluster_id_ = random_cluster_id();
    return write_properties(fs_, path, "sluice data directory",
                            {{"format.version", "1"}, {"cluster.id", cluster_id_}});
  }
  SLUICE_ASSIGN_OR_RETURN(auto identity, read_properties(fs_, path));
  SLUICE_ASSIGN_OR_RETURN(auto version, get_int(identity, "format.version"));
  if (version != 1)
    return fail(errc::corruption, path + ": format version " + std::to_string(version) +
                                      " is newer than this sluice understands");
  cluster_id_ = identity["cluster.id"];
  return {};
}

std::string log_manager::topic_dir(const std::string& name) const {
  return options_.data_dir + "/topics/" + name;
}

result<void> log_manager::load_topics() {
  SLUICE_ASSIGN_OR_RETURN(auto names, fs_.list(options_.data_dir + "/topics"));
  for (const auto& name : names) {
    auto dir = topic_dir(name);
    if (name.ends_with(deleting_suffix) || !fs_.exists(dir + "/" + topic_file)) {
      // An interrupted delete, or a create that never reached its commit point.
      spdlog::info("removing incomplete topic directory {}", dir);
      SLUICE_RETURN_IF_ERROR(fs_.remove_all(dir));
      continue;
    }
    SLUICE_RETURN_IF_ERROR(load_topic(name));
  }
  return {};
}

result<void> log_manager::load_topic(const std::string& name) {
  auto path = topic_dir(name) + "/" + topic_file;
  SLUICE_ASSIGN_OR_RETURN(auto props, read_properties(fs_, path));
  SLUICE_ASSIGN_OR_RETURN(auto partitions, get_int(props, "partitions"));
  topic_state topic;
  for (const auto& [key, value] : props)
    if (key.starts_with(override_prefix))
      topic.overrides[key.substr(std::string(override_prefix).size())] = value;
  auto config = resolve_config(options_.defaults, topic.overrides);
  if (!config) {
    spdlog::warn("topic {}: {}; using server defaults", name, config.error().describe());
    config = options_.defaults;
  }
  for (std::int32_t p = 0; p < partitions; ++p) {
    SLUICE_ASSIGN_OR_RETURN(auto log, open_partition(name, p, *config));
    topic.partitions.push_back(std::move(log));
  }
  topics_.emplace(name, std::move(topic));
  return {};
}

result<std::shared_ptr<partition_log>> log_manager::open_partition(const std::string& topic, std::int32_t p,
                                                                   const log_config& config) {
  auto dir = topic_dir(topic) + "/" + std::to_string(p);
  SLUICE_ASSIGN_OR_RETURN(auto log, partition_log::open(fs_, dir, config, clean_start_));
  log->set_traffic(traffic_of(topic));
  log->set_seal_executor(seal_queue::executor_of(sealer_));
  return std::shared_ptr<partition_log>(std::move(log));
}

result<void> log_manager::persist_topic(const std::string& name, const topic_state& topic) {
  properties props{
      {"format.version", "1"}, {"name", name}, {"partitions", std::to_string(topic.partitions.size())}};
  for (const auto& [key, value] : topic.overrides) props[override_prefix + key] = value;
  return write_properties(fs_, topic_dir(name) + "/" + topic_file, "sluice topic", props);
}

result<void> log_manager::create_topic(const std::string& name, std::int32_t partitions,
                                       const config_overrides& overrides) {
  SLUICE_RETURN_IF_ERROR(validate_topic_name(name));
  if (partitions < 1 || partitions > max_partitions)
    return fail(errc::invalid_argument,
                "a topic needs 1 to " + std::to_string(max_partitions) + " partitions");
  SLUICE_ASSIGN_OR_RETURN(auto config, resolve_config(options_.defaults, overrides));
  std::lock_guard lock(mu_);
  if (closed_) return fail(errc::closed, "the data directory is closed");
  if (topics_.contains(name)) return fail(errc::already_exists, "topic '" + name + "' already exists");
  topic_state topic{overrides, {}};
  for (std::int32_t p = 0; p < partitions; ++p) {
    SLUICE_ASSIGN_OR_RETURN(auto log, open_partition(name, p, config));
    topic.partitions.push_back(std::move(log));
  }
  SLUICE_RETURN_IF_ERROR(persist_topic(name, topic));
  SLUICE_RETURN_IF_ERROR(fs_.sync_directory(options_.data_dir + "/topics"));
  topics_.emplace(name, std::move(topic));
  spdlog::info("created topic {} with {} partitions", name, partitions);
  return {};
}

result<void> log_manager::delete_topic(const std::string& name) {
  std::unique_lock lock(mu_);
  auto it = topics_.find(name);
  if (it == topics_.end()) return fail(errc::not_found, "topic '" + name + "' does not exist");
  // A queued seal would write into the directory a topic created again under this name gets.
  for (const auto& log : it->second.partitions) log->drop_pending_seals();
  auto doomed = topic_dir(name) + deleting_suffix;
  SLUICE_RETURN_IF_ERROR(fs_.rename(topic_dir(name), doomed));
  SLUICE_RETURN_IF_ERROR(fs_.sync_directory(options_.data_dir + "/topics"));
  topics_.erase(it);
  lock.unlock();
  forget_traffic(name);
  spdlog::info("deleted topic {}", name);
  // Open files stay readable by whoever still holds a partition.
  return fs_.remove_all(doomed);
}

result<void> log_manager::create_partitions(const std::string& name, std::int32_t total) {
  std::lock_guard lock(mu_);
  auto it = topics_.find(name);
  if (it == topics_.end()) return fail(errc::not_found, "topic '" + name + "' does not exist");
  auto& topic = it->second;
  auto current = static_cast<std::int32_t>(topic.partitions.size());
  if (total <= current)
    return fail(errc::invalid_argument, "topic '" + name + "' has " + std::to_string(current) +
                                            " partitions; the new count must be larger");
  if (total > max_partitions) return fail(errc::invalid_argument, "too many partitions");
  auto config = resolve_config(options_.defaults, topic.overrides).value_or(options_.defaults);
  auto grown = topic;
  for (std::int32_t p = current; p < total; ++p) {
    SLUICE_ASSIGN_OR_RETURN(auto log, open_partition(name, p, config));
    grown.partitions.push_back(std::move(log));
  }
  SLUICE_RETURN_IF_ERROR(persist_topic(name, grown));
  topic = std::move(grown);
  return {};
}

result<void> log_manager::alter_topic_config(const std::string& name, const config_overrides& overrides) {
  SLUICE_ASSIGN_OR_RETURN(auto config, resolve_config(options_.defaults, overrides));
  std::lock_guard lock(mu_);
  auto it = topics_.find(name);
  if (it == topics_.end()) return fail(errc::not_found, "topic '" + name + "' does not exist");
  auto altered = it->second;
  altered.overrides = overrides;
  SLUICE_RETURN_IF_ERROR(persist_topic(name, altered));
  it->second.overrides = overrides;
  for (const auto& log : it->second.partitions) log->set_config(config);
  return {};
}

std::shared_ptr<partition_log> log_manager::partition(const std::string& topic,
                                                      std::int32_t partition) const {
  std::lock_guard lock(mu_);
  auto it = topics_.find(topic);
  if (it == topics_.end() || partition < 0 ||
      partition >= static_cast<std::int32_t>(it->second.partitions.size()))
    return nullptr;
  return it->second.partitions[static_cast<std::size_t>(partition)];
}

std::optional<topic_description> log_manager::describe_topic(const std::string& name) const {
  std::lock_guard lock(mu_);
  auto it = topics_.find(name);
  if (it == topics_.end()) return std::nullopt;
  return topic_description{name, static_cast<std::int32_t>(it->second.partitions.size()),
                           it->second.overrides};
}

std::vector<topic_description> log_manager::list_topics() const {
  std::lock_guard lock(mu_);
  std::vector<topic_description> out;
  for (const auto& [name, topic] : topics_)
    out.push_back({name, static_cast<std::int32_t>(topic.partitions.size()), topic.overrides});
  return out;
}

std::vector<std::shared_ptr<partition_log>> log_manager::all_partitions() const {
  std::lock_guard lock(mu_);
  std::vector<std::shared_ptr<partition_log>> out;
  for (const auto& [name, topic] : topics_)
    out.insert(out.end(), topic.partitions.begin(), topic.partitions.end());
  return out;
}

void log_manager::run_flush_checks(std::chrono::steady_clock::time_point now) {
  for (const auto& log : all_partitions())
    if (auto flushed = log->flush_if_due(now); !flushed)
      spdlog::error("partition {}: flush failed: {}", log->dir(), flushed.error().describe());
}

void log_manager::run_retention(std::int64_t now_ms) {
  for (const auto& log : all_partitions())
    if (auto kept = log->enforce_retention(now_ms); !kept)
      spdlog::error("partition {}: retention failed: {}", log->dir(), kept.error().describe());
}

void log_manager::run_cleaner(std::int64_t now_ms) {
  // A partition with a seal pending is skipped (the seal's job holds its segments): let the seals
  // posted so far finish, so a pass cleans what has rolled until now.
  sealer_->wait_idle();
  for (const auto& log : all_partitions())
    if (auto cleaned = log->clean(now_ms); !cleaned)
      spdlog::error("partition {}: cleaning failed: {}", log->dir(), cleaned.error().describe());
}

void log_manager::housekeeping_loop() {
  auto next_retention = std::chrono::steady_clock::now();
  std::unique_lock lock(housekeeping_mu_);
  while (!stopping_) {
    lock.unlock();
    auto now = std::chrono::steady_clock::now();
    run_flush_checks(now);
    if (now >= next_retention) {
      run_retention(wall_ms_now());
      next_retention = now + options_.retention_check_interval;
    }
    lock.lock();
    housekeeping_wake_.wait_for(lock, options_.flush_check_interval, [&] { return stopping_; });
  }
}

void log_manager::cleaner_loop() {
  std::unique_lock lock(housekeeping_mu_);
  while (!stopping_) {
    lock.unlock();
    run_cleaner(wall_ms_now());
    lock.lock();
    housekeeping_wake_.wait_for(lock, options_.cleaner_check_interval, [&] { return stopping_; });
  }
}

result<void> log_manager::close() {
  {
    std::lock_guard lock(housekeeping_mu_);
    stopping_ = true;
  }
  housekeeping_wake_.notify_all();
  if (housekeeping_.joinable()) housekeeping_.join();
  if (cleaner_.joinable()) cleaner_.join();
  std::vector<std::shared_ptr<partition_log>> logs;
  {
    std::lock_guard lock(mu_);
    if (closed_) return {};
    closed_ = true;
  }
  logs = all_partitions();
  for (const auto& log : logs) SLUICE_RETURN_IF_ERROR(log->close());
  const auto& dir = options_.data_dir;
  SLUICE_RETURN_IF_ERROR(io::write_file_atomically(fs_, dir + "/" + clean_shutdown_marker, {}));
  spdlog::info("data directory {} closed cleanly", dir);
  return {};
}

}  // namespace sluice::storage
