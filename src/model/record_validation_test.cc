#include "model/record_validation.h"

#include <gtest/gtest.h>

#include "model/compression.h"
#include "model/record_batch_builder.h"

namespace sluice::model {
namespace {

std::vector<std::byte> three_records() {
  return record_batch_builder().add("a", "1", 10).add("b", "2", 11).add(std::nullopt, "3", 12).build();
}

void refresh_crc(std::vector<std::byte>& batch) {
  store_be<std::uint32_t>(batch.data() + 17, compute_crc(batch));
}

// Why validate_records refuses `batch`; nullopt when it accepts it.
std::optional<errc> rejection(const std::vector<std::byte>& batch) {
  auto header = validate_batch(batch);
  EXPECT_TRUE(header) << header.error().describe();
  auto checked = validate_records(*header, batch);
  if (checked) return std::nullopt;
  return checked.error().code;
}

TEST(RecordValidation, WellFormedBatchIsAccepted) { EXPECT_EQ(rejection(three_records()), std::nullopt); }

TEST(RecordValidation, LastOffsetDeltaMustMatchTheRecordCount) {
  auto batch = three_records();
  store_be<std::int32_t>(batch.data() + 23, 5);
  refresh_crc(batch);
  EXPECT_EQ(rejection(batch), errc::invalid_record);
}

TEST(RecordValidation, RecordCountLargerThanTheRecordsIsInvalid) {
  auto batch = three_records();
  store_be<std::int32_t>(batch.data() + 57, 4);
  store_be<std::int32_t>(batch.data() + 23, 3);
  refresh_crc(batch);
  EXPECT_EQ(rejection(batch), errc::invalid_record);
}

TEST(RecordValidation, GarbageInsideAWellChecksummedBatchIsInvalid) {
  auto batch = three_records();
  batch[batch_header_size] = std::byte{0x7F};  // the first record's length varint
  refresh_crc(batch);
  EXPECT_EQ(rejection(batch), errc::invalid_record);
}

TEST(RecordValidation, EmptyAndControlBatchesAreRefused) {
  EXPECT_EQ(rejection(record_batch_builder().build()), errc::invalid_record);
  auto control = three_records();
  store_be<std::int16_t>(control.data() + 21, 0x20);
  refresh_crc(control);
  EXPECT_EQ(rejection(control), errc::invalid_record);
}

TEST(RecordValidation, CompressedRecordsAreCheckedAfterDecompression) {
  auto plain = three_records();
  auto records = bytes_view(plain).subspan(batch_header_size);
  for (auto codec : {compression::gzip, compression::snappy, compression::lz4, compression::zstd}) {
    auto packed = compress(codec, records).value();
    std::vector<std::byte> batch(plain.begin(), plain.begin() + batch_header_size);
    batch.insert(batch.end(), packed.begin(), packed.end());
    store_be<std::int32_t>(batch.data() + 8, static_cast<std::int32_t>(batch.size() - batch_log_overhead));
    store_be<std::int16_t>(batch.data() + 21, static_cast<std::int16_t>(codec));
    refresh_crc(batch);
    EXPECT_EQ(rejection(batch), std::nullopt) << compression_name(codec);
    // The same payload claiming a fourth record no longer adds up.
    store_be<std::int32_t>(batch.data() + 57, 4);
    store_be<std::int32_t>(batch.data() + 23, 3);
    refresh_crc(batch);
    EXPECT_EQ(rejection(batch), errc::invalid_record) << compression_name(codec);
  }
}

}  // namespace
}  // namespace sluice::model
