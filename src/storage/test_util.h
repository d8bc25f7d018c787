// storage/test_util.h — helpers shared by the storage tests: temporary
// directories, record batches built as a producer would, and the byte-level
// file surgery the recovery tests use to fake torn writes and bit rot.
#pragma once

#include <gtest/gtest.h>
#include <stdlib.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <memory>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <vector>

#include "base/result.h"
#include "io/fault_injection_file_system.h"
#include "io/file.h"
#include "model/compression.h"
#include "model/record_batch.h"
#include "model/record_batch_builder.h"
#include "storage/log_config.h"
#include "storage/partition_log.h"

namespace sluice::storage::test {

using byte_vector = std::vector<std::byte>;

// Unwraps a result or throws; GoogleTest reports the exception, with the
// error's description, as a failure of the test that needed the value.
template <typename T>
T must(result<T> r) {
  if (!r) throw std::runtime_error(r.error().describe());
  if constexpr (!std::is_void_v<T>) return std::move(r).value();
}

// A fresh directory under /tmp, removed with everything in it when destroyed.
class temp_dir {
 public:
  temp_dir() {
    std::string pattern = "/tmp/sluice-storage-test-XXXXXX";
    if (::mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
    path_ = pattern;
  }
  ~temp_dir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  temp_dir(const temp_dir&) = delete;
  temp_dir& operator=(const temp_dir&) = delete;

  const std::string& path() const { return path_; }
  std::string operator/(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

// A batch with one record per timestamp. Every value is unique across the
// test binary, so batches never compare equal by accident.
inline byte_vector make_batch_with_timestamps(const std::vector<std::int64_t>& timestamps,
                                              std::size_t value_size = 16) {
  static std::atomic<int> serial{0};  // appender threads build batches concurrently
  model::record_batch_builder builder;
  for (auto timestamp : timestamps) {
    std::string value = "value-" + std::to_string(serial++);
    value.resize(std::max(value.size(), value_size), '.');
    builder.add("key", value, timestamp);  // the builder copies the bytes
  }
  return builder.build();
}

// A batch of `records` records all stamped `timestamp`.
inline byte_vector make_batch(int records = 1, std::int64_t timestamp = 1000, std::size_t value_size = 16) {
  return make_batch_with_timestamps(std::vector<std::int64_t>(static_cast<std::size_t>(records), timestamp),
                                    value_size);
}

// The same batch with its records section compressed by `codec`, as a
// producer would send it: codec bits set, batch_length and CRC recomputed.
inline byte_vector compress_batch(const byte_vector& batch, model::compression codec) {
  auto records = bytes_view(batch).subspan(model::batch_header_size);
  auto compressed = must(model::compress(codec, records));
  byte_vector out(model::batch_header_size + compressed.size());
  std::copy_n(batch.begin(), model::batch_header_size, out.begin());
  std::copy(compressed.begin(), compressed.end(), out.begin() + model::batch_header_size);
  store_be<std::int32_t>(out.data() + model::batch_length_offset,
                         static_cast<std::int32_t>(out.size() - model::batch_log_overhead));
  auto attributes = load_be<std::int16_t>(out.data() + model::batch_attributes_offset);
  store_be<std::int16_t>(out.data() + model::batch_attributes_offset,
                         static_cast<std::int16_t>((attributes & ~0x07) | static_cast<int>(codec)));
  store_be<std::uint32_t>(out.data() + model::batch_crc_offset, model::compute_crc(out));
  return out;
}

inline byte_vector concat(std::initializer_list<byte_vector> parts) {
  byte_vector out;
  for (const auto& part : parts) out.insert(out.end(), part.begin(), part.end());
  return out;
}

// The headers of back-to-back batches (a read result), each validated.
inline std::vector<model::batch_header> headers_of(bytes_view batches) {
  std::vector<model::batch_header> out;
  for (auto view : must(model::split_batches(batches))) out.push_back(must(model::validate_batch(view)));
  return out;
}

inline std::vector<std::int64_t> base_offsets_of(bytes_view batches) {
  std::vector<std::int64_t> out;
  for (const auto& h : headers_of(batches)) out.push_back(h.base_offset);
  return out;
}

// "[0, 3, 5] (412 bytes)", or what is wrong with the bytes, for failure messages.
inline std::string describe_batches(bytes_view batches) {
  auto views = model::split_batches(batches);
  if (!views) return "unparsable (" + views.error().describe() + ")";
  std::string out = "[";
  for (auto view : *views) {
    if (out.size() > 1) out += ", ";
    out += std::to_string(load_be<std::int64_t>(view.data()));
  }
  return out + "] (" + std::to_string(batches.size()) + " bytes)";
}

// EXPECT_TRUE(same_bytes(actual, expected)): equality that, on failure, says
// which batches each side holds and where they first differ, instead of
// printing thousands of bytes.
inline ::testing::AssertionResult same_bytes(bytes_view actual, bytes_view expected) {
  if (std::equal(actual.begin(), actual.end(), expected.begin(), expected.end()))
    return ::testing::AssertionSuccess();
  auto mismatch = std::mismatch(actual.begin(), actual.end(), expected.begin(), expected.end());
  return ::testing::AssertionFailure()
         << "got batches " << describe_batches(actual) << ", expected " << describe_batches(expected)
         << "; first difference at byte " << (mismatch.first - actual.begin());
}

struct record_stamp {
  std::int64_t offset;
  std::int64_t timestamp;
};

// Offset and timestamp of every record of uncompressed back-to-back batches.
inline std::vector<record_stamp> records_of(bytes_view batches) {
  std::vector<record_stamp> out;
  for (auto view : must(model::split_batches(batches))) {
    auto h = must(model::decode_header(view));
    must(model::for_each_record(h, view.subspan(model::batch_header_size), [&](const model::record_view& r) {
      out.push_back({r.offset, r.timestamp});
      return true;
    }));
  }
  return out;
}

// The answer offset_for_timestamp owes: the first record, in offset order,
// at or after `from` with a timestamp of at least `timestamp`.
inline std::optional<std::int64_t> first_record_at_or_after(const std::vector<record_stamp>& records,
                                                            std::int64_t timestamp, std::int64_t from = 0) {
  for (const auto& r : records)
    if (r.offset >= from && r.timestamp >= timestamp) return r.offset;
  return std::nullopt;
}

// A config for tests: no rolls by age, no retention, so each test turns on
// only what it exercises.
inline log_config test_config() {
  log_config config;
  config.segment_ms = no_limit;
  config.retention_ms = -1;
  return config;
}

inline std::unique_ptr<partition_log> open_log(const std::string& dir,
                                               const log_config& config = test_config(), bool clean = false,
                                               io::file_system& fs = io::file_system::posix()) {
  return must(partition_log::open(fs, dir, config, clean));
}

// Appends one batch (assigning its offsets in place) and returns it as stored.
inline byte_vector append_batch(partition_log& log, byte_vector batch) {
  must(log.append(batch));
  return batch;
}

// Every batch from the log start to the end, following offsets across segments.
inline byte_vector read_all(const partition_log& log) {
  byte_vector out;
  auto offset = log.log_start_offset();
  while (offset < log.end_offset()) {
    auto read = must(log.read(offset, 1 << 20));
    auto headers = headers_of(read.batches);
    if (headers.empty()) throw std::runtime_error("empty read below the end offset");
    out.insert(out.end(), read.batches.begin(), read.batches.end());
    offset = headers.back().next_offset();
  }
  return out;
}

inline std::string segment_file(const std::string& dir, std::int64_t base_offset, const char* extension) {
  char name[40];
  std::snprintf(name, sizeof name, "%020lld%s", static_cast<long long>(base_offset), extension);
  return dir + "/" + name;
}

inline std::uint64_t file_size(const std::string& path) { return std::filesystem::file_size(path); }

inline byte_vector read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::vector<char> raw((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  byte_vector out(raw.size());
  std::memcpy(out.data(), raw.data(), raw.size());
  return out;
}

inline void write_file(const std::string& path, bytes_view contents, bool append = false) {
  std::ofstream out(path, std::ios::binary | (append ? std::ios::app : std::ios::trunc));
  out.write(reinterpret_cast<const char*>(contents.data()), static_cast<std::streamsize>(contents.size()));
  if (!out) throw std::runtime_error("cannot write " + path);
}

inline void flip_byte(const std::string& path, std::uint64_t position) {
  auto contents = read_file(path);
  contents.at(position) ^= std::byte{0x5a};
  write_file(path, contents);
}

inline void truncate_file(const std::string& path, std::uint64_t size) {
  std::filesystem::resize_file(path, size);
}

// Deterministic bytes that are not a record batch.
inline byte_vector garbage(std::size_t size, std::uint32_t seed = 7) {
  byte_vector out(size);
  for (auto& b : out) {
    seed = seed * 1664525u + 1013904223u;
    b = static_cast<std::byte>(seed >> 24);
  }
  return out;
}

}  // namespace sluice::storage::test
