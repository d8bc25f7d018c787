// model/record_batch_builder.h — encodes records into one v2 record batch,
// as a Kafka producer would. Used by tests, benchmarks and, later, sinks.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "model/record_batch.h"

namespace sluice::model {

struct producer_identity {
  std::int64_t producer_id = -1;
  std::int16_t producer_epoch = -1;
  std::int32_t base_sequence = -1;
};

class record_batch_builder {
 public:
  explicit record_batch_builder(producer_identity producer = {}) : producer_(producer) {}

  struct header {
    std::string_view key;
    std::optional<std::string_view> value;
  };

  record_batch_builder& add(std::optional<std::string_view> key, std::optional<std::string_view> value,
                            std::int64_t timestamp, const std::vector<header>& headers = {});

  std::size_t record_count() const { return count_; }

  // The finished batch, with base offset 0 and a valid CRC.
  std::vector<std::byte> build() const;

 private:
  producer_identity producer_;
  std::vector<std::byte> records_;
  std::int32_t count_ = 0;
  std::int64_t base_timestamp_ = 0;
  std::int64_t max_timestamp_ = -1;
};

}  // namespace sluice::model
