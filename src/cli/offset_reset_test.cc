#include "cli/offset_reset.h"

#include <gtest/gtest.h>

namespace sluice::cli {
namespace {

using kind = reset_target::kind;

// A partition whose log holds offsets [10, 50).
const partition_info trimmed{.id = 0, .leader = 0, .low = 10, .high = 50};
const partition_info empty{.id = 1, .leader = 0, .low = 0, .high = 0};

TEST(OffsetReset, EarliestAndLatestAreTheWatermarks) {
  EXPECT_EQ(resolve_target({kind::earliest, 0}, trimmed, -1), 10);
  EXPECT_EQ(resolve_target({kind::latest, 0}, trimmed, -1), 50);
  EXPECT_EQ(resolve_target({kind::earliest, 0}, empty, -1), 0);
  EXPECT_EQ(resolve_target({kind::latest, 0}, empty, -1), 0);
}

TEST(OffsetReset, OffsetInsideTheLogIsKept) {
  EXPECT_EQ(resolve_target({kind::offset, 10}, trimmed, -1), 10);
  EXPECT_EQ(resolve_target({kind::offset, 33}, trimmed, -1), 33);
  EXPECT_EQ(resolve_target({kind::offset, 50}, trimmed, -1), 50);
}

TEST(OffsetReset, OffsetOutsideTheLogMovesToTheNearerEnd) {
  EXPECT_EQ(resolve_target({kind::offset, 0}, trimmed, -1), 10);
  EXPECT_EQ(resolve_target({kind::offset, 51}, trimmed, -1), 50);
  EXPECT_EQ(resolve_target({kind::offset, 7}, empty, -1), 0);
}

TEST(OffsetReset, DatetimeTakesTheOffsetFoundOrTheLogEnd) {
  EXPECT_EQ(resolve_target({kind::datetime, 1700000000000}, trimmed, 42), 42);
  EXPECT_EQ(resolve_target({kind::datetime, 1700000000000}, trimmed, -1), 50);
  EXPECT_EQ(resolve_target({kind::datetime, 1700000000000}, empty, -1), 0);
}

}  // namespace
}  // namespace sluice::cli
