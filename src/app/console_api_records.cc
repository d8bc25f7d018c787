// app/console_api_records.cc — bounded record scans over partition logs (storage::read_records, which
// decompresses batches and skips control records), the time-order merge, and the records' JSON.
#include "app/console_api_records.h"

#include <fmt/format.h>

#include <algorithm>
#include <deque>
#include <functional>
#include <tuple>

#include "base/json_string.h"
#include "storage/partition_log.h"
#include "storage/record_reader.h"

namespace sluice::app::console {
namespace {

constexpr std::size_t read_chunk_bytes = 1 << 20;

std::string text_of(bytes_view bytes) { return {reinterpret_cast<const char*>(bytes.data()), bytes.size()}; }

std::optional<std::string> text_of(const std::optional<bytes_view>& bytes) {
  if (!bytes) return std::nullopt;
  return text_of(*bytes);
}

bool same_bytes(bytes_view bytes, std::string_view text) {
  return bytes.size() == text.size() &&
         std::equal(text.begin(), text.end(), bytes.begin(),
                    [](char c, std::byte b) { return static_cast<std::byte>(c) == b; });
}

bool matches(const model::record_view& r, const record_filter& filter) {
  if (filter.key && (!r.key || !same_bytes(*r.key, *filter.key))) return false;
  if (filter.header) {
    return std::any_of(r.headers.begin(), r.headers.end(), [&](const model::record_view::header& h) {
      return h.key == filter.header->first && h.value && same_bytes(*h.value, filter.header->second);
    });
  }
  return true;
}

found_record copy_record(const model::record_view& r, const std::string& topic, std::int32_t partition) {
  found_record out{.topic = topic,
                   .partition = partition,
                   .offset = r.offset,
                   .timestamp = r.timestamp,
                   .key = text_of(r.key),
                   .value = text_of(r.value),
                   .headers = {}};
  for (const auto& h : r.headers) out.headers.emplace_back(std::string(h.key), text_of(h.value));
  return out;
}

std::size_t payload_bytes(const found_record& r) {
  std::size_t n = (r.key ? r.key->size() : 0) + (r.value ? r.value->size() : 0);
  for (const auto& [k, v] : r.headers) n += k.size() + (v ? v->size() : 0);
  return n;
}

// Visits the records in [from, until), from the log start if `from` is before it (retention may move
// it while we read). `visit` returns false to stop.
result<void> visit_range(const storage::partition_log& log, std::int64_t from, std::int64_t until,
                         const std::function<bool(const model::record_view&)>& visit) {
  std::int64_t pos = std::max(from, log.log_start_offset());
  while (pos < until) {
    bool stopped = false;
    auto next = storage::read_records(log, pos, read_chunk_bytes, [&](const model::record_view& r) {
      stopped = r.offset >= until || !visit(r);
      return !stopped;
    });
    if (!next) {
      if (next.error().code != errc::offset_out_of_range || pos >= log.log_start_offset())
        return tl::unexpected(next.error());
      pos = log.log_start_offset();
      continue;
    }
    if (stopped || *next <= pos) break;
    pos = *next;
  }
  return {};
}

using order_key = std::tuple<std::int64_t, const std::string&, std::int32_t, std::int64_t>;
order_key order_of(const found_record& r) { return {r.timestamp, r.topic, r.partition, r.offset}; }

}  // namespace

void refund(byte_budget& budget, const std::vector<found_record>& records) {
  for (const auto& r : records) budget.left += payload_bytes(r);
}

result<std::vector<found_record>> scan_forward(const storage::partition_log& log, const std::string& topic,
                                               std::int32_t partition, std::int64_t from,
                                               const record_filter& filter, scan_bounds bounds,
                                               byte_budget& budget) {
  std::vector<found_record> out;
  std::int64_t end = log.end_offset();
  std::int64_t start = std::max(from, log.log_start_offset());
  std::int64_t until = end - start > bounds.scan_limit ? start + bounds.scan_limit : end;
  auto visited = visit_range(log, start, until, [&](const model::record_view& r) {
    if (!matches(r, filter)) return true;
    found_record kept = copy_record(r, topic, partition);
    std::size_t size = payload_bytes(kept);
    if (size > budget.left) {
      budget.exhausted = true;
      return false;
    }
    budget.left -= size;
    out.push_back(std::move(kept));
    return out.size() < bounds.limit;
  });
  if (!visited) return tl::unexpected(visited.error());
  return out;
}

result<std::vector<found_record>> scan_latest(const storage::partition_log& log, const std::string& topic,
                                              std::int32_t partition, const record_filter& filter,
                                              scan_bounds bounds, byte_budget& budget) {
  std::deque<found_record> kept;
  std::int64_t end = log.end_offset();
  std::int64_t start = std::max(log.log_start_offset(), end - bounds.scan_limit);
  auto visited = visit_range(log, start, end, [&](const model::record_view& r) {
    if (!matches(r, filter) || bounds.limit == 0) return true;
    found_record record = copy_record(r, topic, partition);
    std::size_t size = payload_bytes(record);
    // Newer records displace older ones: the oldest kept go first when the count or the bytes run out.
    while (!kept.empty() && (kept.size() >= bounds.limit || size > budget.left)) {
      budget.left += payload_bytes(kept.front());
      kept.pop_front();
    }
    if (size > budget.left) {
      budget.exhausted = true;
      return true;
    }
    budget.left -= size;
    kept.push_back(std::move(record));
    return true;
  });
  if (!visited) return tl::unexpected(visited.error());
  return std::vector<found_record>(std::make_move_iterator(kept.begin()),
                                   std::make_move_iterator(kept.end()));
}

std::vector<found_record> merge_oldest_first(std::vector<std::vector<found_record>> parts,
                                             std::size_t limit) {
  std::vector<found_record> out;
  std::vector<std::size_t> next(parts.size(), 0);
  while (out.size() < limit) {
    std::size_t best = parts.size();
    for (std::size_t i = 0; i < parts.size(); ++i) {
      if (next[i] == parts[i].size()) continue;
      if (best == parts.size() || order_of(parts[i][next[i]]) < order_of(parts[best][next[best]])) best = i;
    }
    if (best == parts.size()) break;
    out.push_back(std::move(parts[best][next[best]++]));
  }
  return out;
}

std::vector<found_record> merge_newest_first(std::vector<std::vector<found_record>> parts,
                                             std::size_t limit) {
  std::vector<found_record> out;
  std::vector<std::size_t> left(parts.size());
  for (std::size_t i = 0; i < parts.size(); ++i) left[i] = parts[i].size();
  while (out.size() < limit) {
    std::size_t best = parts.size();
    for (std::size_t i = 0; i < parts.size(); ++i) {
      if (left[i] == 0) continue;
      if (best == parts.size() || order_of(parts[best][left[best] - 1]) < order_of(parts[i][left[i] - 1]))
        best = i;
    }
    if (best == parts.size()) break;
    out.push_back(std::move(parts[best][--left[best]]));
  }
  return out;
}

bool valid_utf8(std::string_view bytes) {
  while (!bytes.empty()) {
    std::size_t n = utf8_sequence_length(bytes);
    if (n == 0) return false;
    bytes.remove_prefix(n);
  }
  return true;
}

std::string base64(std::string_view bytes) {
  static constexpr char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  for (std::size_t i = 0; i < bytes.size(); i += 3) {
    std::uint32_t n = static_cast<std::uint32_t>(static_cast<unsigned char>(bytes[i])) << 16;
    if (i + 1 < bytes.size()) n |= static_cast<std::uint32_t>(static_cast<unsigned char>(bytes[i + 1])) << 8;
    if (i + 2 < bytes.size()) n |= static_cast<unsigned char>(bytes[i + 2]);
    out += alphabet[(n >> 18) & 63];
    out += alphabet[(n >> 12) & 63];
    out += i + 1 < bytes.size() ? alphabet[(n >> 6) & 63] : '=';
    out += i + 2 < bytes.size() ? alphabet[n & 63] : '=';
  }
  return out;
}

namespace {

bool all_text(const found_record& r) {
  if (r.key && !valid_utf8(*r.key)) return false;
  if (r.value && !valid_utf8(*r.value)) return false;
  return std::all_of(r.headers.begin(), r.headers.end(),
                     [](const auto& h) { return !h.second || valid_utf8(*h.second); });
}

void append_payload(std::string& out, const std::optional<std::string>& bytes, bool text) {
  if (!bytes) {
    out += "null";
    return;
  }
  append_json_string(out, text ? *bytes : base64(*bytes));
}

}  // namespace

void append_record_json(std::string& out, const found_record& r, bool with_topic) {
  out += '{';
  if (with_topic) {
    out += "\"topic\":";
    append_json_string(out, r.topic);
    out += ',';
  }
  bool text = all_text(r);
  out += fmt::format("\"partition\":{},\"offset\":{},\"timestamp\":{},\"key\":", r.partition, r.offset,
                     r.timestamp);
  append_payload(out, r.key, text);
  out += ",\"headers\":[";
  for (std::size_t i = 0; i < r.headers.size(); ++i) {
    out += i ? ",{\"key\":" : "{\"key\":";
    append_json_string(out, r.headers[i].first);
    out += ",\"value\":";
    append_payload(out, r.headers[i].second, text);
    out += '}';
  }
  out += "],\"value\":";
  append_payload(out, r.value, text);
  out += text ? ",\"encoding\":\"text\"}" : ",\"encoding\":\"base64\"}";
}

}  // namespace sluice::app::console
