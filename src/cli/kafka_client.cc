#include "cli/kafka_client.h"

#include <array>

namespace sluice::cli {
namespace {

result<void> set(rd_kafka_conf_t* conf, const std::string& key, const std::string& value) {
  std::array<char, 512> reason{};
  if (rd_kafka_conf_set(conf, key.c_str(), value.c_str(), reason.data(), reason.size()) != RD_KAFKA_CONF_OK)
    return fail(errc::invalid_config, "property " + key + "=" + value + ": " + reason.data());
  return {};
}

}  // namespace

result<property> split_property(const std::string& text, const std::string& what) {
  auto eq = text.find('=');
  if (eq == std::string::npos || eq == 0)
    return fail(errc::invalid_argument, what + " expects key=value, got '" + text + "'");
  return property{text.substr(0, eq), text.substr(eq + 1)};
}

result<std::vector<property>> split_properties(const std::vector<std::string>& texts,
                                               const std::string& what) {
  std::vector<property> out;
  for (const auto& text : texts) {
    SLUICE_ASSIGN_OR_RETURN(auto p, split_property(text, what));
    out.push_back(std::move(p));
  }
  return out;
}

result<conf_handle> make_conf(const client_options& options, const std::vector<property>& defaults) {
  conf_handle conf(rd_kafka_conf_new());
  SLUICE_RETURN_IF_ERROR(set(conf.get(), "bootstrap.servers", options.bootstrap));
  SLUICE_RETURN_IF_ERROR(set(conf.get(), "log_level", "0"));
  for (const auto& [key, value] : defaults) SLUICE_RETURN_IF_ERROR(set(conf.get(), key, value));
  for (const auto& text : options.properties) {
    SLUICE_ASSIGN_OR_RETURN(auto p, split_property(text, "-X"));
    SLUICE_RETURN_IF_ERROR(set(conf.get(), p.first, p.second));
  }
  return conf;
}

result<kafka_handle> make_client(rd_kafka_type_t type, conf_handle conf) {
  std::array<char, 512> reason{};
  // rd_kafka_new takes the conf only when it succeeds.
  kafka_handle client(rd_kafka_new(type, conf.get(), reason.data(), reason.size()));
  if (!client)
    return fail(errc::invalid_config, std::string("cannot create the Kafka client: ") + reason.data());
  (void)conf.release();
  return client;
}

result<kafka_handle> make_admin_client(const client_options& options) {
  SLUICE_ASSIGN_OR_RETURN(auto conf, make_conf(options, {{"allow.auto.create.topics", "false"}}));
  return make_client(RD_KAFKA_PRODUCER, std::move(conf));
}

error kafka_error(rd_kafka_resp_err_t code, const std::string& context) {
  auto code_of = [code] {
    switch (code) {
      case RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART:
      case RD_KAFKA_RESP_ERR__UNKNOWN_TOPIC:
      case RD_KAFKA_RESP_ERR__UNKNOWN_PARTITION:
      case RD_KAFKA_RESP_ERR_GROUP_ID_NOT_FOUND:
        return errc::not_found;
      case RD_KAFKA_RESP_ERR_TOPIC_ALREADY_EXISTS:
        return errc::already_exists;
      case RD_KAFKA_RESP_ERR_INVALID_CONFIG:
      case RD_KAFKA_RESP_ERR__INVALID_ARG:
        return errc::invalid_config;
      case RD_KAFKA_RESP_ERR_INVALID_PARTITIONS:
      case RD_KAFKA_RESP_ERR_INVALID_REPLICATION_FACTOR:
      case RD_KAFKA_RESP_ERR_TOPIC_EXCEPTION:
      case RD_KAFKA_RESP_ERR_INVALID_REQUEST:
        return errc::invalid_argument;
      case RD_KAFKA_RESP_ERR_MSG_SIZE_TOO_LARGE:
        return errc::message_too_large;
      default:
        return errc::io_error;
    }
  };
  return error{code_of(), context + ": " + rd_kafka_err2str(code)};
}

result<metadata_handle> fetch_metadata(rd_kafka_t* client, const client_options& options, const char* topic) {
  topic_handle only;
  if (topic != nullptr) only.reset(rd_kafka_topic_new(client, topic, nullptr));
  const rd_kafka_metadata_t* raw = nullptr;
  auto timeout_ms = static_cast<int>(options.timeout.count());
  auto code = rd_kafka_metadata(client, 0, only.get(), &raw, timeout_ms);
  metadata_handle metadata(raw);
  if (code == RD_KAFKA_RESP_ERR__TIMED_OUT || code == RD_KAFKA_RESP_ERR__TRANSPORT)
    return fail(errc::io_error, "no answer from a broker at " + options.bootstrap + " within " +
                                    std::to_string(timeout_ms) + " ms");
  if (code != RD_KAFKA_RESP_ERR_NO_ERROR) return tl::unexpected(kafka_error(code, "metadata request"));
  return metadata;
}

result<const rd_kafka_metadata_topic_t*> find_topic(const rd_kafka_metadata_t& metadata,
                                                    const std::string& topic) {
  for (int i = 0; i < metadata.topic_cnt; ++i) {
    const auto& t = metadata.topics[i];
    if (topic != t.topic) continue;
    if (t.err != RD_KAFKA_RESP_ERR_NO_ERROR)
      return tl::unexpected(kafka_error(t.err, "topic '" + topic + "'"));
    return &t;
  }
  return fail(errc::not_found, "topic '" + topic + "': not in the broker's metadata");
}

result<event_handle> run_admin(rd_kafka_t* client, rd_kafka_admin_op_t op, const client_options& options,
                               const admin_start& start) {
  auto timeout_ms = static_cast<int>(options.timeout.count());
  std::unique_ptr<rd_kafka_AdminOptions_t, rdkafka_deleter> admin_options(
      rd_kafka_AdminOptions_new(client, op));
  std::array<char, 512> reason{};
  if (rd_kafka_AdminOptions_set_request_timeout(admin_options.get(), timeout_ms, reason.data(),
                                                reason.size()))
    return fail(errc::invalid_argument, std::string("admin options: ") + reason.data());
  // Only the requests that wait for the change to spread through the cluster have an operation timeout.
  bool has_operation_timeout = op == RD_KAFKA_ADMIN_OP_CREATETOPICS || op == RD_KAFKA_ADMIN_OP_DELETETOPICS ||
                               op == RD_KAFKA_ADMIN_OP_CREATEPARTITIONS;
  if (has_operation_timeout && rd_kafka_AdminOptions_set_operation_timeout(admin_options.get(), timeout_ms,
                                                                           reason.data(), reason.size()))
    return fail(errc::invalid_argument, std::string("admin options: ") + reason.data());
  queue_handle replies(rd_kafka_queue_new(client));
  start(admin_options.get(), replies.get());
  // The request fails by itself after its timeout; the extra second lets that error arrive first.
  event_handle event(rd_kafka_queue_poll(replies.get(), timeout_ms + 1000));
  if (!event)
    return fail(errc::io_error, "no answer from a broker at " + options.bootstrap + " within " +
                                    std::to_string(timeout_ms) + " ms");
  if (auto code = rd_kafka_event_error(event.get()); code != RD_KAFKA_RESP_ERR_NO_ERROR) {
    if (code == RD_KAFKA_RESP_ERR__TIMED_OUT || code == RD_KAFKA_RESP_ERR__TRANSPORT)
      return fail(errc::io_error, "no answer from a broker at " + options.bootstrap + " within " +
                                      std::to_string(timeout_ms) + " ms");
    return fail(kafka_error(code, "").code, rd_kafka_event_error_string(event.get()));
  }
  return event;
}

}  // namespace sluice::cli
