#include "cli/consume_command.h"

#include <CLI/CLI.hpp>
#include <algorithm>
#include <atomic>
#include <csignal>
#include <cstdio>
#include <map>
#include <memory>
#include <set>

#include "cli/client_flags.h"
#include "cli/json.h"
#include "cli/kafka_client.h"
#include "cli/topic_admin.h"

namespace sluice::cli {
namespace {

struct consume_state {
  client_options client;
  std::string topic;
  bool from_beginning = false;
  std::vector<std::string> offsets;  // N or P:N; N = beginning | end | offset | -count (from the end)
  std::int64_t timestamp = -1;
  std::vector<std::int32_t> partitions;
  std::int64_t count = 0;  // 0: no limit
  bool exit_at_end = false;
  std::string format = "text";
  std::string key_delimiter;
};

std::atomic<bool> stop_requested{false};

extern "C" void request_stop(int) { stop_requested.store(true); }

void install_stop_handlers() {
  struct sigaction action {};
  action.sa_handler = request_stop;
  sigemptyset(&action.sa_mask);
  sigaction(SIGINT, &action, nullptr);
  sigaction(SIGTERM, &action, nullptr);
}

result<std::int64_t> parse_start(const std::string& text) {
  if (text == "beginning") return RD_KAFKA_OFFSET_BEGINNING;
  if (text == "end") return RD_KAFKA_OFFSET_END;
  std::size_t used = 0;
  std::int64_t n = 0;
  try {
    n = std::stoll(text, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  if (used == 0 || used != text.size())
    return fail(errc::invalid_argument,
                "--offset expects beginning, end, an offset or -count, got '" + text + "'");
  return n < 0 ? RD_KAFKA_OFFSET_TAIL(-n) : n;
}

// Start offset per partition from --offset ("N" for every partition, "P:N" for one; later wins).
result<std::map<std::int32_t, std::int64_t>> parse_offsets(const std::vector<std::string>& texts,
                                                           const std::vector<std::int32_t>& partitions) {
  std::map<std::int32_t, std::int64_t> out;
  for (const auto& text : texts) {
    auto colon = text.find(':');
    SLUICE_ASSIGN_OR_RETURN(auto start,
                            parse_start(colon == std::string::npos ? text : text.substr(colon + 1)));
    if (colon == std::string::npos) {
      for (auto p : partitions) out[p] = start;
      continue;
    }
    std::int32_t p = -1;
    try {
      p = std::stoi(text.substr(0, colon));
    } catch (const std::exception&) {
    }
    if (p < 0) return fail(errc::invalid_argument, "--offset expects N or PARTITION:N, got '" + text + "'");
    if (std::find(partitions.begin(), partitions.end(), p) == partitions.end())
      return fail(errc::invalid_argument,
                  "--offset names partition " + std::to_string(p) + ", which is not consumed");
    out[p] = start;
  }
  return out;
}

// The first offset at or after `timestamp` in each partition; the end where there is none.
result<std::map<std::int32_t, std::int64_t>> offsets_at(rd_kafka_t* client, const consume_state& s,
                                                        const std::vector<std::int32_t>& partitions) {
  SLUICE_ASSIGN_OR_RETURN(
      auto out, offsets_for_time(client, s.client, s.topic, partitions, s.timestamp, "--timestamp"));
  for (auto& [p, offset] : out)
    if (offset < 0) offset = RD_KAFKA_OFFSET_END;
  return out;
}

// The partitions to read: --partition, checked against the topic, or all of them.
result<std::vector<std::int32_t>> choose_partitions(rd_kafka_t* client, const consume_state& s) {
  SLUICE_ASSIGN_OR_RETURN(auto metadata, fetch_metadata(client, s.client, s.topic.c_str()));
  SLUICE_ASSIGN_OR_RETURN(auto* topic, find_topic(*metadata, s.topic));
  std::set<std::int32_t> existing;
  for (int i = 0; i < topic->partition_cnt; ++i) existing.insert(topic->partitions[i].id);
  for (auto p : s.partitions)
    if (existing.count(p) == 0)
      return fail(errc::not_found, "topic '" + s.topic + "' has no partition " + std::to_string(p) +
                                       " (it has " + std::to_string(existing.size()) + ")");
  if (s.partitions.empty()) return std::vector<std::int32_t>(existing.begin(), existing.end());
  std::set<std::int32_t> chosen(s.partitions.begin(), s.partitions.end());  // -p 1 -p 1 reads 1 once
  return std::vector<std::int32_t>(chosen.begin(), chosen.end());
}

result<std::map<std::int32_t, std::int64_t>> start_offsets(rd_kafka_t* client, const consume_state& s,
                                                           const std::vector<std::int32_t>& partitions) {
  if (s.timestamp >= 0) return offsets_at(client, s, partitions);
  std::map<std::int32_t, std::int64_t> out;
  for (auto p : partitions) out[p] = s.from_beginning ? RD_KAFKA_OFFSET_BEGINNING : RD_KAFKA_OFFSET_END;
  SLUICE_ASSIGN_OR_RETURN(auto given, parse_offsets(s.offsets, partitions));
  for (auto [p, o] : given) out[p] = o;
  return out;
}

std::string_view bytes_of(const void* data, std::size_t size) {
  return data == nullptr ? std::string_view() : std::string_view(static_cast<const char*>(data), size);
}

void append_nullable(std::string& out, const void* data, std::size_t size) {
  if (data == nullptr)
    out += "null";
  else
    append_json_string(out, bytes_of(data, size));
}

std::string format_json(const rd_kafka_message_t& m, const std::string& topic) {
  rd_kafka_timestamp_type_t type;
  std::string out = "{\"topic\":";
  append_json_string(out, topic);
  out += ",\"partition\":" + std::to_string(m.partition) + ",\"offset\":" + std::to_string(m.offset);
  out += ",\"timestamp\":" + std::to_string(rd_kafka_message_timestamp(&m, &type)) + ",\"key\":";
  append_nullable(out, m.key, m.key_len);
  out += ",\"value\":";
  append_nullable(out, m.payload, m.len);
  out += ",\"headers\":[";
  rd_kafka_headers_t* headers = nullptr;
  if (rd_kafka_message_headers(&m, &headers) == RD_KAFKA_RESP_ERR_NO_ERROR) {
    const char* name = nullptr;
    const void* value = nullptr;
    std::size_t size = 0;
    for (std::size_t i = 0;
         rd_kafka_header_get_all(headers, i, &name, &value, &size) == RD_KAFKA_RESP_ERR_NO_ERROR; ++i) {
      out += i == 0 ? "[" : ",[";
      append_json_string(out, name);
      out += ",";
      append_nullable(out, value, size);
      out += "]";
    }
  }
  out += "]}\n";
  return out;
}

std::string format_text(const rd_kafka_message_t& m, const consume_state& s) {
  std::string out;
  if (!s.key_delimiter.empty()) {
    out.append(bytes_of(m.key, m.key_len));
    out += s.key_delimiter;
  }
  out.append(bytes_of(m.payload, m.len));
  out += "\n";
  return out;
}

bool is_transient(rd_kafka_resp_err_t code) {
  return code == RD_KAFKA_RESP_ERR__TRANSPORT || code == RD_KAFKA_RESP_ERR__ALL_BROKERS_DOWN ||
         code == RD_KAFKA_RESP_ERR__RESOLVE;
}

// Reads from the started partitions until --count, the end (--exit-at-end) or a stop signal.
result<void> read_records(rd_kafka_queue_t* queue, const consume_state& s, std::size_t partition_count) {
  std::set<std::int32_t> at_end;
  std::int64_t printed = 0;
  while (!stop_requested.load() && (s.count == 0 || printed < s.count)) {
    message_handle m(rd_kafka_consume_queue(queue, 200));
    if (!m) {
      std::fflush(stdout);
      continue;
    }
    if (m->err == RD_KAFKA_RESP_ERR__PARTITION_EOF) {
      at_end.insert(m->partition);
      if (s.exit_at_end && at_end.size() == partition_count) break;
      continue;
    }
    if (m->err != RD_KAFKA_RESP_ERR_NO_ERROR) {
      auto why = std::string(rd_kafka_message_errstr(m.get()));
      if (!is_transient(m->err))
        return fail(kafka_error(m->err, "").code, "partition " + std::to_string(m->partition) + ": " + why);
      std::fprintf(stderr, "sluice consume: %s (retrying)\n", why.c_str());
      continue;
    }
    at_end.erase(m->partition);
    auto line = s.format == "json" ? format_json(*m, s.topic) : format_text(*m, s);
    std::fwrite(line.data(), 1, line.size(), stdout);
    ++printed;
  }
  std::fflush(stdout);
  return {};
}

result<void> consume(const consume_state& s) {
  std::vector<property> defaults{{"enable.partition.eof", s.exit_at_end ? "true" : "false"}};
  SLUICE_ASSIGN_OR_RETURN(auto conf, make_conf(s.client, defaults));
  SLUICE_ASSIGN_OR_RETURN(auto client, make_client(RD_KAFKA_CONSUMER, std::move(conf)));
  SLUICE_ASSIGN_OR_RETURN(auto partitions, choose_partitions(client.get(), s));
  SLUICE_ASSIGN_OR_RETURN(auto starts, start_offsets(client.get(), s, partitions));
  // No consumer group: each partition is read from its own start (librdkafka's simple consumer).
  topic_handle topic(rd_kafka_topic_new(client.get(), s.topic.c_str(), nullptr));
  queue_handle queue(rd_kafka_queue_new(client.get()));
  std::vector<std::int32_t> started;
  auto stop_all = [&] {
    for (auto p : started) rd_kafka_consume_stop(topic.get(), p);
  };
  for (auto [p, offset] : starts) {
    if (rd_kafka_consume_start_queue(topic.get(), p, offset, queue.get()) != 0) {
      stop_all();
      return tl::unexpected(kafka_error(rd_kafka_last_error(), "start partition " + std::to_string(p)));
    }
    started.push_back(p);
  }
  install_stop_handlers();
  auto done = read_records(queue.get(), s, started.size());
  stop_all();
  return done;
}

}  // namespace

void add_consume_command(CLI::App& app, int& exit_code) {
  auto state = std::make_shared<consume_state>();
  auto& s = *state;
  auto* cmd = app.add_subcommand("consume", "Print a topic's records, without a consumer group");
  add_client_flags(*cmd, s.client);
  cmd->add_option("topic", s.topic, "Topic to read")->required();
  auto* beginning =
      cmd->add_flag("--from-beginning", s.from_beginning, "Start at each partition's first record");
  auto* offset = cmd->add_option("-o,--offset", s.offsets,
                                 "Start offset: N for every partition or PARTITION:N (repeatable); N is an "
                                 "offset, beginning, end, or -COUNT for the last COUNT records")
                     ->excludes(beginning);
  cmd->add_option("--timestamp", s.timestamp,
                  "Start at the first record with a timestamp at or after this (ms)")
      ->check(CLI::NonNegativeNumber)
      ->excludes(beginning)
      ->excludes(offset);
  cmd->add_option("-p,--partition", s.partitions, "Partition to read (repeatable; default: all)")
      ->check(CLI::NonNegativeNumber);
  cmd->add_option("-c,--count", s.count, "Exit after this many records")->check(CLI::PositiveNumber);
  cmd->add_flag("-e,--exit-at-end", s.exit_at_end, "Exit when every partition has been read to its end");
  cmd->add_option("--format", s.format, "text: the value per line; json: one object per record")
      ->check(CLI::IsMember({"text", "json"}))
      ->capture_default_str();
  cmd->add_option("-K,--key-delimiter", s.key_delimiter, "text: print key<delimiter>value");
  cmd->callback([state, &exit_code] {
    auto done = consume(*state);
    exit_code = done ? 0 : report("consume", done.error());
  });
}

}  // namespace sluice::cli
