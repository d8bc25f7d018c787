// demo/fraud_service.h — a small event-driven microservice, as a team beside the platform would
// write one: a Kafka consumer in the group `fraud-service` reads the alerts the fraud views sink to
// `fraud_alerts` and answers each flagged card with one decision on `fraud_decisions`:
// {"card_id", "decision": "block" | "review", "reason", "ts"}.
//
// It speaks to the broker only through librdkafka, so its group, offsets and lag are visible like
// any client's. Threading: one thread of its own; stop() (also the destructor) leaves the group.
// Delivery is at-least-once: a card is decided once per rule while the service runs (once more when a
// fuller window escalates review to block), but a restarted service decides again the alerts it read
// after its last committed offset.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <thread>

#include "base/result.h"

namespace sluice::demo {

struct fraud_service_options {
  std::string bootstrap = "127.0.0.1:9092";
  std::string group_id = "fraud-service";
  std::string alerts_topic = "fraud_alerts";
  std::string decisions_topic = "fraud_decisions";
};

struct fraud_decision {
  std::string card_id;
  std::string decision;  // "block" or "review"
  std::string reason;
};

// The rule: what one alert (a row of card_velocity or unusual_payments as JSON) decides; nullopt for
// a value that is not such an alert.
std::optional<fraud_decision> decide(std::string_view alert_json);

// The decision as the JSON value written to the decisions topic.
std::string decision_json(const fraud_decision& d, std::int64_t ts_ms);

class fraud_service {
 public:
  static result<std::unique_ptr<fraud_service>> start(const fraud_service_options& options);
  ~fraud_service();
  fraud_service(const fraud_service&) = delete;
  fraud_service& operator=(const fraud_service&) = delete;

  void stop();
  std::int64_t decisions() const { return decisions_.load(); }

 private:
  struct impl;
  explicit fraud_service(std::unique_ptr<impl> p);
  void run();

  std::unique_ptr<impl> impl_;
  std::atomic<bool> stopping_{false};
  std::atomic<std::int64_t> decisions_{0};
  std::thread thread_;
};

}  // namespace sluice::demo
