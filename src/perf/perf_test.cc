// perf/perf_test.cc — the parts of `sluice bench` that need no broker: pacing, percentiles and
// the payload stamp.
#include <gtest/gtest.h>

#include "perf/latency_recorder.h"
#include "perf/payload.h"
#include "perf/rate_schedule.h"

namespace sluice::perf {
namespace {

using namespace std::chrono_literals;

TEST(RateSchedule, RecordsFallDueOnTheSchedule) {
  auto start = rate_schedule::clock::now();
  rate_schedule schedule(1000, start);
  EXPECT_EQ(schedule.due_by(start), 1);
  EXPECT_EQ(schedule.due_by(start + 999us), 1);
  EXPECT_EQ(schedule.due_by(start + 1ms), 2);
  EXPECT_EQ(schedule.due_by(start + 1s), 1001);
  EXPECT_EQ(schedule.due_at(500), start + 500ms);
}

TEST(RateSchedule, ALateWakeupMakesEveryMissedRecordDue) {
  auto start = rate_schedule::clock::now();
  rate_schedule schedule(100, start);
  EXPECT_EQ(schedule.due_by(start + 250ms), 26);
}

TEST(RateSchedule, UnpacedMeansAlwaysDue) {
  rate_schedule schedule(0, rate_schedule::clock::now());
  EXPECT_FALSE(schedule.paced());
  EXPECT_GT(schedule.due_by(rate_schedule::clock::now()), std::int64_t{1} << 60);
}

TEST(LatencyRecorder, NearestRankPercentiles) {
  latency_recorder r;
  for (int i = 1000; i >= 1; --i) r.record(std::int64_t{i} * 1'000'000);  // 1..1000 ms
  auto s = r.summarize();
  EXPECT_EQ(s.samples, 1000);
  EXPECT_DOUBLE_EQ(s.p50_ms, 500);
  EXPECT_DOUBLE_EQ(s.p99_ms, 990);
  EXPECT_DOUBLE_EQ(s.p99_9_ms, 999);
  EXPECT_DOUBLE_EQ(s.max_ms, 1000);
}

TEST(LatencyRecorder, EmptyIsAllZero) {
  latency_recorder r;
  EXPECT_EQ(r.summarize().samples, 0);
  EXPECT_EQ(percentile({}, 0.5), 0);
  EXPECT_EQ(percentile({7}, 0.999), 7);
}

TEST(Payload, StampRoundTrips) {
  auto value = make_payload(100);
  stamp_payload(value, 123456789, 42);
  EXPECT_EQ(read_send_ns(value), 123456789);
  EXPECT_EQ(value.size(), 100u);
  EXPECT_EQ(value[99], make_payload(100)[99]);
  std::vector<char> short_value(8);
  EXPECT_EQ(read_send_ns(short_value), -1);
}

}  // namespace
}  // namespace sluice::perf
