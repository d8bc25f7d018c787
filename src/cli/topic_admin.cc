#include "cli/topic_admin.h"

#include <algorithm>
#include <array>
#include <chrono>
#include <map>
#include <thread>

namespace sluice::cli {
namespace {

using new_topic_handle = std::unique_ptr<rd_kafka_NewTopic_t, rdkafka_deleter>;
using delete_topic_handle = std::unique_ptr<rd_kafka_DeleteTopic_t, rdkafka_deleter>;
using config_resource_handle = std::unique_ptr<rd_kafka_ConfigResource_t, rdkafka_deleter>;

// The error of the one topic in a CreateTopics/DeleteTopics result.
result<void> topic_result(const rd_kafka_topic_result_t* const* topics, std::size_t count,
                          const std::string& name) {
  if (count != 1)
    return fail(errc::io_error, "expected one topic in the broker's answer, got " + std::to_string(count));
  auto code = rd_kafka_topic_result_error(topics[0]);
  if (code == RD_KAFKA_RESP_ERR_NO_ERROR) return {};
  const char* message = rd_kafka_topic_result_error_string(topics[0]);
  auto e = kafka_error(code, "topic '" + name + "'");
  if (message != nullptr && *message != '\0') e.message += std::string(" (") + message + ")";
  return tl::unexpected(std::move(e));
}

// The one resource in a DescribeConfigs/AlterConfigs result, or its error.
result<const rd_kafka_ConfigResource_t*> config_result(const rd_kafka_ConfigResource_t* const* resources,
                                                       std::size_t count, const std::string& name) {
  if (count != 1)
    return fail(errc::io_error, "expected one resource in the broker's answer, got " + std::to_string(count));
  auto code = rd_kafka_ConfigResource_error(resources[0]);
  if (code == RD_KAFKA_RESP_ERR_NO_ERROR) return resources[0];
  const char* message = rd_kafka_ConfigResource_error_string(resources[0]);
  auto e = kafka_error(code, "topic '" + name + "'");
  if (message != nullptr && *message != '\0') e.message += std::string(" (") + message + ")";
  return tl::unexpected(std::move(e));
}

// Metadata for every topic the broker knows.
result<metadata_handle> all_topics_metadata(rd_kafka_t* client, const client_options& options) {
  const rd_kafka_metadata_t* raw = nullptr;
  auto code = rd_kafka_metadata(client, 1, nullptr, &raw, static_cast<int>(options.timeout.count()));
  metadata_handle metadata(raw);
  if (code == RD_KAFKA_RESP_ERR__TIMED_OUT || code == RD_KAFKA_RESP_ERR__TRANSPORT)
    return fail(errc::io_error, "no answer from a broker at " + options.bootstrap + " within " +
                                    std::to_string(options.timeout.count()) + " ms");
  if (code != RD_KAFKA_RESP_ERR_NO_ERROR) return tl::unexpected(kafka_error(code, "metadata request"));
  return metadata;
}

// The partition count of `name` in the metadata of all topics; 0 when it is not listed (or has an error).
result<std::int32_t> listed_partition_count(rd_kafka_t* client, const client_options& options,
                                            const std::string& name) {
  SLUICE_ASSIGN_OR_RETURN(auto metadata, all_topics_metadata(client, options));
  for (int i = 0; i < metadata->topic_cnt; ++i) {
    const auto& t = metadata->topics[i];
    if (name == t.topic && t.err == RD_KAFKA_RESP_ERR_NO_ERROR) return t.partition_cnt;
  }
  return 0;
}

config_entry to_entry(const rd_kafka_ConfigEntry_t* e) {
  config_entry out;
  out.name = rd_kafka_ConfigEntry_name(e);
  if (const char* v = rd_kafka_ConfigEntry_value(e); v != nullptr) out.value = v;
  auto source = rd_kafka_ConfigEntry_source(e);
  out.source = rd_kafka_ConfigSource_name(source);
  out.is_override = source == RD_KAFKA_CONFIG_SOURCE_DYNAMIC_TOPIC_CONFIG;
  out.read_only = rd_kafka_ConfigEntry_is_read_only(e) != 0;
  return out;
}

}  // namespace

result<void> create_topic(rd_kafka_t* client, const client_options& options, const std::string& name,
                          int partitions, int replication_factor, const std::vector<property>& configs) {
  std::array<char, 512> reason{};
  new_topic_handle topic(
      rd_kafka_NewTopic_new(name.c_str(), partitions, replication_factor, reason.data(), reason.size()));
  if (!topic) return fail(errc::invalid_argument, reason.data());
  for (const auto& [key, value] : configs)
    if (auto code = rd_kafka_NewTopic_set_config(topic.get(), key.c_str(), value.c_str()); code)
      return tl::unexpected(kafka_error(code, "config " + key));
  SLUICE_ASSIGN_OR_RETURN(auto event, run_admin(client, RD_KAFKA_ADMIN_OP_CREATETOPICS, options,
                                                [&](rd_kafka_AdminOptions_t* o, rd_kafka_queue_t* q) {
                                                  auto* raw = topic.get();
                                                  rd_kafka_CreateTopics(client, &raw, 1, o, q);
                                                }));
  std::size_t count = 0;
  auto* topics = rd_kafka_CreateTopics_result_topics(rd_kafka_event_CreateTopics_result(event.get()), &count);
  return topic_result(topics, count, name);
}

result<std::int32_t> ensure_topic(rd_kafka_t* client, const client_options& options, const std::string& name,
                                  int partitions, const std::vector<property>& configs) {
  using namespace std::chrono_literals;
  SLUICE_ASSIGN_OR_RETURN(auto count, listed_partition_count(client, options, name));
  if (count > 0) return count;
  auto created = create_topic(client, options, name, partitions, 1, configs);
  for (auto waited = 0ms; waited < options.timeout; waited += 100ms) {
    SLUICE_ASSIGN_OR_RETURN(count, listed_partition_count(client, options, name));
    if (count > 0) return count;
    std::this_thread::sleep_for(100ms);
  }
  return fail(created ? errc::io_error : created.error().code,
              "topic '" + name + "' does not exist and could not be created: " +
                  (created ? "it never appeared in metadata" : created.error().message));
}

result<void> delete_topic(rd_kafka_t* client, const client_options& options, const std::string& name) {
  delete_topic_handle topic(rd_kafka_DeleteTopic_new(name.c_str()));
  SLUICE_ASSIGN_OR_RETURN(auto event, run_admin(client, RD_KAFKA_ADMIN_OP_DELETETOPICS, options,
                                                [&](rd_kafka_AdminOptions_t* o, rd_kafka_queue_t* q) {
                                                  auto* raw = topic.get();
                                                  rd_kafka_DeleteTopics(client, &raw, 1, o, q);
                                                }));
  std::size_t count = 0;
  auto* topics = rd_kafka_DeleteTopics_result_topics(rd_kafka_event_DeleteTopics_result(event.get()), &count);
  return topic_result(topics, count, name);
}

result<std::vector<std::string>> list_topics(rd_kafka_t* client, const client_options& options) {
  SLUICE_ASSIGN_OR_RETURN(auto metadata, all_topics_metadata(client, options));
  std::vector<std::string> names;
  for (int i = 0; i < metadata->topic_cnt; ++i)
    if (metadata->topics[i].err == RD_KAFKA_RESP_ERR_NO_ERROR) names.emplace_back(metadata->topics[i].topic);
  std::sort(names.begin(), names.end());
  return names;
}

result<std::vector<partition_info>> describe_partitions(rd_kafka_t* client, const client_options& options,
                                                        const std::string& name) {
  SLUICE_ASSIGN_OR_RETURN(auto metadata, fetch_metadata(client, options, name.c_str()));
  SLUICE_ASSIGN_OR_RETURN(auto* topic, find_topic(*metadata, name));
  std::vector<partition_info> out;
  for (int i = 0; i < topic->partition_cnt; ++i) {
    const auto& p = topic->partitions[i];
    partition_info info;
    info.id = p.id;
    info.leader = p.leader;
    auto code = rd_kafka_query_watermark_offsets(client, name.c_str(), p.id, &info.low, &info.high,
                                                 static_cast<int>(options.timeout.count()));
    if (code != RD_KAFKA_RESP_ERR_NO_ERROR)
      return tl::unexpected(kafka_error(code, "watermarks of " + name + "[" + std::to_string(p.id) + "]"));
    out.push_back(info);
  }
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.id < b.id; });
  return out;
}

result<std::map<std::int32_t, std::int64_t>> offsets_for_time(rd_kafka_t* client,
                                                              const client_options& options,
                                                              const std::string& topic,
                                                              const std::vector<std::int32_t>& partitions,
                                                              std::int64_t ms, const std::string& what) {
  partition_list_handle list(rd_kafka_topic_partition_list_new(static_cast<int>(partitions.size())));
  for (auto p : partitions) rd_kafka_topic_partition_list_add(list.get(), topic.c_str(), p)->offset = ms;
  auto code = rd_kafka_offsets_for_times(client, list.get(), static_cast<int>(options.timeout.count()));
  if (code != RD_KAFKA_RESP_ERR_NO_ERROR) return tl::unexpected(kafka_error(code, "offsets for " + what));
  std::map<std::int32_t, std::int64_t> out;
  for (int i = 0; i < list->cnt; ++i) {
    const auto& e = list->elems[i];
    if (e.err != RD_KAFKA_RESP_ERR_NO_ERROR)
      return tl::unexpected(
          kafka_error(e.err, "offset for " + what + " in partition " + std::to_string(e.partition)));
    out[e.partition] = e.offset;
  }
  return out;
}

result<std::vector<config_entry>> describe_configs(rd_kafka_t* client, const client_options& options,
                                                   const std::string& name) {
  config_resource_handle resource(rd_kafka_ConfigResource_new(RD_KAFKA_RESOURCE_TOPIC, name.c_str()));
  SLUICE_ASSIGN_OR_RETURN(auto event, run_admin(client, RD_KAFKA_ADMIN_OP_DESCRIBECONFIGS, options,
                                                [&](rd_kafka_AdminOptions_t* o, rd_kafka_queue_t* q) {
                                                  auto* raw = resource.get();
                                                  rd_kafka_DescribeConfigs(client, &raw, 1, o, q);
                                                }));
  std::size_t count = 0;
  auto* resources =
      rd_kafka_DescribeConfigs_result_resources(rd_kafka_event_DescribeConfigs_result(event.get()), &count);
  SLUICE_ASSIGN_OR_RETURN(auto* described, config_result(resources, count, name));
  std::size_t entry_count = 0;
  auto* entries = rd_kafka_ConfigResource_configs(described, &entry_count);
  std::vector<config_entry> out;
  for (std::size_t i = 0; i < entry_count; ++i) out.push_back(to_entry(entries[i]));
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.name < b.name; });
  return out;
}

result<void> alter_configs(rd_kafka_t* client, const client_options& options, const std::string& name,
                           const std::vector<property>& set, const std::vector<std::string>& remove) {
  SLUICE_ASSIGN_OR_RETURN(auto current, describe_configs(client, options, name));
  std::map<std::string, std::string> merged;
  for (const auto& e : current)
    if (e.is_override && e.value) merged[e.name] = *e.value;
  for (const auto& key : remove) merged.erase(key);
  for (const auto& [key, value] : set) merged[key] = value;
  config_resource_handle resource(rd_kafka_ConfigResource_new(RD_KAFKA_RESOURCE_TOPIC, name.c_str()));
  for (const auto& [key, value] : merged)
    if (auto code = rd_kafka_ConfigResource_set_config(resource.get(), key.c_str(), value.c_str()); code)
      return tl::unexpected(kafka_error(code, "config " + key));
  SLUICE_ASSIGN_OR_RETURN(auto event, run_admin(client, RD_KAFKA_ADMIN_OP_ALTERCONFIGS, options,
                                                [&](rd_kafka_AdminOptions_t* o, rd_kafka_queue_t* q) {
                                                  auto* raw = resource.get();
                                                  rd_kafka_AlterConfigs(client, &raw, 1, o, q);
                                                }));
  std::size_t count = 0;
  auto* resources =
      rd_kafka_AlterConfigs_result_resources(rd_kafka_event_AlterConfigs_result(event.get()), &count);
  SLUICE_RETURN_IF_ERROR(config_result(resources, count, name));
  return {};
}

}  // namespace sluice::cli
