#include "storage/record_reader.h"

#include <gtest/gtest.h>

#include "storage/test_util.h"

namespace sluice::storage {
namespace {

using namespace test;

std::vector<std::int64_t> offsets_from(const partition_log& log, std::int64_t offset, std::size_t max_bytes,
                                       std::int64_t* next = nullptr, int stop_after = -1) {
  std::vector<std::int64_t> seen;
  auto result = must(read_records(log, offset, max_bytes, [&](const model::record_view& r) {
    seen.push_back(r.offset);
    return static_cast<int>(seen.size()) != stop_after;
  }));
  if (next) *next = result;
  return seen;
}

TEST(RecordReader, StartsInsideABatchAndContinuesAfterIt) {
  temp_dir dir;
  auto log = open_log(dir.path());
  append_batch(*log, make_batch(3));
  append_batch(*log, make_batch(2));
  std::int64_t next = 0;
  EXPECT_EQ(offsets_from(*log, 1, 1 << 20, &next), (std::vector<std::int64_t>{1, 2, 3, 4}));
  EXPECT_EQ(next, 5);
  EXPECT_TRUE(offsets_from(*log, 5, 1 << 20, &next).empty());
  EXPECT_EQ(next, 5);
}

TEST(RecordReader, StoppingEarlyResumesAtTheNextRecord) {
  temp_dir dir;
  auto log = open_log(dir.path());
  append_batch(*log, make_batch(4));
  std::int64_t next = 0;
  EXPECT_EQ(offsets_from(*log, 0, 1 << 20, &next, 2), (std::vector<std::int64_t>{0, 1}));
  EXPECT_EQ(next, 2);
  EXPECT_EQ(offsets_from(*log, next, 1 << 20), (std::vector<std::int64_t>{2, 3}));
}

TEST(RecordReader, DecompressesEveryCodec) {
  temp_dir dir;
  auto log = open_log(dir.path());
  for (auto codec : {model::compression::gzip, model::compression::snappy, model::compression::lz4,
                     model::compression::zstd}) {
    append_batch(*log, compress_batch(make_batch(2), codec));
  }
  EXPECT_EQ(offsets_from(*log, 0, 1 << 20).size(), 8U);
}

TEST(RecordReader, OutsideTheLogIsOffsetOutOfRange) {
  temp_dir dir;
  auto log = open_log(dir.path());
  append_batch(*log, make_batch(1));
  auto result = read_records(*log, 7, 1 << 20, [](const model::record_view&) { return true; });
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().code, errc::offset_out_of_range);
}

}  // namespace
}  // namespace sluice::storage
