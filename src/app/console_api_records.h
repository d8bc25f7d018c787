// app/console_api_records.h — records out of partition logs for the console's message browser and
// trace: bounded scans (forward from an offset, or over the newest offsets), an optional key or
// header filter, merging partitions into one time order, and the records' JSON.
//
// Invariants: a scan reads at most `scan_limit` offsets of one partition and keeps at most `limit`
// records; every kept payload byte is charged to a shared byte_budget, so one request holds a
// bounded amount of memory however large the records are.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/result.h"

namespace sluice::storage {
class partition_log;
}

namespace sluice::app::console {

// Only records with this key (exact bytes), or with a header NAME whose value is exactly V.
struct record_filter {
  std::optional<std::string> key;
  std::optional<std::pair<std::string, std::string>> header;
};

struct found_record {
  std::string topic;
  std::int32_t partition = 0;
  std::int64_t offset = 0;
  std::int64_t timestamp = 0;
  std::optional<std::string> key;
  std::optional<std::string> value;
  std::vector<std::pair<std::string, std::optional<std::string>>> headers;
};

// Payload bytes (keys, values, headers) a request may keep; a scan stops when it runs out.
struct byte_budget {
  std::size_t left;
  bool exhausted = false;
};

struct scan_bounds {
  std::size_t limit;        // records kept
  std::int64_t scan_limit;  // offsets read
};

// Gives back what `records` were charged (the caller drops them).
void refund(byte_budget& budget, const std::vector<found_record>& records);

// The first `limit` matching records at or after `from` (clamped to the log start).
result<std::vector<found_record>> scan_forward(const storage::partition_log& log, const std::string& topic,
                                               std::int32_t partition, std::int64_t from,
                                               const record_filter& filter, scan_bounds bounds,
                                               byte_budget& budget);

// The last `limit` matching records among the newest `scan_limit` offsets, in offset order.
result<std::vector<found_record>> scan_latest(const storage::partition_log& log, const std::string& topic,
                                              std::int32_t partition, const record_filter& filter,
                                              scan_bounds bounds, byte_budget& budget);

// One sequence of at most `limit` records in time order (timestamp, then topic, partition, offset),
// each partition's records kept in offset order: oldest first or newest first. Each input is one
// partition's records in offset order.
std::vector<found_record> merge_oldest_first(std::vector<std::vector<found_record>> parts, std::size_t limit);
std::vector<found_record> merge_newest_first(std::vector<std::vector<found_record>> parts, std::size_t limit);

// {"topic"?, "partition", "offset", "timestamp", "key", "headers": [{"key","value"}], "value",
// "encoding"}: "text" when the key, value and header values are all UTF-8, else "base64" for all.
void append_record_json(std::string& out, const found_record& r, bool with_topic);

std::string base64(std::string_view bytes);
bool valid_utf8(std::string_view bytes);

}  // namespace sluice::app::console
