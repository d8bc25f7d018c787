#include "storage/log_cleaner.h"

#include <spdlog/spdlog.h>

#include <charconv>
#include <functional>
#include <string_view>

#include "model/compression.h"
#include "model/record_filter.h"
#include "storage/properties_file.h"

namespace sluice::storage {
namespace {

constexpr std::size_t read_chunk = 1 << 20;
constexpr std::size_t write_chunk = 1 << 20;

// Calls `visit` with every batch of `seg` that ends at or after `from` and starts below `end_offset`.
result<void> for_each_batch(
    const segment& seg, std::int64_t from, std::int64_t end_offset,
    const std::function<result<void>(const model::batch_header&, bytes_view)>& visit) {
  std::int64_t at = std::max(from, seg.base_offset());
  while (at < end_offset) {
    SLUICE_ASSIGN_OR_RETURN(auto bytes, seg.read(at, read_chunk, end_offset, seg.size()));
    if (bytes.empty()) return {};
    SLUICE_ASSIGN_OR_RETURN(auto batches, model::split_batches(bytes, model::batch_check::framing));
    for (auto batch : batches) {
      SLUICE_ASSIGN_OR_RETURN(auto h, model::decode_header(batch));
      if (h.next_offset() <= at) continue;
      SLUICE_RETURN_IF_ERROR(visit(h, batch));
      at = h.next_offset();
    }
  }
  return {};
}

// The records of one batch, decompressed.
result<void> for_each_record_of(const model::batch_header& h, bytes_view batch,
                                const std::function<bool(const model::record_view&)>& visit) {
  if (h.is_control()) return {};
  auto payload = batch.subspan(model::batch_header_size);
  std::vector<std::byte> decompressed;
  if (h.codec() != model::compression::none) {
    SLUICE_ASSIGN_OR_RETURN(decompressed, model::decompress(h.codec(), payload));
    payload = decompressed;
  }
  return model::for_each_record(h, payload, visit);
}

std::string cleaned_key(std::int64_t base) { return "segment." + std::to_string(base) + ".cleaned.ms"; }
std::string tombstones_key(std::int64_t base) { return "segment." + std::to_string(base) + ".tombstones"; }

// Buffers a new segment file's bytes and writes them in large chunks.
class segment_writer {
 public:
  explicit segment_writer(io::file& f) : file_(f) {}
  result<void> add(bytes_view batch) {
    buffer_.insert(buffer_.end(), batch.begin(), batch.end());
    return buffer_.size() >= write_chunk ? flush() : result<void>{};
  }
  result<void> flush() {
    if (buffer_.empty()) return {};
    SLUICE_RETURN_IF_ERROR(file_.write_at(buffer_, written_));
    written_ += buffer_.size();
    buffer_.clear();
    return {};
  }
  std::uint64_t written() const { return written_ + buffer_.size(); }

 private:
  io::file& file_;
  std::vector<std::byte> buffer_;
  std::uint64_t written_ = 0;
};

}  // namespace

key_digest digest_of(bytes_view key) {
  // Two independent 64-bit hashes: FNV-1a and the standard library's (Murmur-based) string hash.
  std::uint64_t fnv = 14695981039346656037ull;
  for (auto b : key) fnv = (fnv ^ static_cast<std::uint8_t>(b)) * 1099511628211ull;
  std::string_view text(reinterpret_cast<const char*>(key.data()), key.size());
  return {fnv, static_cast<std::uint64_t>(std::hash<std::string_view>{}(text))};
}

bool offset_map::put(const key_digest& key, std::int64_t offset) {
  auto it = offsets_.find(key);
  if (it != offsets_.end()) {
    it->second = std::max(it->second, offset);
    return true;
  }
  if (offsets_.size() >= max_entries_) return false;
  offsets_.emplace(key, offset);
  return true;
}

std::optional<std::int64_t> offset_map::latest(const key_digest& key) const {
  auto it = offsets_.find(key);
  return it == offsets_.end() ? std::nullopt : std::optional(it->second);
}

result<cleaned_segments> load_cleaned_segments(io::file_system& fs, const std::string& dir) {
  cleaned_segments out;
  auto path = dir + "/" + cleaner_state_file;
  if (!fs.exists(path)) return out;
  SLUICE_ASSIGN_OR_RETURN(auto props, read_properties(fs, path));
  for (const auto& [key, value] : props) {
    if (!key.starts_with("segment.") || !key.ends_with(".cleaned.ms")) continue;
    std::int64_t base = 0;
    auto digits = std::string_view(key).substr(8, key.size() - 8 - 11);
    auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), base);
    if (ec != std::errc{} || end != digits.data() + digits.size())
      return fail(errc::corruption, path + ": bad key " + key);
    SLUICE_ASSIGN_OR_RETURN(auto cleaned_ms, get_int(props, key));
    out[base] = {cleaned_ms, props.contains(tombstones_key(base))};
  }
  return out;
}

result<void> save_cleaned_segments(io::file_system& fs, const std::string& dir,
                                   const cleaned_segments& state) {
  properties props;
  for (const auto& [base, cleaned] : state) {
    props[cleaned_key(base)] = std::to_string(cleaned.first_cleaned_ms);
    if (cleaned.has_tombstones) props[tombstones_key(base)] = "1";
  }
  return write_properties(fs, dir + "/" + cleaner_state_file, "sluice cleaned segments v1", props);
}

bool needs_cleaning(const log_config& config, const std::vector<cleanable_segment>& cleanable,
                    const cleaned_segments& state, std::int64_t now_ms) {
  std::uint64_t total = 0;
  std::uint64_t dirty = 0;
  bool overdue = false;
  bool tombstones_due = false;
  for (const auto& c : cleanable) {
    total += c.seg->size();
    auto it = state.find(c.seg->base_offset());
    if (it == state.end()) {
      dirty += c.seg->size();
      // Measured by the segment's newest record: once it is older, every record in it is.
      bool lag_bounded = config.max_compaction_lag_ms != no_limit && c.max_timestamp >= 0;
      overdue = overdue || (lag_bounded && c.max_timestamp < now_ms - config.max_compaction_lag_ms);
    } else if (it->second.has_tombstones) {
      tombstones_due = tombstones_due || now_ms - it->second.first_cleaned_ms >= config.delete_retention_ms;
    }
  }
  bool ratio_reached = dirty > 0 && static_cast<double>(dirty) / static_cast<double>(total) >=
                                        config.min_cleanable_dirty_ratio;
  return ratio_reached || overdue || tombstones_due;
}

result<std::int64_t> build_offset_map(const std::vector<std::shared_ptr<segment>>& segments,
                                      std::int64_t from, std::int64_t end_offset, offset_map& map) {
  for (const auto& seg : segments) {
    if (seg->next_offset() <= from) continue;
    bool full = false;
    SLUICE_RETURN_IF_ERROR(for_each_batch(
        *seg, from, end_offset, [&](const model::batch_header& h, bytes_view batch) -> result<void> {
          return for_each_record_of(h, batch, [&](const model::record_view& r) {
            if (r.key && r.offset >= from) full = !map.put(digest_of(*r.key), r.offset);
            return !full;
          });
        }));
    if (full) {
      spdlog::warn("segment {}: offset map full at {} keys; cleaning stops below it", seg->log_path(),
                   map.size());
      return seg->base_offset();
    }
  }
  return end_offset;
}

std::vector<std::vector<std::shared_ptr<segment>>> group_segments(
    const std::vector<std::shared_ptr<segment>>& segments, std::int64_t max_bytes) {
  constexpr std::int64_t max_relative_offset = 2147483647;
  std::vector<std::vector<std::shared_ptr<segment>>> groups;
  std::uint64_t bytes = 0;
  for (const auto& seg : segments) {
    bool fits = !groups.empty() && bytes + seg->size() <= static_cast<std::uint64_t>(max_bytes) &&
                seg->next_offset() - 1 - groups.back().front()->base_offset() <= max_relative_offset;
    if (!fits) {
      groups.emplace_back();
      bytes = 0;
    }
    groups.back().push_back(seg);
    bytes += seg->size();
  }
  return groups;
}

result<cleaned_file> write_cleaned_segment(io::file_system& fs,
                                           const std::vector<std::shared_ptr<segment>>& group,
                                           const segment_filter& filter, const std::string& path) {
  if (fs.exists(path)) SLUICE_RETURN_IF_ERROR(fs.remove(path));  // a failed earlier attempt
  SLUICE_ASSIGN_OR_RETURN(auto file, fs.open(path, io::open_mode::create_exclusive));
  segment_writer out(*file);
  // Merging segments changes the files even when no record goes.
  cleaned_file result_info{group.size() > 1, false, 0, 0};
  bool drop_tombstones = false;
  auto keep = [&](const model::record_view& r) {
    std::optional<std::int64_t> latest = r.key ? filter.map->latest(digest_of(*r.key)) : std::nullopt;
    bool superseded = !r.key || (latest && *latest > r.offset);
    bool tombstone = !r.value;
    if (superseded || (tombstone && drop_tombstones)) {
      ++result_info.records_dropped;
      return false;
    }
    result_info.has_tombstones = result_info.has_tombstones || tombstone;
    return true;
  };
  auto filter_one = [&](const model::batch_header& h, bytes_view batch) -> result<void> {
    auto last = filter.last_batch_of_producer->find(h.producer_id);
    bool producers_last = last != filter.last_batch_of_producer->end() && last->second == h.base_offset;
    SLUICE_ASSIGN_OR_RETURN(auto filtered, model::filter_batch(batch, keep, producers_last));
    if (filtered.outcome == model::filter_outcome::unchanged) return out.add(batch);
    result_info.changed = true;
    if (filtered.outcome == model::filter_outcome::removed) return {};
    return out.add(filtered.bytes);
  };
  for (const auto& seg : group) {
    drop_tombstones = filter.expired_tombstones->contains(seg->base_offset());
    SLUICE_RETURN_IF_ERROR(for_each_batch(*seg, seg->base_offset(), seg->next_offset(), filter_one));
  }
  SLUICE_RETURN_IF_ERROR(out.flush());
  result_info.bytes = out.written();
  if (!result_info.changed) {
    file.reset();
    SLUICE_RETURN_IF_ERROR(fs.remove(path));
    return result_info;
  }
  SLUICE_RETURN_IF_ERROR(file->sync());
  return result_info;
}

}  // namespace sluice::storage
