#include "cli/datetime.h"

#include <gtest/gtest.h>

namespace sluice::cli {
namespace {

std::int64_t ms(std::string_view text) {
  auto v = parse_iso8601_ms(text);
  EXPECT_TRUE(v) << text << ": " << v.error().describe();
  return v ? *v : -1;
}

TEST(Datetime, DateAloneIsMidnightUtc) {
  EXPECT_EQ(ms("1970-01-01"), 0);
  EXPECT_EQ(ms("2024-03-01"), 1709251200000);
}

TEST(Datetime, TimeWithoutZoneIsUtc) {
  EXPECT_EQ(ms("2023-11-14T22:13:20"), 1700000000000);
  EXPECT_EQ(ms("2023-11-14T22:13:20Z"), 1700000000000);
  EXPECT_EQ(ms("2023-11-14 22:13:20"), 1700000000000);
  EXPECT_EQ(ms("2023-11-14T22:13"), 1699999980000);
}

TEST(Datetime, FractionKeepsMilliseconds) {
  EXPECT_EQ(ms("2023-11-14T22:13:20.5Z"), 1700000000500);
  EXPECT_EQ(ms("2023-11-14T22:13:20.123Z"), 1700000000123);
  EXPECT_EQ(ms("2023-11-14T22:13:20.123999Z"), 1700000000123);
}

TEST(Datetime, ZoneOffsetsMoveTheInstant) {
  EXPECT_EQ(ms("2023-11-15T00:13:20+02:00"), 1700000000000);
  EXPECT_EQ(ms("2023-11-15T00:13:20+0200"), 1700000000000);
  EXPECT_EQ(ms("2023-11-15T00:13:20+02"), 1700000000000);
  EXPECT_EQ(ms("2023-11-14T17:43:20-04:30"), 1700000000000);
}

TEST(Datetime, LeapDayIsValidOnlyInLeapYears) {
  EXPECT_EQ(ms("2024-02-29T00:00:00Z"), 1709164800000);
  EXPECT_FALSE(parse_iso8601_ms("2023-02-29"));
}

TEST(Datetime, RejectsMalformedText) {
  for (auto text : {"", "2023", "2023-1-01", "2023-13-01", "2023-11-14T24:00:00", "2023-11-14T22:61",
                    "2023-11-14T22:13:20.", "2023-11-14T22:13:20+2", "2023-11-14T22:13:20 UTC",
                    "1700000000000", "2023-11-14T22:13:20Zx"}) {
    auto v = parse_iso8601_ms(text);
    ASSERT_FALSE(v) << text;
    EXPECT_EQ(v.error().code, errc::invalid_argument);
    EXPECT_NE(v.error().message.find("ISO 8601"), std::string::npos);
  }
}

}  // namespace
}  // namespace sluice::cli
