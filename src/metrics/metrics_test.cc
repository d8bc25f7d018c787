#include "metrics/metrics.h"

#include <gtest/gtest.h>

#include <thread>
#include <vector>

#include "metrics/registry.h"
#include "metrics/text_format.h"

namespace sluice::metrics {
namespace {

const family_info requests{"test_requests_total", "Requests served.", {"api"}};

TEST(MetricsText, CounterHasHelpTypeAndOneLinePerLabelSet) {
  registry r;
  r.counter(requests, {"fetch"})->inc(3);
  r.counter(requests, {"produce"})->inc();
  EXPECT_EQ(render_text(r.collect()),
            "# HELP test_requests_total Requests served.\n"
            "# TYPE test_requests_total counter\n"
            "test_requests_total{api=\"fetch\"} 3\n"
            "test_requests_total{api=\"produce\"} 1\n");
}

TEST(MetricsText, SameLabelValuesGiveTheSameInstrument) {
  registry r;
  auto a = r.counter(requests, {"fetch"});
  auto b = r.counter(requests, {"fetch"});
  EXPECT_EQ(a.get(), b.get());
}

TEST(MetricsText, LabelValuesAndHelpAreEscaped) {
  registry r;
  r.gauge({"test_gauge", "a \\ help\nline", {"name"}}, {"q\"uo\\te\nnl"})->set(1.5);
  EXPECT_EQ(render_text(r.collect()),
            "# HELP test_gauge a \\\\ help\\nline\n"
            "# TYPE test_gauge gauge\n"
            "test_gauge{name=\"q\\\"uo\\\\te\\nnl\"} 1.5\n");
}

TEST(MetricsText, HistogramBucketsAreCumulativeAndInfEqualsCount) {
  registry r;
  const std::vector<double> bounds{0.1, 1};
  auto h = r.histogram({"test_seconds", "Latency.", {}}, {}, bounds);
  h->observe(0.05);
  h->observe(0.1);  // on a bound: counted in that bucket (le is inclusive)
  h->observe(0.5);
  h->observe(7);
  EXPECT_EQ(render_text(r.collect()),
            "# HELP test_seconds Latency.\n"
            "# TYPE test_seconds histogram\n"
            "test_seconds_bucket{le=\"0.1\"} 2\n"
            "test_seconds_bucket{le=\"1\"} 3\n"
            "test_seconds_bucket{le=\"+Inf\"} 4\n"
            "test_seconds_sum 7.65\n"
            "test_seconds_count 4\n");
}

TEST(MetricsText, HistogramLabelsComeBeforeLe) {
  registry r;
  const std::vector<double> bounds{1};
  r.histogram({"test_seconds", "Latency.", {"api"}}, {"fetch"}, bounds)->observe(2);
  auto text = render_text(r.collect());
  EXPECT_NE(text.find("test_seconds_bucket{api=\"fetch\",le=\"1\"} 0\n"), std::string::npos) << text;
  EXPECT_NE(text.find("test_seconds_bucket{api=\"fetch\",le=\"+Inf\"} 1\n"), std::string::npos) << text;
}

TEST(MetricsText, ValuesAsPrometheusWritesThem) {
  EXPECT_EQ(format_value(0), "0");
  EXPECT_EQ(format_value(12345678901), "12345678901");
  EXPECT_EQ(format_value(-2), "-2");
  EXPECT_EQ(format_value(0.25), "0.25");
  EXPECT_EQ(format_value(0.0001), "0.0001");
  EXPECT_EQ(format_value(0.00005), "5e-05");
  EXPECT_EQ(format_value(2.5e-7), "2.5e-07");
  EXPECT_EQ(format_value(1e300), "1e+300");
  EXPECT_EQ(format_value(std::numeric_limits<double>::quiet_NaN()), "NaN");
  EXPECT_EQ(format_value(std::numeric_limits<double>::infinity()), "+Inf");
  EXPECT_EQ(format_value(-std::numeric_limits<double>::infinity()), "-Inf");
}

TEST(MetricsRegistry, CollectorsReportAtScrapeTimeUntilTheirHandleGoes) {
  registry r;
  int calls = 0;
  auto handle = r.add_collector([&](sample_writer& out) {
    ++calls;
    out.gauge("test_log_end_offset", "End offset.", {{"topic", "a"}, {"partition", "0"}}, 42);
  });
  auto text = render_text(r.collect());
  EXPECT_EQ(calls, 1);
  EXPECT_NE(text.find("test_log_end_offset{topic=\"a\",partition=\"0\"} 42\n"), std::string::npos) << text;
  handle.reset();
  EXPECT_EQ(render_text(r.collect()), "");
  EXPECT_EQ(calls, 1);
}

TEST(MetricsRegistry, CollectorSamplesMergeWithInstrumentsOfTheSameFamily) {
  registry r;
  r.counter(requests, {"fetch"})->inc(2);
  auto handle = r.add_collector([](sample_writer& out) {
    out.counter("test_requests_total", "Requests served.", {{"api", "sql"}}, 5);
  });
  auto families = r.collect();
  ASSERT_EQ(families.size(), 1u);
  EXPECT_EQ(families[0].samples.size(), 2u);
  EXPECT_EQ(total(families, "test_requests_total"), 7);
  EXPECT_EQ(total(families, "test_absent"), 0);
}

TEST(MetricsRegistry, RemovedSeriesDisappearWhileItsHolderMayStillCount) {
  registry r;
  auto kept = r.counter(requests, {"fetch"});
  r.remove("test_requests_total", {"fetch"});
  kept->inc();  // harmless: the holder shares the instrument
  EXPECT_EQ(render_text(r.collect()), "");
  EXPECT_EQ(r.counter(requests, {"fetch"})->value(), 0u) << "a new series starts at zero";
}

TEST(MetricsRegistry, FamiliesAreSortedByName) {
  registry r;
  r.gauge({"test_b", "b", {}})->set(1);
  r.gauge({"test_a", "a", {}})->set(1);
  auto families = r.collect();
  ASSERT_EQ(families.size(), 2u);
  EXPECT_EQ(families[0].name, "test_a");
  EXPECT_EQ(families[1].name, "test_b");
}

TEST(MetricsRegistryDeathTest, AFamilyKeepsItsType) {
  registry r;
  r.counter({"test_x", "x", {}});
  EXPECT_DEATH(r.gauge({"test_x", "x", {}}), "types or labels");
}

TEST(MetricsRegistryDeathTest, NamesFollowThePrometheusGrammar) {
  registry r;
  EXPECT_DEATH(r.counter({"9bad", "x", {}}), "invalid metric name");
  EXPECT_DEATH(r.counter({"test_y", "x", {"le"}}, {"1"}), "invalid label name");
}

TEST(MetricsConcurrency, EveryIncrementAndObservationIsCounted) {
  registry r;
  auto c = r.counter(requests, {"fetch"});
  auto h = r.histogram({"test_seconds", "Latency.", {}});
  constexpr int threads = 4, per_thread = 100000;
  std::atomic<bool> done{false};
  // A scraper running alongside sees counters that only grow and histograms whose +Inf is their count.
  std::thread scraper([&] {
    std::uint64_t last = 0;
    while (!done.load()) {
      for (const auto& f : r.collect()) {
        for (const auto& s : f.samples) {
          EXPECT_GE(s.value, static_cast<double>(last));
          last = static_cast<std::uint64_t>(s.value);
        }
        for (const auto& hs : f.histograms)
          for (std::size_t i = 1; i < hs.counts.buckets.size(); ++i)
            EXPECT_LE(hs.counts.buckets[i - 1], hs.counts.buckets[i]);
      }
    }
  });
  std::vector<std::thread> workers;
  for (int t = 0; t < threads; ++t)
    workers.emplace_back([&, t] {
      for (int i = 0; i < per_thread; ++i) {
        c->inc();
        h->observe(t * 0.001);
      }
    });
  for (auto& w : workers) w.join();
  done = true;
  scraper.join();
  EXPECT_EQ(c->value(), static_cast<std::uint64_t>(threads * per_thread));
  auto counts = h->counts();
  EXPECT_EQ(counts.count, static_cast<std::uint64_t>(threads * per_thread));
  EXPECT_EQ(counts.buckets.back(), counts.count) << "every observation is within 10 s";
  EXPECT_NEAR(counts.sum, per_thread * (0 + 0.001 + 0.002 + 0.003), 1e-6);
}

TEST(MetricsConcurrency, CollectorsMayBeRemovedWhileOthersScrape) {
  registry r;
  std::atomic<bool> done{false};
  std::thread scraper([&] {
    while (!done.load()) (void)r.collect();
  });
  for (int i = 0; i < 1000; ++i) {
    int value = i;
    auto handle = r.add_collector([&value](sample_writer& out) { out.gauge("test_g", "g", {}, value); });
  }  // each handle goes at once; `value` must not be read after that
  done = true;
  scraper.join();
  EXPECT_TRUE(r.collect().empty());
}

}  // namespace
}  // namespace sluice::metrics
