// partition_log's compaction: one cleaning pass (the steps are in storage/log_cleaner.h), the
// segment swap, and the recovery of a swap a crash interrupted.
//
// Swap protocol for adjacent segments <base>, <b2> … merged into one (docs/storage-format.md):
//   1. write their retained batches to <base>.log.cleaned and fsync it
//   2. list <base> in cleaner.properties (atomic replace): from now on it may have gaps
//   3. rename .cleaned → <base>.log.swap, fsync the directory     ← commit point
//   4. remove <b2> … (log and indexes) and <base>'s indexes, rename .swap → <base>.log, fsync
//   5. open the new segment (indexes rebuilt on first use) in place of the old ones
// At open, a .cleaned file is deleted (the originals stand) and a .swap file finishes step 4,
// removing the later segments whose offsets the swapped data reaches into (Kafka does the same).
// Readers holding the old segment keep reading its open file: its indexes are loaded into memory
// before step 4, so it never touches the new segment's index files.
#include <spdlog/spdlog.h>

#include <algorithm>
#include <charconv>
#include <cstdio>
#include <set>

#include "storage/batch_scanner.h"
#include "storage/partition_log.h"

namespace sluice::storage {
namespace {

constexpr const char* cleaned_suffix = ".log.cleaned";
constexpr const char* swap_suffix = ".log.swap";

// The sealed segments a pass may clean: oldest first, up to the first one holding a record younger
// than min.compaction.lag.ms.
result<std::vector<cleanable_segment>> cleanable_segments(const std::vector<std::shared_ptr<segment>>& all,
                                                          const log_config& config, std::int64_t now_ms) {
  std::vector<cleanable_segment> out;
  for (std::size_t i = 0; i + 1 < all.size(); ++i) {
    SLUICE_ASSIGN_OR_RETURN(auto newest, all[i]->max_timestamp());
    if (config.min_compaction_lag_ms > 0 && newest > now_ms - config.min_compaction_lag_ms) break;
    out.push_back({all[i], newest});
  }
  return out;
}

// "<20 digits><suffix>" → the base offset.
std::optional<std::int64_t> base_of(const std::string& name, const char* suffix) {
  if (name.size() != 20 + std::char_traits<char>::length(suffix) || !name.ends_with(suffix))
    return std::nullopt;
  std::int64_t base = 0;
  auto [end, ec] = std::from_chars(name.data(), name.data() + 20, base);
  if (ec != std::errc{} || end != name.data() + 20) return std::nullopt;
  return base;
}

result<void> remove_if_present(io::file_system& fs, const std::string& path) {
  auto removed = fs.remove(path);
  if (!removed && removed.error().code != errc::not_found) return removed;
  return {};
}

// The offset after the last batch of a complete (synced) segment file; `base` when it is empty.
result<std::int64_t> next_offset_of(io::file_system& fs, const std::string& path, std::int64_t base) {
  SLUICE_ASSIGN_OR_RETURN(auto file, fs.open(path, io::open_mode::read_only));
  SLUICE_ASSIGN_OR_RETURN(auto size, file->size());
  batch_scanner scanner(*file, 0, size, /*verify_crc=*/false);
  std::int64_t next = base;
  while (true) {
    SLUICE_ASSIGN_OR_RETURN(auto batch, scanner.next());
    if (!batch) return next;
    next = batch->header.next_offset();
  }
}

}  // namespace

result<void> partition_log::remove_covered_segments(std::int64_t base, std::int64_t covered_end) {
  SLUICE_ASSIGN_OR_RETURN(auto names, fs_.list(dir_));
  for (const auto& name : names) {
    auto other = base_of(name, ".log");
    if (!other || *other <= base || *other >= covered_end) continue;
    for (const char* ext : {".index", ".timeindex"})
      SLUICE_RETURN_IF_ERROR(remove_if_present(fs_, cleaned_path(*other, ext)));
    SLUICE_RETURN_IF_ERROR(fs_.remove(dir_ + "/" + name));
  }
  return {};
}

std::string partition_log::cleaned_path(std::int64_t base, const char* suffix) const {
  char name[24];
  std::snprintf(name, sizeof name, "%020lld", static_cast<long long>(base));
  return dir_ + "/" + name + suffix;
}

result<std::vector<std::int64_t>> partition_log::recover_interrupted_swaps() {
  SLUICE_ASSIGN_OR_RETURN(auto names, fs_.list(dir_));
  std::vector<std::int64_t> swapped;
  bool changed = false;
  for (const auto& name : names) {
    if (auto base = base_of(name, cleaned_suffix)) {
      // Not committed: the original segment is intact.
      SLUICE_RETURN_IF_ERROR(fs_.remove(dir_ + "/" + name));
      changed = true;
    } else if (auto committed = base_of(name, swap_suffix)) {
      // Committed: the cleaned data is complete and synced, and listed as cleaned. Finish step 4.
      spdlog::info("partition {}: finishing the interrupted swap of cleaned segment {}", dir_, *committed);
      SLUICE_ASSIGN_OR_RETURN(auto covered_end, next_offset_of(fs_, dir_ + "/" + name, *committed));
      SLUICE_RETURN_IF_ERROR(remove_covered_segments(*committed, covered_end));
      SLUICE_RETURN_IF_ERROR(remove_if_present(fs_, cleaned_path(*committed, ".index")));
      SLUICE_RETURN_IF_ERROR(remove_if_present(fs_, cleaned_path(*committed, ".timeindex")));
      SLUICE_RETURN_IF_ERROR(fs_.rename(dir_ + "/" + name, cleaned_path(*committed, ".log")));
      swapped.push_back(*committed);
      changed = true;
    }
  }
  if (changed) SLUICE_RETURN_IF_ERROR(fs_.sync_directory(dir_));
  return swapped;
}

result<clean_stats> partition_log::clean(std::int64_t now_ms, bool force, const cleaner_options& options) {
  std::lock_guard pass(clean_mu_);
  clean_stats stats;
  log_config config;
  std::vector<std::shared_ptr<segment>> all;
  cleaned_segments state;
  std::int64_t end = 0;
  {
    std::lock_guard lock(mu_);
    if (closed_ || !config_.compacts()) return stats;
    config = config_;
    all = segments_;
    state = cleaned_;
    end = active()->next_offset();
  }
  // Not while a seal is pending: the swap would replace a segment its job still holds.
  if (seals_pending() > 0) return stats;
  SLUICE_ASSIGN_OR_RETURN(auto cleanable, cleanable_segments(all, config, now_ms));
  if (cleanable.empty() || (!force && !needs_cleaning(config, cleanable, state, now_ms))) return stats;
  // The clean segments hold no duplicates among themselves: the map starts at the first dirty one.
  std::int64_t from = cleanable.back().seg->next_offset();
  auto dirty = std::find_if(cleanable.begin(), cleanable.end(),
                            [&](const auto& c) { return !state.contains(c.seg->base_offset()); });
  if (dirty != cleanable.end()) from = dirty->seg->base_offset();
  std::unordered_map<std::int64_t, std::int64_t> last_batches;
  {
    // Taken after the segments: a batch appended since is in the active segment, never cleaned.
    std::lock_guard lock(mu_);
    last_batches = producers_.last_batch_offsets();
  }
  offset_map map(options.max_map_entries);
  SLUICE_ASSIGN_OR_RETURN(auto map_end, build_offset_map(all, from, end, map));
  std::vector<std::shared_ptr<segment>> below_map_end;
  std::set<std::int64_t> expired_tombstones;
  for (const auto& c : cleanable) {
    if (c.seg->next_offset() > map_end) break;
    below_map_end.push_back(c.seg);
    auto known = state.find(c.seg->base_offset());
    if (known != state.end() && now_ms - known->second.first_cleaned_ms >= config.delete_retention_ms)
      expired_tombstones.insert(c.seg->base_offset());
  }
  segment_filter filter{&map, &expired_tombstones, &last_batches};
  for (const auto& group : group_segments(below_map_end, config.segment_bytes))
    SLUICE_RETURN_IF_ERROR(clean_group(group, filter, now_ms, stats));
  if (stats.segments_rewritten > 0)
    spdlog::info("partition {}: cleaned {} segments, rewrote {}: {} records dropped, {} → {} bytes", dir_,
                 stats.segments_cleaned, stats.segments_rewritten, stats.records_dropped, stats.bytes_before,
                 stats.bytes_after);
  return stats;
}

result<void> partition_log::clean_group(const std::vector<std::shared_ptr<segment>>& group,
                                        const segment_filter& filter, std::int64_t now_ms,
                                        clean_stats& stats) {
  auto path = cleaned_path(group.front()->base_offset(), cleaned_suffix);
  SLUICE_ASSIGN_OR_RETURN(auto cleaned, write_cleaned_segment(fs_, group, filter, path));
  SLUICE_ASSIGN_OR_RETURN(bool swapped, swap_in_cleaned(group, now_ms, cleaned));
  if (!swapped) return {};
  stats.segments_cleaned += group.size();
  if (!cleaned.changed) return {};
  stats.segments_rewritten += group.size();
  stats.records_dropped += cleaned.records_dropped;
  for (const auto& seg : group) stats.bytes_before += seg->size();
  stats.bytes_after += cleaned.bytes;
  return {};
}

result<bool> partition_log::swap_in_cleaned(const std::vector<std::shared_ptr<segment>>& group,
                                            std::int64_t now_ms, const cleaned_file& cleaned) {
  std::int64_t base = group.front()->base_offset();
  // Once loaded, the old segments' indexes live in memory: readers still holding them never open
  // the index files that step 4 removes (or the new segment's, under the same names).
  if (cleaned.changed)
    for (const auto& seg : group) SLUICE_RETURN_IF_ERROR(seg->load_indexes());
  std::lock_guard lock(mu_);
  auto first = std::find(segments_.begin(), segments_.end(), group.front());
  bool present = !closed_ && first != segments_.end() &&
                 static_cast<std::size_t>(segments_.end() - first) > group.size() &&
                 std::equal(group.begin(), group.end(), first);
  if (!present) {
    if (cleaned.changed) SLUICE_RETURN_IF_ERROR(fs_.remove(cleaned_path(base, cleaned_suffix)));
    return false;
  }
  // Tombstones age from the latest first cleaning in the group, so none goes early.
  cleaned_segment merged{now_ms, cleaned.has_tombstones};
  bool all_known = true;
  std::int64_t latest_first_clean = 0;
  for (const auto& seg : group) {
    auto known = cleaned_.find(seg->base_offset());
    all_known = all_known && known != cleaned_.end();
    if (known != cleaned_.end())
      latest_first_clean = std::max(latest_first_clean, known->second.first_cleaned_ms);
  }
  if (all_known) merged.first_cleaned_ms = latest_first_clean;
  cleaned_segments state;
  for (const auto& s : segments_)
    if (auto known = cleaned_.find(s->base_offset()); known != cleaned_.end()) state.insert(*known);
  state[base] = merged;
  // A segment cleaned before with nothing new to drop costs no write (and no fsync under the lock).
  if (!cleaned.changed && state == cleaned_) return true;
  SLUICE_RETURN_IF_ERROR(save_cleaned_segments(fs_, dir_, state));
  cleaned_ = std::move(state);
  if (!cleaned.changed) return true;
  SLUICE_RETURN_IF_ERROR(fs_.rename(cleaned_path(base, cleaned_suffix), cleaned_path(base, swap_suffix)));
  SLUICE_RETURN_IF_ERROR(fs_.sync_directory(dir_));
  SLUICE_RETURN_IF_ERROR(remove_covered_segments(base, group.back()->next_offset()));
  SLUICE_RETURN_IF_ERROR(remove_if_present(fs_, cleaned_path(base, ".index")));
  SLUICE_RETURN_IF_ERROR(remove_if_present(fs_, cleaned_path(base, ".timeindex")));
  SLUICE_RETURN_IF_ERROR(fs_.rename(cleaned_path(base, swap_suffix), cleaned_path(base, ".log")));
  SLUICE_RETURN_IF_ERROR(fs_.sync_directory(dir_));
  SLUICE_ASSIGN_OR_RETURN(*first, segment::open_cleaned(fs_, dir_, base, group.back()->next_offset()));
  segments_.erase(first + 1, first + static_cast<std::ptrdiff_t>(group.size()));
  return true;
}

}  // namespace sluice::storage
