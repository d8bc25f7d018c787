// Randomized tests of windowed aggregates: JSON events with jittered, mostly increasing event times
// over several partitions, restarts over the same store, and a naive reference: after every batch
// the view must hold exactly the windows that ended at or before the watermark, each aggregated
// over every accepted (not late) event, and late events must have been reported.
#include <gtest/gtest.h>

#include <map>
#include <random>
#include <set>

#include "stream/accumulator.h"
#include "stream/compiler.h"
#include "stream/test_util.h"

namespace sluice::stream {
namespace {

using namespace testing;
using sql::data_type;
using sql::plan_kind;

struct event {
  std::int64_t id;
  std::int64_t ts;  // microseconds
  std::int64_t k;
  std::int64_t x;
};

// Parameters: seed, slide in seconds (6: TUMBLE of 6 s; 4 and 1: HOP of 6 s).
class WindowRandomTest : public ::testing::TestWithParam<std::tuple<int, int>> {
 protected:
  WindowRandomTest() {
    sql::relation_info e;
    e.name = "events";
    e.columns = columns({{"id", data_type::bigint},
                         {"ts", data_type::timestamp},
                         {"k", data_type::bigint},
                         {"x", data_type::bigint}});
    e.watermark = sql::watermark_spec{1, 2 * sec};
    catalog.add(e);
    std::int64_t slide = std::get<1>(GetParam()) * sec;
    spec = {slide == 6 * sec ? sql::window_kind::tumble : sql::window_kind::hop, 1, 6 * sec, slide, sec};
  }

  // SELECT window_start, window_end, k, count(*), sum(x), max(x), min(x), count(DISTINCT x % 10),
  // sum(DISTINCT x % 10), avg(DISTINCT x % 10) FROM TUMBLE/HOP(events, ts, …) GROUP BY 1, 2, 3
  sql::plan plan() {
    const sql::relation_info& e = *catalog.find("events");
    sql::plan w = unary(plan_kind::window, scan(e),
                        concat(e.columns, columns({{"window_start", data_type::timestamp},
                                                   {"window_end", data_type::timestamp}})));
    w.window = spec;
    sql::plan a = unary(plan_kind::aggregate, std::move(w), {});
    a.group_by = {col(4, data_type::timestamp), col(5, data_type::timestamp), col(2)};
    sql::expr digit = mod(col(3), lit(I(10)));
    a.aggregates = {agg(sql::aggregate_fn::count_star, {}),
                    agg(sql::aggregate_fn::sum, {col(3)}),
                    agg(sql::aggregate_fn::max, {col(3)}),
                    agg(sql::aggregate_fn::min, {col(3)}),
                    agg(sql::aggregate_fn::count, {digit}, data_type::bigint, true),
                    agg(sql::aggregate_fn::sum, {digit}, data_type::bigint, true),
                    agg(sql::aggregate_fn::avg, {digit}, data_type::double_precision, true)};
    a.output.resize(10, {"c", data_type::bigint});
    return a;
  }

  // The reference: every window containing an accepted event that ended by `watermark`.
  std::vector<sql::row> expected(const std::vector<event>& accepted, std::int64_t watermark) {
    std::map<std::tuple<std::int64_t, std::int64_t>, std::vector<std::int64_t>> windows;  // (start, k) → xs
    for (const event& ev : accepted) {
      for (std::int64_t s = spec.offset_micros - 1000 * spec.slide_micros; s <= ev.ts;
           s += spec.slide_micros) {
        if (ev.ts < s + spec.size_micros && s + spec.size_micros <= watermark)
          windows[{s, ev.k}].push_back(ev.x);
      }
    }
    std::vector<sql::row> out;
    for (const auto& [key, xs] : windows) {
      auto [s, k] = key;
      std::int64_t sum = 0, max = xs[0], min = xs[0];
      std::set<std::int64_t> digits;
      for (auto x : xs) sum += x, max = std::max(max, x), min = std::min(min, x), digits.insert(x % 10);
      std::int64_t digit_sum = 0;
      for (auto d : digits) digit_sum += d;
      auto n_digits = static_cast<std::int64_t>(digits.size());
      out.push_back({TS(s), TS(s + spec.size_micros), I(k), I(static_cast<std::int64_t>(xs.size())), I(sum),
                     I(max), I(min), I(n_digits), I(digit_sum),
                     D(static_cast<double>(digit_sum) / static_cast<double>(n_digits))});
    }
    return out;
  }

  void run(int commit_every);

  test_catalog catalog;
  sql::window_spec spec;
};

// Feeds random events, restarting from the store every 50 batches; the state is written after every
// `commit_every` batches (and before each restart).
void WindowRandomTest::run(int commit_every) {
  scoped_inline_values_limit limit(4);  // pane groups with a few distinct values store them apart
  std::mt19937_64 rng(static_cast<std::uint64_t>(std::get<0>(GetParam())) * 31 + 5);
  auto store = make_memory_store();
  sql::plan p = plan();
  std::unique_ptr<pipeline> pl;
  std::set<std::int64_t> late_ids;
  auto open = [&](bool resume) {
    auto compiled = compile(p, catalog, store.get(), {}, resume);
    ASSERT_TRUE(compiled) << compiled.error().message;
    pl = std::move(*compiled);
    pl->set_commit_each_batch(commit_every == 1);
    pl->diag().on_late_event = [&](const late_event& e) {
      // The source reports the JSON record ({"id":…}); the window operator the row ((id, …)).
      std::size_t at = e.payload.front() == '{' ? e.payload.find(':') + 1 : 1;
      late_ids.insert(std::stoll(e.payload.substr(at)));
    };
  };
  open(false);
  std::vector<event> all;
  std::int64_t clock = 0, id = 0;
  for (int step = 0; step < 150; ++step) {
    if (step % 50 == 49) {
      ASSERT_TRUE(pl->commit());
      open(true);
    }
    std::vector<std::string> texts;
    std::vector<record> records;
    for (int n = 1 + static_cast<int>(rng() % 10); n > 0; --n) {
      clock += static_cast<std::int64_t>(rng() % 700) * 1000;
      // Mostly in order; one in eight is up to 5 s behind (late once the watermark passed it).
      std::int64_t ts = clock - (rng() % 8 == 0 ? static_cast<std::int64_t>(rng() % 5000) * 1000 : 0);
      event ev{id++, ts, static_cast<std::int64_t>(rng() % 3), static_cast<std::int64_t>(rng() % 100)};
      all.push_back(ev);
      texts.push_back("{\"id\":" + std::to_string(ev.id) + ",\"ts\":" + std::to_string(ev.ts / 1000) +
                      ",\"k\":" + std::to_string(ev.k) + ",\"x\":" + std::to_string(ev.x) + "}");
    }
    for (const std::string& t : texts) records.push_back({static_cast<int>(rng() % 2), std::nullopt, t});
    ASSERT_TRUE(pl->ingest("events", records));
    if (step % commit_every == 0) {
      ASSERT_TRUE(pl->commit());
    }
    std::vector<event> accepted;
    for (const event& ev : all) {
      if (!late_ids.contains(ev.id)) accepted.push_back(ev);
    }
    ASSERT_EQ(sorted_text(pl->view().snapshot()), sorted_text(expected(accepted, pl->watermark("events"))))
        << "step " << step;
  }
  EXPECT_GT(late_ids.size(), 0u);
  EXPECT_GT(pl->view().size(), 10u);
}

TEST_P(WindowRandomTest, ViewHoldsExactlyTheClosedWindows) { run(1); }

// Panes also come and go between two writes of the state (never written, so never erased), and a
// restart must find neither a dropped pane nor a stale one.
TEST_P(WindowRandomTest, StateWrittenEverySeveralBatches) { run(7); }

INSTANTIATE_TEST_SUITE_P(Seeds, WindowRandomTest,
                         ::testing::Combine(::testing::Range(0, 6), ::testing::Values(6, 4, 1)));

}  // namespace
}  // namespace sluice::stream
