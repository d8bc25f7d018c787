// Unit tests for the demo's pieces that need no server: the business is deterministic and keeps its
// promises (skew, fraud only where injected), the SQL splits, and the fraud rule decides.
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "cli/json.h"
#include "demo/business.h"
#include "demo/fraud_service.h"
#include "demo/pipelines.h"

namespace sluice::demo {
namespace {

constexpr std::int64_t t0 = 1'700'000'000'000;

// `minutes` of trade at `rate` events per second, stepping the clock 100 ms at a time.
std::vector<event> trade(business& shop, int minutes, int rate) {
  std::vector<event> out;
  shop.opening(t0, out);
  for (std::int64_t t = t0; t < t0 + minutes * 60'000; t += 100)
    for (int i = 0; i < rate / 10; ++i) shop.next(t, out);
  return out;
}

const cli::json_value* member(const cli::json_value& v, const std::string& name) {
  for (const auto& [k, m] : v.members)
    if (k == name) return &m;
  return nullptr;
}

TEST(business, same_seed_same_events_other_seed_other_events) {
  business a(7), b(7), c(8);
  auto ea = trade(a, 1, 100), eb = trade(b, 1, 100), ec = trade(c, 1, 100);
  ASSERT_EQ(ea.size(), eb.size());
  for (std::size_t i = 0; i < ea.size(); ++i) {
    EXPECT_EQ(ea[i].topic, eb[i].topic);
    EXPECT_EQ(ea[i].value, eb[i].value);
  }
  bool differs = ea.size() != ec.size();
  for (std::size_t i = 0; !differs && i < ea.size(); ++i) differs = ea[i].value != ec[i].value;
  EXPECT_TRUE(differs);
}

TEST(business, every_topic_speaks_and_a_small_share_is_malformed) {
  business shop(1);
  auto events = trade(shop, 2, 200);
  std::map<std::string, int> per_topic;
  int malformed = 0, untimed = 0;
  for (const auto& e : events) {
    ++per_topic[e.topic];
    auto v = cli::parse_json(e.value);
    if (!v) {
      ++malformed;
      continue;
    }
    if (e.topic != topics::products && e.topic != topics::customers && member(*v, "ts") == nullptr) ++untimed;
  }
  for (const char* t : {topics::products, topics::customers, topics::page_views, topics::orders,
                        topics::payments, topics::inventory, topics::shipments})
    EXPECT_GT(per_topic[t], 0) << t;
  EXPECT_GT(malformed, 0);
  EXPECT_GT(untimed, 0);
  EXPECT_LT(malformed + untimed, static_cast<int>(events.size()) / 50);
}

TEST(business, popularity_is_skewed) {
  business shop(3);
  std::map<std::int64_t, int> views;
  int total = 0;
  for (const auto& e : trade(shop, 2, 200)) {
    if (e.topic != topics::page_views) continue;
    auto v = cli::parse_json(e.value);
    if (!v || member(*v, "product_id") == nullptr) continue;
    ++views[*member(*v, "product_id")->as_int64()];
    ++total;
  }
  std::vector<int> counts;
  for (auto& [id, n] : views) counts.push_back(n);
  std::sort(counts.rbegin(), counts.rend());
  int top10 = 0;
  for (std::size_t i = 0; i < 10 && i < counts.size(); ++i) top10 += counts[i];
  // Ten of two hundred products draw well over a third of the views.
  EXPECT_GT(top10 * 3, total);
}

// Only injected cards reach six payments within any 30 seconds; every injected card does.
TEST(business, velocity_fraud_only_where_injected) {
  business shop(11);
  std::vector<event> events;
  shop.opening(t0, events);
  // Bursts injected in the last half minute may not have played out yet: they may be flagged, but
  // need not be.
  std::set<std::string> injected, complete;
  constexpr std::int64_t end = t0 + 6 * 60'000;
  for (std::int64_t t = t0; t < end; t += 100) {
    for (int i = 0; i < 50; ++i) shop.next(t, events);
    for (auto& note : shop.take_notes()) {
      if (note.kind != "velocity") continue;
      injected.insert(note.card_id);
      if (t < end - 30'000) complete.insert(note.card_id);
    }
  }
  std::map<std::string, std::vector<std::int64_t>> paid;
  for (const auto& e : events) {
    if (e.topic != topics::payments) continue;
    auto v = cli::parse_json(e.value);
    ASSERT_TRUE(v.has_value());
    paid[member(*v, "card_id")->text].push_back(*member(*v, "ts")->as_int64());
  }
  std::set<std::string> flagged;
  for (auto& [card, times] : paid) {
    std::sort(times.begin(), times.end());
    for (std::size_t i = 0; i + 5 < times.size(); ++i)
      if (times[i + 5] - times[i] < 30'000) flagged.insert(card);
  }
  EXPECT_GE(complete.size(), 2u);
  EXPECT_TRUE(std::includes(injected.begin(), injected.end(), flagged.begin(), flagged.end()));
  EXPECT_TRUE(std::includes(flagged.begin(), flagged.end(), complete.begin(), complete.end()));
}

TEST(business, traffic_averages_the_rate_with_bursts_above_it) {
  business shop(5);
  double sum = 0, peak = 0;
  int samples = 0;
  for (std::int64_t t = 0; t < 10 * 60'000; t += 100, ++samples) {
    sum += shop.rate_factor(t);
    peak = std::max(peak, shop.rate_factor(t));
  }
  EXPECT_NEAR(sum / samples, 1.0, 0.15);
  EXPECT_GT(peak, 2.0);
}

TEST(pipelines, split_statements_at_semicolons_outside_quotes) {
  auto s = split_statements("-- a comment; not a statement\nSELECT 'a;b';\n\n  SELECT 2 -- trailing\n;");
  ASSERT_EQ(s.size(), 2u);
  EXPECT_EQ(s[0], "SELECT 'a;b'");
  EXPECT_EQ(s[1], "SELECT 2");
  EXPECT_GT(split_statements(pipelines_sql()).size(), 10u);
  EXPECT_EQ(split_statements(layered_pipelines_sql()).size(), 3u);
}

TEST(fraud_service, decides_on_velocity_and_amount_alerts) {
  auto v = decide(R"({"card_id": "card-00001-1", "payments": 8, "amount": 80.5, "reason": "velocity"})");
  ASSERT_TRUE(v.has_value());
  EXPECT_EQ(v->decision, "block");
  EXPECT_EQ(v->card_id, "card-00001-1");
  auto r = decide(R"({"card_id": "c", "payments": 6, "reason": "velocity"})");
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->decision, "review");
  auto a = decide(R"({"card_id": "c", "amount": 1500.0, "usual_amount": 100.0, "reason": "amount"})");
  ASSERT_TRUE(a.has_value());
  EXPECT_EQ(a->decision, "review");
  EXPECT_FALSE(decide("not json").has_value());
  EXPECT_FALSE(decide(R"({"card_id": "c", "reason": "velocity"})").has_value());
  auto json = cli::parse_json(decision_json(*v, 5));
  ASSERT_TRUE(json.has_value());
  EXPECT_EQ(member(*json, "decision")->text, "block");
  EXPECT_EQ(*member(*json, "ts")->as_int64(), 5);
}

}  // namespace
}  // namespace sluice::demo
