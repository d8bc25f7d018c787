// model/record_batch.h — Kafka record batch v2, the unit Sluice stores and
// serves. The on-disk log format is exactly this wire format (docs/storage-format.md).
//
//   base_offset            int64   0   assigned by the log, outside the CRC
//   batch_length           int32   8   bytes after this field
//   partition_leader_epoch int32  12
//   magic                  int8   16   always 2
//   crc                    uint32 17   CRC-32C of bytes [21, end)
//   attributes             int16  21   compression:3 timestamp_type:1 transactional:1 control:1
//   last_offset_delta      int32  23
//   base_timestamp         int64  27
//   max_timestamp          int64  35
//   producer_id            int64  43
//   producer_epoch         int16  51
//   base_sequence          int32  53
//   records_count          int32  57
//   records                       61   possibly compressed
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string_view>
#include <vector>

#include "base/bytes.h"
#include "base/result.h"

namespace sluice::model {

inline constexpr std::size_t batch_header_size = 61;
inline constexpr std::size_t batch_length_offset = 8;
inline constexpr std::size_t batch_log_overhead = 12;  // base_offset + batch_length
inline constexpr std::size_t batch_crc_offset = 17;
inline constexpr std::size_t batch_crc_covered_from = 21;
inline constexpr std::size_t batch_attributes_offset = 21;
inline constexpr std::size_t batch_max_timestamp_offset = 35;
inline constexpr std::int8_t current_magic = 2;

enum class compression : std::uint8_t { none = 0, gzip = 1, snappy = 2, lz4 = 3, zstd = 4 };

struct batch_header {
  std::int64_t base_offset;
  std::int32_t batch_length;
  std::int32_t partition_leader_epoch;
  std::int8_t magic;
  std::uint32_t crc;
  std::int16_t attributes;
  std::int32_t last_offset_delta;
  std::int64_t base_timestamp;
  std::int64_t max_timestamp;
  std::int64_t producer_id;
  std::int16_t producer_epoch;
  std::int32_t base_sequence;
  std::int32_t records_count;

  std::size_t size_bytes() const { return static_cast<std::size_t>(batch_length) + batch_log_overhead; }
  std::int64_t last_offset() const { return base_offset + last_offset_delta; }
  std::int64_t next_offset() const { return last_offset() + 1; }
  compression codec() const { return static_cast<compression>(attributes & 0x07); }
  bool log_append_time() const { return (attributes & 0x08) != 0; }
  bool is_transactional() const { return (attributes & 0x10) != 0; }
  bool is_control() const { return (attributes & 0x20) != 0; }
};

// Decodes the fixed header. Checks only that the bytes are long enough to
// hold it; says nothing of the CRC or the payload.
result<batch_header> decode_header(bytes_view bytes);

// Checks one whole batch: header fields in range, batch_length equal to the
// bytes given, magic 2, CRC-32C. Fails with corrupt_batch (framing, CRC) or
// invalid_record (well framed but not acceptable).
result<batch_header> validate_batch(bytes_view batch);

// How much split_batches checks: everything validate_batch does, or (for bytes a segment read has
// just validated, such as partition_log::read's) only that the lengths frame whole batches.
enum class batch_check : std::uint8_t { full, framing };

// Splits back-to-back batches, checking each. `bytes` must hold whole batches.
result<std::vector<bytes_view>> split_batches(bytes_view bytes, batch_check check = batch_check::full);

std::uint32_t compute_crc(bytes_view batch);

// Rewrites base_offset in place. The CRC does not cover it, so stays valid.
void set_base_offset(mutable_bytes batch, std::int64_t base_offset);

// One record of a batch, with offsets and timestamps made absolute.
struct record_view {
  std::int64_t offset;
  std::int64_t timestamp;
  std::optional<bytes_view> key;    // nullopt for a null key
  std::optional<bytes_view> value;  // nullopt for a null value (a tombstone)
  struct header {
    std::string_view key;
    std::optional<bytes_view> value;
  };
  std::vector<header> headers;
};

// Calls `visit` for each record of an uncompressed records section (the bytes
// after the header, or a decompressed payload). Stops early when visit
// returns false. Fails with invalid_record on malformed records.
result<void> for_each_record(const batch_header& header, bytes_view records,
                             const std::function<bool(const record_view&)>& visit);

}  // namespace sluice::model
