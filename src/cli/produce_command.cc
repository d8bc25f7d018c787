#include "cli/produce_command.h"

#include <CLI/CLI.hpp>
#include <array>
#include <cstdio>
#include <cstdlib>
#include <memory>

#include "cli/client_flags.h"
#include "cli/kafka_client.h"
#include "cli/record_input.h"

namespace sluice::cli {
namespace {

struct produce_state {
  client_options client;
  std::string topic;
  std::string format = "text";
  std::string key;
  std::string key_delimiter;
  std::vector<std::string> headers;  // k=v
  std::int32_t partition = -1;
  std::string compression = "none";
  std::string acks = "all";
  CLI::Option* key_option = nullptr;
  CLI::Option* key_delimiter_option = nullptr;
};

// Filled by the delivery callback, on the thread that calls rd_kafka_poll/flush.
struct delivery_stats {
  std::int64_t delivered = 0;
  std::int64_t bytes = 0;  // keys + values of delivered records
  std::int64_t failed = 0;
  std::string first_error;

  void fail(const std::string& why) {
    if (failed++ == 0) first_error = why;
  }
};

void on_delivery(rd_kafka_t*, const rd_kafka_message_t* m, void* opaque) {
  auto& stats = *static_cast<delivery_stats*>(opaque);
  if (m->err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    stats.fail(rd_kafka_err2str(m->err));
    return;
  }
  ++stats.delivered;
  stats.bytes += static_cast<std::int64_t>(m->len + m->key_len);
}

// Reads lines of any length (POSIX getline), so NUL bytes inside a line are kept.
class line_reader {
 public:
  explicit line_reader(std::FILE* in) : in_(in) {}
  line_reader(const line_reader&) = delete;
  line_reader& operator=(const line_reader&) = delete;
  ~line_reader() { std::free(buffer_); }

  // The next line without its '\n', or nullopt at the end of the input.
  std::optional<std::string> next() {
    auto n = ::getline(&buffer_, &capacity_, in_);
    if (n < 0) return std::nullopt;
    std::string line(buffer_, static_cast<std::size_t>(n));
    if (!line.empty() && line.back() == '\n') line.pop_back();
    return line;
  }

 private:
  std::FILE* in_;
  char* buffer_ = nullptr;
  std::size_t capacity_ = 0;
};

result<record_defaults> make_defaults(const produce_state& s) {
  record_defaults d;
  d.format = s.format == "json" ? input_format::json : input_format::text;
  d.partition = s.partition;
  if (s.key_option->count() > 0) d.key = s.key;
  if (s.key_delimiter_option->count() > 0) {
    if (s.key_delimiter.empty()) return fail(errc::invalid_argument, "--key-delimiter must not be empty");
    d.key_delimiter = s.key_delimiter;
  }
  for (const auto& h : s.headers) {
    SLUICE_ASSIGN_OR_RETURN(auto p, split_property(h, "--header"));
    d.headers.emplace_back(p.first, p.second);
  }
  return d;
}

rd_kafka_vu_t bytes_field(rd_kafka_vtype_t type, const std::optional<std::string>& bytes) {
  rd_kafka_vu_t vu{};
  vu.vtype = type;
  vu.u.mem.ptr = bytes ? const_cast<char*>(bytes->data()) : nullptr;
  vu.u.mem.size = bytes ? bytes->size() : 0;
  return vu;
}

// Queues one record, waiting while librdkafka's queue is full. Failures are counted in `stats`.
void send(rd_kafka_t* client, const std::string& topic, const input_record& r, delivery_stats& stats) {
  headers_handle headers(rd_kafka_headers_new(r.headers.size()));
  for (const auto& [name, value] : r.headers)
    rd_kafka_header_add(headers.get(), name.data(), static_cast<ssize_t>(name.size()),
                        value ? value->data() : nullptr, value ? static_cast<ssize_t>(value->size()) : 0);
  std::array<rd_kafka_vu_t, 7> fields{};
  fields[0].vtype = RD_KAFKA_VTYPE_TOPIC;
  fields[0].u.cstr = topic.c_str();
  fields[1].vtype = RD_KAFKA_VTYPE_PARTITION;
  fields[1].u.i32 = r.partition < 0 ? RD_KAFKA_PARTITION_UA : r.partition;
  fields[2].vtype = RD_KAFKA_VTYPE_MSGFLAGS;
  fields[2].u.i = RD_KAFKA_MSG_F_COPY;
  fields[3] = bytes_field(RD_KAFKA_VTYPE_VALUE, r.value);
  fields[4] = bytes_field(RD_KAFKA_VTYPE_KEY, r.key);
  fields[5].vtype = RD_KAFKA_VTYPE_TIMESTAMP;
  fields[5].u.i64 = r.timestamp;
  fields[6].vtype = RD_KAFKA_VTYPE_HEADERS;
  fields[6].u.headers = headers.get();
  while (true) {
    rd_kafka_error_t* e = rd_kafka_produceva(client, fields.data(), fields.size());
    if (e == nullptr) {
      (void)headers.release();  // the message owns them now
      break;
    }
    auto code = rd_kafka_error_code(e);
    std::string why = rd_kafka_error_string(e);
    rd_kafka_error_destroy(e);
    if (code != RD_KAFKA_RESP_ERR__QUEUE_FULL) {
      stats.fail(why);
      break;
    }
    rd_kafka_poll(client, 100);  // deliveries free up the queue
  }
  rd_kafka_poll(client, 0);
}

// Sends stdin's records until its end or the first line that is not a record (the error names it).
result<void> send_lines(rd_kafka_t* client, const std::string& topic, const record_defaults& defaults,
                        delivery_stats& stats) {
  line_reader input(stdin);
  std::int64_t line_number = 0;
  while (auto line = input.next()) {
    ++line_number;
    if (defaults.format == input_format::json && line->find_first_not_of(" \t\r") == std::string::npos)
      continue;
    auto r = parse_record(*line, defaults);
    if (!r) return fail(r.error().code, "line " + std::to_string(line_number) + ": " + r.error().message);
    send(client, topic, *r, stats);
  }
  return {};
}

// Fails fast when the broker is unreachable, the topic does not exist (and is not auto-created), or
// --partition is not one of its partitions.
result<void> check_topic(rd_kafka_t* client, const produce_state& s) {
  SLUICE_ASSIGN_OR_RETURN(auto metadata, fetch_metadata(client, s.client, s.topic.c_str()));
  SLUICE_ASSIGN_OR_RETURN(auto* topic, find_topic(*metadata, s.topic));
  if (s.partition >= topic->partition_cnt)
    return fail(errc::not_found, "topic '" + s.topic + "' has no partition " + std::to_string(s.partition) +
                                     " (it has " + std::to_string(topic->partition_cnt) + ")");
  return {};
}

int run_produce(const produce_state& s) {
  auto defaults = make_defaults(s);
  if (!defaults) return report("produce", defaults.error());
  delivery_stats stats;
  auto conf = make_conf(
      s.client, {{"acks", s.acks}, {"compression.type", s.compression}, {"message.timeout.ms", "30000"}});
  if (!conf) return report("produce", conf.error());
  rd_kafka_conf_set_dr_msg_cb(conf->get(), on_delivery);
  rd_kafka_conf_set_opaque(conf->get(), &stats);
  auto client = make_client(RD_KAFKA_PRODUCER, std::move(*conf));
  if (!client) return report("produce", client.error());
  if (auto checked = check_topic(client->get(), s); !checked) return report("produce", checked.error());

  auto sent = send_lines(client->get(), s.topic, *defaults, stats);
  while (rd_kafka_flush(client->get(), 1000) == RD_KAFKA_RESP_ERR__TIMED_OUT) {
  }
  std::fprintf(stderr, "sluice produce: %lld records (%lld bytes) delivered to %s, %lld failed\n",
               static_cast<long long>(stats.delivered), static_cast<long long>(stats.bytes), s.topic.c_str(),
               static_cast<long long>(stats.failed));
  if (stats.failed > 0)
    std::fprintf(stderr, "sluice produce: first failure: %s\n", stats.first_error.c_str());
  if (!sent) return report("produce", sent.error());
  return stats.failed > 0 ? exit_failure : 0;
}

}  // namespace

void add_produce_command(CLI::App& app, int& exit_code) {
  auto state = std::make_shared<produce_state>();
  auto& s = *state;
  auto* cmd = app.add_subcommand("produce", "Send stdin to a topic, one record per line");
  add_client_flags(*cmd, s.client);
  cmd->add_option("topic", s.topic, "Topic to produce to")->required();
  cmd->add_option("--format", s.format,
                  "text: each line is a value; json: each line is an object with optional key, value, "
                  "headers, partition, timestamp")
      ->check(CLI::IsMember({"text", "json"}))
      ->capture_default_str();
  s.key_option = cmd->add_option("-k,--key", s.key, "Key of every record");
  s.key_delimiter_option = cmd->add_option("-K,--key-delimiter", s.key_delimiter,
                                           "Text lines are key<delimiter>value (like kcat -K)")
                               ->excludes(s.key_option);
  cmd->add_option("-H,--header", s.headers, "Header name=value on every record (repeatable)");
  cmd->add_option("-p,--partition", s.partition, "Partition (default: librdkafka's partitioner)")
      ->check(CLI::NonNegativeNumber);
  cmd->add_option("-z,--compression", s.compression, "Compression codec")
      ->check(CLI::IsMember({"none", "gzip", "snappy", "lz4", "zstd"}))
      ->capture_default_str();
  cmd->add_option("--acks", s.acks, "Acknowledgements to wait for: all (-1), 1 or 0")
      ->check(CLI::IsMember({"all", "-1", "0", "1"}))
      ->capture_default_str();
  cmd->callback([state, &exit_code] { exit_code = run_produce(*state); });
}

}  // namespace sluice::cli
