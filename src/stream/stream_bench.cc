// stream_bench — events per second through compiled pipelines, one thread (one core).
//
//   FilterProject:      WHERE x > 3 then SELECT k, x + 1 over pre-decoded changes
//   FilterProjectJson:  the same fed as JSON records (decoding included)
//   TumblingCount:      count(*) per key per 1 s TUMBLE window, watermark advancing per batch
//   HopCount/<slide ms>: the same over a 10 s HOP; per-event cost should not grow as the slide shrinks
//   IntervalJoin:       an insert-only join on a bigint key whose left rows (200k distinct keys, a 40-byte
//                       payload) expire 10 s of event time after they arrive; one right row per 100 left
//
// Each iteration pushes 1M events in batches of 4096; building the input batches is not timed.
#include <benchmark/benchmark.h>

#include "stream/compiler.h"
#include "stream/join.h"
#include "stream/test_util.h"

namespace sluice::stream {
namespace {

using namespace testing;
using sql::data_type;
using sql::plan_kind;

constexpr int total_events = 1'000'000;
constexpr int batch_size = 4096;

test_catalog make_catalog() {
  test_catalog c;
  sql::relation_info events;
  events.name = "events";
  events.columns =
      columns({{"ts", data_type::timestamp}, {"k", data_type::bigint}, {"x", data_type::bigint}});
  events.watermark = sql::watermark_spec{0, 0};
  c.add(events);
  return c;
}

sql::plan filter_project(const sql::relation_info& events) {
  sql::plan f = unary(plan_kind::filter, scan(events), events.columns);
  f.predicate = gt(col(2), lit(I(3)));
  sql::plan p =
      unary(plan_kind::project, std::move(f), columns({{"k", data_type::bigint}, {"y", data_type::bigint}}));
  p.exprs = {col(1), add(col(2), lit(I(1)))};
  return p;
}

sql::plan tumbling_count(const sql::relation_info& events, std::int64_t size = sec,
                         std::int64_t slide = sec) {
  sql::schema wout =
      concat(events.columns,
             columns({{"window_start", data_type::timestamp}, {"window_end", data_type::timestamp}}));
  sql::plan w = unary(plan_kind::window, scan(events), wout);
  w.window = {size == slide ? sql::window_kind::tumble : sql::window_kind::hop, 0, size, slide, 0};
  sql::plan a = unary(plan_kind::aggregate, std::move(w),
                      columns({{"window_start", data_type::timestamp},
                               {"window_end", data_type::timestamp},
                               {"k", data_type::bigint},
                               {"count", data_type::bigint}}));
  a.group_by = {col(3, data_type::timestamp), col(4, data_type::timestamp), col(1)};
  a.aggregates = {agg(sql::aggregate_fn::count_star, {})};
  return a;
}

// Event i: 10,000 events per second of event time, 100 keys, x in 0..9.
sql::row event(std::int64_t i) { return {TS(i * 100), I(i % 100), I(i % 10)}; }

void run_changes(benchmark::State& state, const sql::plan& plan, bool watermarks) {
  test_catalog catalog = make_catalog();
  std::int64_t next = 0;
  std::size_t view_rows = 0;
  for (auto _ : state) {
    state.PauseTiming();
    auto store = make_memory_store();
    auto p = std::move(compile(plan, catalog, store.get()).value());
    state.ResumeTiming();
    for (int done = 0; done < total_events; done += batch_size) {
      state.PauseTiming();
      sql::change_batch batch;
      batch.reserve(batch_size);
      for (int i = 0; i < batch_size; ++i) batch.push_back({event(next++), 1});
      std::int64_t wm = watermarks ? (next - 1) * 100 : no_watermark;
      state.ResumeTiming();
      if (!p->inject("events", std::move(batch), wm)) state.SkipWithError("inject failed");
    }
    view_rows = p->view().size();
  }
  state.SetItemsProcessed(state.iterations() * total_events);
  state.counters["view_rows"] = static_cast<double>(view_rows);
}

void FilterProject(benchmark::State& state) {
  run_changes(state, filter_project(*make_catalog().find("events")), false);
}

void TumblingCount(benchmark::State& state) {
  run_changes(state, tumbling_count(*make_catalog().find("events")), true);
}

void HopCount(benchmark::State& state) {
  run_changes(state, tumbling_count(*make_catalog().find("events"), 10 * sec, state.range(0) * 1000), true);
}

void FilterProjectJson(benchmark::State& state) {
  test_catalog catalog = make_catalog();
  sql::plan plan = filter_project(*catalog.find("events"));
  std::vector<std::string> texts(batch_size);
  std::vector<record> records(batch_size);
  std::int64_t next = 0;
  for (auto _ : state) {
    state.PauseTiming();
    auto store = make_memory_store();
    auto p = std::move(compile(plan, catalog, store.get()).value());
    state.ResumeTiming();
    for (int done = 0; done < total_events; done += batch_size) {
      state.PauseTiming();
      for (int i = 0; i < batch_size; ++i, ++next) {
        texts[static_cast<std::size_t>(i)] = "{\"ts\": " + std::to_string(next / 10) +
                                             ", \"k\": " + std::to_string(next % 100) +
                                             ", \"x\": " + std::to_string(next % 10) + "}";
        records[static_cast<std::size_t>(i)] = record{0, std::nullopt, texts[static_cast<std::size_t>(i)]};
      }
      state.ResumeTiming();
      if (!p->ingest("events", records)) state.SkipWithError("ingest failed");
    }
  }
  state.SetItemsProcessed(state.iterations() * total_events);
}

// Left (ts, k, payload), right (ts, k): ON l.k = r.k AND l.ts >= r.ts - 10 s, so a left row leaves the
// state once the watermark is 10 s past it. Like Nexmark q7's bids joined with each window's maximum.
void IntervalJoin(benchmark::State& state) {
  constexpr std::int64_t keep = 10 * sec;
  auto minus_keep = [](const sql::value* a, std::size_t) { return TS(a[0].as_micros() - keep); };
  join_spec spec{sql::join_type::inner, {col(1)}, {col(1)}, lit(B(true)), 2, {}, true};
  spec.expiry[0] =
      join_expiry{0, 0, call(minus_keep, "minus_keep", {col(3, data_type::timestamp)}, data_type::timestamp),
                  3, data_type::timestamp};
  std::string payload(40, 'p');
  std::uint64_t rng = 42;
  auto next_key = [&] {
    rng = rng * 6364136223846793005ULL + 1442695040888963407ULL;
    return static_cast<std::int64_t>((rng >> 33) % 200'000);
  };
  std::int64_t next = 0, matched = 0;
  for (auto _ : state) {
    state.PauseTiming();
    join_operator op(spec, "j", nullptr);
    state.ResumeTiming();
    for (int done = 0; done < total_events; done += batch_size) {
      state.PauseTiming();
      sql::change_batch left, right, out;
      left.reserve(batch_size);
      for (int i = 0; i < batch_size; ++i, ++next) {
        std::int64_t k = next_key();
        left.push_back({{TS(next * 100), I(k), T(payload)}, 1});
        if (next % 100 == 0) right.push_back({{TS(next * 100), I(k)}, 1});
      }
      state.ResumeTiming();
      op.on_changes(0, left, out);
      op.on_changes(1, right, out);
      op.on_watermark((next - 1) * 100, out);
      matched += static_cast<std::int64_t>(out.size());
    }
  }
  state.SetItemsProcessed(state.iterations() * total_events);
  state.counters["matches"] = static_cast<double>(matched);
}

BENCHMARK(FilterProject)->Unit(benchmark::kMillisecond)->Iterations(3);
BENCHMARK(FilterProjectJson)->Unit(benchmark::kMillisecond)->Iterations(3);
BENCHMARK(TumblingCount)->Unit(benchmark::kMillisecond)->Iterations(3);
BENCHMARK(HopCount)->Arg(5000)->Arg(1000)->Arg(100)->Unit(benchmark::kMillisecond)->Iterations(3);
BENCHMARK(IntervalJoin)->Unit(benchmark::kMillisecond)->Iterations(3);

}  // namespace
}  // namespace sluice::stream

BENCHMARK_MAIN();
