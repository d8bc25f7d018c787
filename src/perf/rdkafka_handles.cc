// perf/rdkafka_handles.cc — client creation and topic setup over librdkafka's C API.
#include "perf/rdkafka_handles.h"

#include <fmt/format.h>

#include <array>
#include <thread>

namespace sluice::perf {
namespace {

using namespace std::chrono_literals;

int to_ms(std::chrono::milliseconds t) { return static_cast<int>(t.count()); }

struct queue_deleter {
  void operator()(rd_kafka_queue_t* q) const { rd_kafka_queue_destroy(q); }
  void operator()(rd_kafka_NewTopic_t* t) const { rd_kafka_NewTopic_destroy(t); }
  void operator()(rd_kafka_AdminOptions_t* o) const { rd_kafka_AdminOptions_destroy(o); }
  void operator()(rd_kafka_event_t* e) const { rd_kafka_event_destroy(e); }
  void operator()(const rd_kafka_metadata_t* m) const { rd_kafka_metadata_destroy(m); }
};
template <typename T>
using owned = std::unique_ptr<T, queue_deleter>;

// -1 when the broker's metadata does not list `topic`.
std::int32_t partition_count(rd_kafka_t* rk, const std::string& topic, std::chrono::milliseconds timeout) {
  const rd_kafka_metadata_t* raw = nullptr;
  // All topics: asking for one by name could auto-create it with the broker's default partitions.
  auto err = rd_kafka_metadata(rk, 1, nullptr, &raw, to_ms(timeout));
  if (err) throw client_error(fmt::format("metadata: {}", rd_kafka_err2str(err)));
  owned<const rd_kafka_metadata_t> md(raw);
  for (int i = 0; i < md->topic_cnt; ++i) {
    const auto& t = md->topics[i];
    if (topic == t.topic && t.err == RD_KAFKA_RESP_ERR_NO_ERROR) return t.partition_cnt;
  }
  return -1;
}

// Asks the broker to create `topic`; an error (it exists, or CreateTopics is not served) is
// returned as text, not thrown: the metadata lookup that follows decides.
std::string create_topic(rd_kafka_t* rk, const std::string& topic, std::int32_t partitions,
                         const config_pairs& configs, std::chrono::milliseconds timeout) {
  std::array<char, 512> errstr{};
  owned<rd_kafka_NewTopic_t> request(
      rd_kafka_NewTopic_new(topic.c_str(), partitions, 1, errstr.data(), errstr.size()));
  if (!request) throw client_error(fmt::format("--topic: {}", errstr.data()));
  for (const auto& [name, value] : configs)
    if (auto err = rd_kafka_NewTopic_set_config(request.get(), name.c_str(), value.c_str()))
      throw client_error(fmt::format("--topic-config {}: {}", name, rd_kafka_err2str(err)));
  owned<rd_kafka_AdminOptions_t> options(rd_kafka_AdminOptions_new(rk, RD_KAFKA_ADMIN_OP_CREATETOPICS));
  rd_kafka_AdminOptions_set_operation_timeout(options.get(), to_ms(timeout), errstr.data(), errstr.size());
  owned<rd_kafka_queue_t> queue(rd_kafka_queue_new(rk));
  auto* topics = request.get();
  rd_kafka_CreateTopics(rk, &topics, 1, options.get(), queue.get());
  owned<rd_kafka_event_t> event(rd_kafka_queue_poll(queue.get(), to_ms(timeout) + 1000));
  if (!event) return "no answer to CreateTopics";
  if (rd_kafka_event_error(event.get())) return rd_kafka_event_error_string(event.get());
  std::size_t n = 0;
  const auto* const* results =
      rd_kafka_CreateTopics_result_topics(rd_kafka_event_CreateTopics_result(event.get()), &n);
  if (n == 1 && rd_kafka_topic_result_error(results[0]))
    return rd_kafka_topic_result_error_string(results[0]) ? rd_kafka_topic_result_error_string(results[0])
                                                          : "CreateTopics failed";
  return {};
}

}  // namespace

void client_deleter::operator()(rd_kafka_t* rk) const {
  // A producer hands over what is still queued; a benchmark that got here has flushed already.
  if (rd_kafka_type(rk) == RD_KAFKA_CONSUMER) rd_kafka_consumer_close(rk);
  rd_kafka_destroy(rk);
}

config_pairs parse_assignments(const std::vector<std::string>& assignments, const char* flag) {
  config_pairs pairs;
  for (const auto& a : assignments) {
    auto eq = a.find('=');
    if (eq == std::string::npos || eq == 0)
      throw client_error(fmt::format("{} expects name=value, got '{}'", flag, a));
    pairs.emplace_back(a.substr(0, eq), a.substr(eq + 1));
  }
  return pairs;
}

conf_ptr make_conf(const config_pairs& pairs) {
  conf_ptr conf(rd_kafka_conf_new());
  std::array<char, 512> errstr{};
  for (const auto& [name, value] : pairs)
    if (rd_kafka_conf_set(conf.get(), name.c_str(), value.c_str(), errstr.data(), errstr.size()) !=
        RD_KAFKA_CONF_OK)
      throw client_error(fmt::format("client config {}={}: {}", name, value, errstr.data()));
  return conf;
}

client_ptr make_client(rd_kafka_type_t type, conf_ptr conf) {
  std::array<char, 512> errstr{};
  client_ptr rk(rd_kafka_new(type, conf.get(), errstr.data(), errstr.size()));
  if (!rk) throw client_error(fmt::format("cannot create the client: {}", errstr.data()));
  conf.release();  // rd_kafka_new owns it now
  return rk;
}

std::int32_t ensure_topic(rd_kafka_t* rk, const std::string& topic, std::int32_t partitions,
                          const config_pairs& configs, std::chrono::milliseconds timeout) {
  if (auto n = partition_count(rk, topic, timeout); n > 0) return n;
  auto create_error = create_topic(rk, topic, partitions, configs, timeout);
  // The new topic may take a moment to show up in metadata.
  for (auto waited = 0ms; waited < timeout; waited += 100ms) {
    if (auto n = partition_count(rk, topic, timeout); n > 0) return n;
    std::this_thread::sleep_for(100ms);
  }
  throw client_error(fmt::format("topic {} does not exist and could not be created: {}", topic,
                                 create_error.empty() ? "it never appeared in metadata" : create_error));
}

std::vector<watermarks> query_watermarks(rd_kafka_t* rk, const std::string& topic, std::int32_t partitions,
                                         std::chrono::milliseconds timeout) {
  std::vector<watermarks> marks;
  for (std::int32_t p = 0; p < partitions; ++p) {
    std::int64_t low = 0;
    std::int64_t high = 0;
    auto err = rd_kafka_query_watermark_offsets(rk, topic.c_str(), p, &low, &high, to_ms(timeout));
    if (err) throw client_error(fmt::format("watermarks of {}[{}]: {}", topic, p, rd_kafka_err2str(err)));
    marks.push_back({low, high});
  }
  return marks;
}

}  // namespace sluice::perf
