// demo/business.h — a small online shop as a stream of events: a product catalogue and customers
// (tables), then page views, orders, payments, inventory movements and shipments, with skewed
// popularity (Zipf), a few injected frauds, some late events and some malformed ones.
//
// No I/O and no clock: the caller passes the event time, so the sequence of events is a pure
// function of the seed and the times asked for (tests replay it; the generator paces it).
// Invariant: every event's value is one JSON object (or, for the malformed share, deliberately
// not), and the `ts` member of well-formed events is epoch milliseconds.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "demo/random.h"

namespace sluice::demo {

// One record to produce.
struct event {
  std::string topic;
  std::string key;
  std::string value;
};

// Something the business did on purpose that a watcher should find in the views.
struct fraud_note {
  std::string card_id;
  std::string kind;  // "velocity" or "amount"
  std::string text;  // one line for the log
};

// The topics the business writes, also the sources' names in pipelines.sql.
namespace topics {
inline constexpr const char* products = "products";
inline constexpr const char* customers = "customers";
inline constexpr const char* page_views = "page_views";
inline constexpr const char* orders = "orders";
inline constexpr const char* payments = "payments";
inline constexpr const char* inventory = "inventory";
inline constexpr const char* shipments = "shipments";
}  // namespace topics

class business {
 public:
  static constexpr std::size_t product_count = 200;
  static constexpr std::size_t customer_count = 20000;
  // A card used this many times within 30 s is fraud; honest customers order at most once per
  // cooldown, so they stay below it.
  static constexpr int velocity_burst = 8;
  static constexpr std::int64_t order_cooldown_ms = 20'000;

  // `first_id` numbers orders, payments and shipments; a restarted demo passes a new base so its
  // ids do not collide with those already in the topics.
  explicit business(std::uint64_t seed, std::int64_t first_id = 1);

  // The catalogue, the customers and the opening stock.
  void opening(std::int64_t now_ms, std::vector<event>& out);
  // One step of trade at `now_ms` (non-decreasing between calls): appends one or more events.
  void next(std::int64_t now_ms, std::vector<event>& out);
  // Traffic shape: a slow wave plus a short burst every minute; ~1 on average.
  double rate_factor(std::int64_t ms_since_start) const;
  // The frauds injected since the last call.
  std::vector<fraud_note> take_notes();

 private:
  struct product {
    std::int64_t id;
    std::string name, category;
    double price;
    std::int64_t stock;
  };
  struct customer {
    std::int64_t id;
    std::string name, country, segment;
    double usual_amount;
    int cards;
    std::int64_t last_order_ms;
  };

  void page_view(std::int64_t now_ms, std::vector<event>& out);
  void honest_order(std::int64_t now_ms, std::vector<event>& out);
  void malformed(std::int64_t now_ms, std::vector<event>& out);
  void product_return(std::int64_t now_ms);
  void inject_velocity_fraud(std::int64_t now_ms);
  void inject_amount_fraud(std::int64_t now_ms);
  // An order with its payment, stock movement and shipment, each queued at its own time.
  void place_order(customer& c, const std::string& card, product& p, std::int64_t quantity,
                   std::int64_t order_ts, std::int64_t warehouse_ts);
  // A stock movement of `p` (the model's stock follows), queued at `ts`.
  void move_stock(product& p, const char* warehouse, std::int64_t delta, const char* reason, std::int64_t ts);
  void schedule(std::int64_t due_ms, event e);
  void release_due(std::int64_t now_ms, std::vector<event>& out);
  std::string card_of(const customer& c, int k) const;
  customer& pick_customer();
  product& pick_product();

  std::uint64_t seed_;
  rng rng_;
  zipf product_rank_, customer_rank_;
  std::vector<product> products_;               // popularity rank -> product
  std::vector<customer> customers_;             // popularity rank -> customer
  std::multimap<std::int64_t, event> pending_;  // due time -> event; equal times keep insertion order
  std::int64_t next_order_id_, next_payment_id_, next_shipment_id_;
  std::int64_t start_ms_ = -1;
  std::int64_t next_velocity_fraud_ms_ = 0, next_amount_fraud_ms_ = 0;
  std::vector<fraud_note> notes_;
};

}  // namespace sluice::demo
