#include "demo/business.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <string_view>
#include <utility>

#include "base/json_string.h"

namespace sluice::demo {
namespace {

constexpr std::array adjectives{"Quiet", "Swift", "Amber", "Nordic", "Urban",   "Solar", "Velvet",  "Rugged",
                                "Tiny",  "Grand", "Misty", "Bold",   "Classic", "Lunar", "Coastal", "Alpine"};
constexpr std::array nouns{"Kettle", "Backpack", "Lamp",  "Headphones", "Sneakers", "Mug",  "Blender",
                           "Jacket", "Notebook", "Watch", "Speaker",    "Chair",    "Tent", "Scarf"};
constexpr std::array categories{"kitchen", "outdoor", "home", "audio", "fashion", "office"};
constexpr std::array first_names{"Ada",  "Bruno", "Chen", "Dana", "Emil",  "Farah", "Goran", "Hana",
                                 "Ivan", "Jade",  "Kofi", "Lena", "Mateo", "Nia",   "Oskar", "Priya"};
constexpr std::array last_names{"Novak",  "Silva",    "Okafor", "Berg",   "Rossi",  "Tanaka",
                                "Dubois", "Kowalski", "Haddad", "Moreau", "Larsen", "Costa"};
constexpr std::array countries{"DE", "FR", "NL", "PL", "ES", "IT", "SE", "US", "GB", "JP"};
constexpr std::array segments{"new", "regular", "regular", "regular", "vip"};
constexpr std::array carriers{"DHL", "UPS", "PostNL", "GLS"};
constexpr std::array warehouses{"berlin", "rotterdam", "lyon"};

template <std::size_t n>
const char* pick(rng& r, const std::array<const char*, n>& from) {
  return from[static_cast<std::size_t>(r.between(0, static_cast<std::int64_t>(n) - 1))];
}

double cents(double amount) { return std::round(amount * 100.0) / 100.0; }

// A JSON object written member by member; strings are escaped by the shared helper.
class json_object {
 public:
  json_object& text(std::string_view name, std::string_view value) {
    open(name);
    append_json_string(out_, value);
    return *this;
  }
  json_object& number(std::string_view name, std::int64_t value) {
    open(name);
    out_ += std::to_string(value);
    return *this;
  }
  json_object& money(std::string_view name, double value) {
    open(name);
    out_ += fmt::format("{:.2f}", value);
    return *this;
  }
  std::string done() { return std::move(out_) + "}"; }

 private:
  void open(std::string_view name) {
    out_ += out_.size() == 1 ? "" : ", ";
    append_json_string(out_, name);
    out_ += ": ";
  }
  std::string out_ = "{";
};

}  // namespace

business::business(std::uint64_t seed, std::int64_t first_id)
    : seed_(seed),
      rng_(seed),
      product_rank_(product_count, 1.1),
      customer_rank_(customer_count, 0.9),
      next_order_id_(first_id),
      next_payment_id_(first_id),
      next_shipment_id_(first_id) {
  for (std::size_t i = 0; i < product_count; ++i) {
    // Prices spread from a few euros to a few hundred, more cheap items than dear ones.
    double price = cents(5.0 * std::pow(50.0, rng_.unit()));
    products_.push_back(product{static_cast<std::int64_t>(i + 1),
                                fmt::format("{} {}", pick(rng_, adjectives), pick(rng_, nouns)),
                                pick(rng_, categories), price, rng_.between(200, 600)});
  }
  for (std::size_t i = 0; i < customer_count; ++i) {
    customers_.push_back(customer{static_cast<std::int64_t>(i + 1),
                                  fmt::format("{} {}", pick(rng_, first_names), pick(rng_, last_names)),
                                  pick(rng_, countries), pick(rng_, segments),
                                  cents(80.0 + 120.0 * rng_.unit()), rng_.chance(0.3) ? 2 : 1, -1});
  }
  // Popularity is not the id order: shuffle which product and customer holds each rank.
  for (std::size_t i = product_count - 1; i > 0; --i)
    std::swap(products_[i],
              products_[static_cast<std::size_t>(rng_.between(0, static_cast<std::int64_t>(i)))]);
  for (std::size_t i = customer_count - 1; i > 0; --i)
    std::swap(customers_[i],
              customers_[static_cast<std::size_t>(rng_.between(0, static_cast<std::int64_t>(i)))]);
}

void business::opening(std::int64_t now_ms, std::vector<event>& out) {
  for (const auto& p : products_) {
    out.push_back({topics::products, std::to_string(p.id),
                   json_object{}
                       .number("id", p.id)
                       .text("name", p.name)
                       .text("category", p.category)
                       .money("price", p.price)
                       .done()});
    out.push_back({topics::inventory, std::to_string(p.id),
                   json_object{}
                       .number("product_id", p.id)
                       .text("warehouse", warehouses[0])
                       .number("delta", p.stock)
                       .text("reason", "opening stock")
                       .number("ts", now_ms)
                       .done()});
  }
  for (const auto& c : customers_) {
    auto name = c.name;
    std::replace(name.begin(), name.end(), ' ', '.');
    out.push_back({topics::customers, std::to_string(c.id),
                   json_object{}
                       .number("id", c.id)
                       .text("name", c.name)
                       .text("email", fmt::format("{}{}@example.com", name, c.id))
                       .text("country", c.country)
                       .text("segment", c.segment)
                       .money("usual_amount", c.usual_amount)
                       .done()});
  }
}

void business::next(std::int64_t now_ms, std::vector<event>& out) {
  if (start_ms_ < 0) {
    start_ms_ = now_ms;
    next_velocity_fraud_ms_ = now_ms + 10'000;
    next_amount_fraud_ms_ = now_ms + 15'000;
  }
  if (now_ms >= next_velocity_fraud_ms_) {
    inject_velocity_fraud(now_ms);
    next_velocity_fraud_ms_ = now_ms + rng_.between(60'000, 120'000);
  }
  if (now_ms >= next_amount_fraud_ms_) {
    inject_amount_fraud(now_ms);
    next_amount_fraud_ms_ = now_ms + rng_.between(60'000, 120'000);
  }
  double what = rng_.unit();
  if (what < 0.006)
    malformed(now_ms, out);
  else if (what < 0.55)
    page_view(now_ms, out);
  else if (what < 0.97)
    honest_order(now_ms, out);
  else
    product_return(now_ms);
  release_due(now_ms, out);
}

double business::rate_factor(std::int64_t ms_since_start) const {
  constexpr double pi = 3.14159265358979323846;
  double wave = 1.0 + 0.35 * std::sin(2.0 * pi * static_cast<double>(ms_since_start) / 90'000.0);
  // One 6-second burst at a seeded moment of every minute (flash sales, a newsletter going out).
  std::int64_t minute = ms_since_start / 60'000;
  rng per_minute(seed_ ^ (static_cast<std::uint64_t>(minute) * 0x9e3779b97f4a7c15ULL));
  std::int64_t burst_at = per_minute.between(0, 50'000);
  std::int64_t in_minute = ms_since_start % 60'000;
  bool bursting = in_minute >= burst_at && in_minute < burst_at + 6'000;
  return bursting ? wave * 2.5 : wave * 0.9;
}

std::vector<fraud_note> business::take_notes() { return std::exchange(notes_, {}); }

void business::page_view(std::int64_t now_ms, std::vector<event>& out) {
  auto& c = pick_customer();
  auto& p = pick_product();
  // 1% arrive minutes late: a phone that was offline replays its buffered analytics.
  std::int64_t ts = rng_.chance(0.01) ? now_ms - rng_.between(120'000, 480'000) : now_ms;
  out.push_back({topics::page_views, std::to_string(c.id),
                 json_object{}
                     .text("session_id", fmt::format("s-{}-{}", c.id, now_ms / 600'000))
                     .number("customer_id", c.id)
                     .number("product_id", p.id)
                     .text("page", fmt::format("/products/{}", p.id))
                     .number("ts", ts)
                     .done()});
}

void business::honest_order(std::int64_t now_ms, std::vector<event>& out) {
  // Honest customers order at most once per cooldown; a busy customer is skipped for another.
  customer* c = nullptr;
  for (int attempt = 0; attempt < 16 && c == nullptr; ++attempt) {
    auto& candidate = pick_customer();
    if (candidate.last_order_ms < 0 || now_ms - candidate.last_order_ms >= order_cooldown_ms) c = &candidate;
  }
  if (c == nullptr) return page_view(now_ms, out);
  auto& p = pick_product();
  auto card = card_of(*c, static_cast<int>(rng_.between(1, c->cards)));
  std::int64_t quantity = rng_.chance(0.8) ? 1 : rng_.between(2, 3);
  // 0.5% placed minutes ago on a device that was offline: the order and its payment are late.
  std::int64_t order_ts = rng_.chance(0.005) ? now_ms - rng_.between(120'000, 480'000) : now_ms;
  place_order(*c, card, p, quantity, order_ts, now_ms);
}

void business::malformed(std::int64_t now_ms, std::vector<event>& out) {
  auto& c = pick_customer();
  auto& p = pick_product();
  switch (rng_.between(0, 2)) {
    case 0:  // a client that cut its JSON short
      out.push_back(
          {topics::page_views, std::to_string(c.id),
           fmt::format("{{\"session_id\": \"s-{}\", \"customer_id\": {}, \"product_id\"", c.id, c.id)});
      break;
    case 1:  // a quantity typed as words
      out.push_back({topics::orders, std::to_string(c.id),
                     json_object{}
                         .number("order_id", next_order_id_++)
                         .number("customer_id", c.id)
                         .number("product_id", p.id)
                         .text("quantity", "two")
                         .money("amount", p.price * 2)
                         .number("ts", now_ms)
                         .done()});
      break;
    default:  // no event time
      out.push_back({topics::orders, std::to_string(c.id),
                     json_object{}
                         .number("order_id", next_order_id_++)
                         .number("customer_id", c.id)
                         .number("product_id", p.id)
                         .number("quantity", 1)
                         .money("amount", p.price)
                         .done()});
  }
}

void business::product_return(std::int64_t now_ms) {
  move_stock(pick_product(), pick(rng_, warehouses), 1, "return", now_ms);
}

void business::inject_velocity_fraud(std::int64_t now_ms) {
  // A stolen card: many small purchases in quick succession, before the owner notices.
  auto& c = customers_[static_cast<std::size_t>(rng_.between(0, customer_count - 1))];
  auto card = card_of(c, 1);
  constexpr std::int64_t gap_ms = 1'500;
  for (int k = 0; k < velocity_burst; ++k) {
    auto& p = products_[static_cast<std::size_t>(rng_.between(0, product_count - 1))];
    std::int64_t ts = now_ms + k * gap_ms;
    place_order(c, card, p, 1, ts, ts);
  }
  c.last_order_ms = now_ms + velocity_burst * gap_ms;
  notes_.push_back({card, "velocity",
                    fmt::format("card {} (customer {}) used {} times within {} s", card, c.id, velocity_burst,
                                velocity_burst * gap_ms / 1000)});
}

void business::inject_amount_fraud(std::int64_t now_ms) {
  // A card used far above what its owner usually spends.
  auto& c = customers_[static_cast<std::size_t>(rng_.between(0, customer_count - 1))];
  auto& p = *std::max_element(products_.begin(), products_.end(),
                              [](const product& a, const product& b) { return a.price < b.price; });
  // 12 to 30 times the usual: the fraud service reviews the milder ones and blocks the rest.
  double times_usual = static_cast<double>(rng_.between(12, 30));
  auto quantity = static_cast<std::int64_t>(std::ceil(times_usual * c.usual_amount / p.price));
  auto card = card_of(c, c.cards);
  place_order(c, card, p, quantity, now_ms, now_ms);
  notes_.push_back({card, "amount",
                    fmt::format("card {} (customer {}, usually {:.2f}) paid {:.2f}", card, c.id,
                                c.usual_amount, cents(p.price * static_cast<double>(quantity)))});
}

void business::place_order(customer& c, const std::string& card, product& p, std::int64_t quantity,
                           std::int64_t order_ts, std::int64_t warehouse_ts) {
  std::int64_t order_id = next_order_id_++;
  double amount = cents(p.price * static_cast<double>(quantity));
  c.last_order_ms = std::max(c.last_order_ms, warehouse_ts);
  schedule(order_ts, {topics::orders, std::to_string(order_id),
                      json_object{}
                          .number("order_id", order_id)
                          .number("customer_id", c.id)
                          .number("product_id", p.id)
                          .number("quantity", quantity)
                          .money("amount", amount)
                          .number("ts", order_ts)
                          .done()});
  std::int64_t paid_ts = order_ts + rng_.between(200, 1'500);
  std::int64_t payment_id = next_payment_id_++;
  schedule(std::max(paid_ts, warehouse_ts), {topics::payments, card,
                                             json_object{}
                                                 .number("payment_id", payment_id)
                                                 .number("order_id", order_id)
                                                 .number("customer_id", c.id)
                                                 .text("card_id", card)
                                                 .money("amount", amount)
                                                 .number("ts", paid_ts)
                                                 .done()});
  const char* warehouse = pick(rng_, warehouses);
  move_stock(p, warehouse, -quantity, "sale", warehouse_ts);
  if (p.stock < 50)
    move_stock(p, warehouses[0], rng_.between(150, 400), "restock",
               warehouse_ts + rng_.between(2'000, 10'000));
  // Most parcels leave within a minute; 8% wait minutes for a carrier backlog.
  std::int64_t shipped =
      warehouse_ts + (rng_.chance(0.08) ? rng_.between(150'000, 300'000) : rng_.between(5'000, 40'000));
  schedule(shipped, {topics::shipments, std::to_string(order_id),
                     json_object{}
                         .number("shipment_id", next_shipment_id_++)
                         .number("order_id", order_id)
                         .text("carrier", pick(rng_, carriers))
                         .text("warehouse", warehouse)
                         .number("ts", shipped)
                         .done()});
}

void business::move_stock(product& p, const char* warehouse, std::int64_t delta, const char* reason,
                          std::int64_t ts) {
  p.stock += delta;
  schedule(ts, {topics::inventory, std::to_string(p.id),
                json_object{}
                    .number("product_id", p.id)
                    .text("warehouse", warehouse)
                    .number("delta", delta)
                    .text("reason", reason)
                    .number("ts", ts)
                    .done()});
}

void business::schedule(std::int64_t due_ms, event e) { pending_.emplace(due_ms, std::move(e)); }

void business::release_due(std::int64_t now_ms, std::vector<event>& out) {
  auto end = pending_.upper_bound(now_ms);
  for (auto it = pending_.begin(); it != end; ++it) out.push_back(std::move(it->second));
  pending_.erase(pending_.begin(), end);
}

std::string business::card_of(const customer& c, int k) const {
  return fmt::format("card-{:05}-{}", c.id, k);
}

business::customer& business::pick_customer() { return customers_[customer_rank_.sample(rng_)]; }

business::product& business::pick_product() { return products_[product_rank_.sample(rng_)]; }

}  // namespace sluice::demo
