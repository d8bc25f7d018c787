#include "demo/fraud_service.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <chrono>
#include <map>
#include <utility>

#include "base/thread_name.h"
#include "cli/json.h"
#include "cli/kafka_client.h"
#include "demo/kafka_send.h"

namespace sluice::demo {
namespace {

const cli::json_value* member(const cli::json_value& object, std::string_view name) {
  for (const auto& [key, value] : object.members)
    if (key == name) return &value;
  return nullptr;
}

std::optional<double> number(const cli::json_value& object, std::string_view name) {
  const auto* v = member(object, name);
  if (v == nullptr || v->type != cli::json_value::kind::number) return std::nullopt;
  return std::stod(v->text);
}

std::optional<std::string> text(const cli::json_value& object, std::string_view name) {
  const auto* v = member(object, name);
  if (v == nullptr || v->type != cli::json_value::kind::string) return std::nullopt;
  return v->text;
}

std::int64_t wall_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace

std::optional<fraud_decision> decide(std::string_view alert_json) {
  auto alert = cli::parse_json(alert_json);
  if (!alert || alert->type != cli::json_value::kind::object) return std::nullopt;
  auto card = text(*alert, "card_id");
  auto reason = text(*alert, "reason");
  if (!card || !reason) return std::nullopt;
  if (*reason == "velocity") {
    auto payments = number(*alert, "payments");
    if (!payments) return std::nullopt;
    // Eight or more payments in half a minute is a stolen card; fewer may be a shopping spree.
    return fraud_decision{*card, *payments >= 8 ? "block" : "review",
                          fmt::format("velocity: {:.0f} payments within 30 s", *payments)};
  }
  if (*reason == "amount") {
    auto amount = number(*alert, "amount");
    auto usual = number(*alert, "usual_amount");
    if (!amount || !usual || *usual <= 0) return std::nullopt;
    return fraud_decision{*card, *amount >= 20 * *usual ? "block" : "review",
                          fmt::format("amount: {:.2f} where {:.2f} is usual", *amount, *usual)};
  }
  return std::nullopt;
}

std::string decision_json(const fraud_decision& d, std::int64_t ts_ms) {
  std::string out = "{\"card_id\": ";
  cli::append_json_string(out, d.card_id);
  out += ", \"decision\": ";
  cli::append_json_string(out, d.decision);
  out += ", \"reason\": ";
  cli::append_json_string(out, d.reason);
  out += fmt::format(", \"ts\": {}}}", ts_ms);
  return out;
}

struct fraud_service::impl {
  fraud_service_options options;
  cli::kafka_handle consumer, producer;
  std::map<std::pair<std::string, std::string>, std::string> decided;  // (card, rule) -> decision
};

result<std::unique_ptr<fraud_service>> fraud_service::start(const fraud_service_options& options) {
  cli::client_options client{.bootstrap = options.bootstrap, .properties = {}};
  auto consumer_conf = cli::make_conf(client, {{"group.id", options.group_id},
                                               {"auto.offset.reset", "earliest"},
                                               {"enable.auto.commit", "true"},
                                               {"auto.commit.interval.ms", "1000"}});
  if (!consumer_conf) return tl::unexpected(consumer_conf.error());
  auto consumer = cli::make_client(RD_KAFKA_CONSUMER, std::move(*consumer_conf));
  if (!consumer) return tl::unexpected(consumer.error());
  rd_kafka_poll_set_consumer(consumer->get());
  cli::partition_list_handle topics(rd_kafka_topic_partition_list_new(1));
  rd_kafka_topic_partition_list_add(topics.get(), options.alerts_topic.c_str(), RD_KAFKA_PARTITION_UA);
  if (auto err = rd_kafka_subscribe(consumer->get(), topics.get()); err != RD_KAFKA_RESP_ERR_NO_ERROR)
    return tl::unexpected(cli::kafka_error(err, "subscribe to " + options.alerts_topic));
  auto producer_conf = cli::make_conf(client, {{"linger.ms", "5"}});
  if (!producer_conf) return tl::unexpected(producer_conf.error());
  auto producer = cli::make_client(RD_KAFKA_PRODUCER, std::move(*producer_conf));
  if (!producer) return tl::unexpected(producer.error());
  auto service = std::unique_ptr<fraud_service>(new fraud_service(
      std::make_unique<impl>(impl{options, std::move(*consumer), std::move(*producer), {}})));
  service->thread_ = std::thread([raw = service.get()] {
    name_this_thread("demo-fraud");
    raw->run();
  });
  return service;
}

fraud_service::fraud_service(std::unique_ptr<impl> p) : impl_(std::move(p)) {}

fraud_service::~fraud_service() { stop(); }

void fraud_service::stop() {
  stopping_ = true;
  if (thread_.joinable()) thread_.join();
}

void fraud_service::run() {
  auto* consumer = impl_->consumer.get();
  auto* producer = impl_->producer.get();
  const auto& o = impl_->options;
  while (!stopping_) {
    cli::message_handle m(rd_kafka_consumer_poll(consumer, 200));
    rd_kafka_poll(producer, 0);
    if (!m) continue;
    if (m->err) {
      // Until the sinks create the alerts topic the broker reports it unknown; that is expected.
      if (m->err != RD_KAFKA_RESP_ERR__PARTITION_EOF && m->err != RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART)
        spdlog::debug("fraud-service: {}", rd_kafka_message_errstr(m.get()));
      continue;
    }
    if (m->payload == nullptr) continue;  // a tombstone: the view retracted a row
    auto d = decide(std::string_view(static_cast<const char*>(m->payload), m->len));
    if (!d) continue;
    // One decision per card and rule, unless a later alert (a fuller window) escalates review to block.
    auto& earlier = impl_->decided[{d->card_id, d->reason.substr(0, d->reason.find(':'))}];
    if (earlier == d->decision || earlier == "block") continue;
    earlier = d->decision;
    auto value = decision_json(*d, wall_ms());
    auto err = send_record(producer, o.decisions_topic.c_str(), d->card_id, value);
    if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
      spdlog::warn("fraud-service: cannot send the decision for {}: {}", d->card_id, rd_kafka_err2str(err));
      continue;
    }
    decisions_.fetch_add(1);
    spdlog::info("fraud-service: {} card {} ({})", d->decision, d->card_id, d->reason);
  }
  rd_kafka_consumer_close(consumer);
  rd_kafka_flush(producer, 5'000);
}

}  // namespace sluice::demo
