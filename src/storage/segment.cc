#include "storage/segment.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <cstdio>

#include "base/assert.h"
#include "model/compression.h"
#include "storage/batch_scanner.h"

namespace sluice::storage {
namespace {

std::string segment_file_name(std::int64_t base_offset, const char* extension) {
  char name[40];
  std::snprintf(name, sizeof name, "%020lld%s", static_cast<long long>(base_offset), extension);
  return name;
}

// The read-ahead for a fetch: enough for the budget plus the batches that
// the index skips over, within sane bounds.
std::size_t read_chunk_for(std::size_t max_bytes) {
  return std::clamp<std::size_t>(max_bytes + 16 * 1024, 64 * 1024, 8 * 1024 * 1024);
}

}  // namespace

segment::segment(io::file_system& fs, std::string dir, std::int64_t base_offset,
                 std::unique_ptr<io::file> log)
    : fs_(fs),
      dir_(std::move(dir)),
      base_offset_(base_offset),
      log_(std::move(log)),
      next_offset_(base_offset),
      offset_index_(base_offset),
      time_index_(base_offset) {}

std::string segment::path_with(const char* extension) const {
  return dir_ + "/" + segment_file_name(base_offset_, extension);
}

std::string segment::log_path() const { return path_with(".log"); }

result<std::shared_ptr<segment>> segment::create(io::file_system& fs, const std::string& dir,
                                                 std::int64_t base_offset) {
  auto path = dir + "/" + segment_file_name(base_offset, ".log");
  SLUICE_ASSIGN_OR_RETURN(auto log, fs.open(path, io::open_mode::read_write));
  SLUICE_ASSIGN_OR_RETURN(auto size, log->size());
  if (size != 0) return fail(errc::already_exists, "segment " + path + " already holds data");
  // Stale index files of an earlier segment with this base would mislead recovery.
  for (const char* ext : {".index", ".timeindex"})
    if (auto p = dir + "/" + segment_file_name(base_offset, ext); fs.exists(p))
      SLUICE_RETURN_IF_ERROR(fs.remove(p));
  std::shared_ptr<segment> s(new segment(fs, dir, base_offset, std::move(log)));
  s->indexes_loaded_ = true;
  return s;
}

result<std::shared_ptr<segment>> segment::open_sealed(io::file_system& fs, const std::string& dir,
                                                      std::int64_t base_offset, std::int64_t next_offset) {
  SLUICE_ASSIGN_OR_RETURN(
      auto log, fs.open(dir + "/" + segment_file_name(base_offset, ".log"), io::open_mode::read_write));
  SLUICE_ASSIGN_OR_RETURN(auto size, log->size());
  std::shared_ptr<segment> s(new segment(fs, dir, base_offset, std::move(log)));
  s->size_.store(size);
  s->writeback_from_.store(size);
  s->next_offset_.store(next_offset);
  return s;
}

result<std::shared_ptr<segment>> segment::open_cleaned(io::file_system& fs, const std::string& dir,
                                                       std::int64_t base_offset, std::int64_t next_offset) {
  SLUICE_ASSIGN_OR_RETURN(auto s, open_sealed(fs, dir, base_offset, next_offset));
  s->allow_gaps();
  s->rebuild_on_load_ = true;
  return s;
}

result<void> segment::load_indexes() const {
  std::lock_guard lock(index_mu_);
  return ensure_indexes_loaded();
}

result<std::shared_ptr<segment>> segment::open_active(io::file_system& fs, const std::string& dir,
                                                      std::int64_t base_offset, bool clean,
                                                      recovery_report* report, bool gaps) {
  SLUICE_ASSIGN_OR_RETURN(auto s, open_sealed(fs, dir, base_offset, base_offset));
  if (gaps) s->allow_gaps();
  std::lock_guard lock(s->index_mu_);
  if (clean) {
    if (s->load_indexes_or_rebuild() && s->scan_tail_after_last_index_entry() && s->read_first_timestamp()) {
      s->indexes_loaded_ = true;
      return s;
    }
    spdlog::warn("segment {}: clean-shutdown state does not match the files; recovering", s->log_path());
  }
  SLUICE_RETURN_IF_ERROR(s->rebuild_indexes(report, /*truncate_tail=*/true));
  s->indexes_loaded_ = true;
  return s;
}

result<void> segment::read_first_timestamp() const {
  batch_scanner probe(*log_, 0, size(), /*verify_crc=*/false, 4096);
  SLUICE_ASSIGN_OR_RETURN(auto first, probe.next());
  if (first) first_timestamp_.store(first->header.max_timestamp);
  return {};
}

result<std::int64_t> segment::max_timestamp() const {
  std::lock_guard lock(index_mu_);
  SLUICE_RETURN_IF_ERROR(ensure_indexes_loaded());
  return max_timestamp_;
}

std::size_t segment::offset_index_bytes() const {
  std::lock_guard lock(index_mu_);
  return offset_index_.size_bytes();
}

void segment::note_batch(const model::batch_header& h, std::uint64_t position,
                         std::int64_t index_interval) const {
  if (first_timestamp_.load(std::memory_order_relaxed) < 0) first_timestamp_.store(h.max_timestamp);
  max_timestamp_ = std::max(max_timestamp_, h.max_timestamp);
  last_batch_base_ = h.base_offset;
  bool after_last = offset_index_.empty() || position > offset_index_.last().position;
  if (bytes_since_index_entry_ >= index_interval && after_last) {
    offset_index_.append(h.base_offset, static_cast<std::uint32_t>(position));
    time_index_.maybe_append(max_timestamp_, h.base_offset);
    bytes_since_index_entry_ = 0;
  }
  bytes_since_index_entry_ += static_cast<std::int64_t>(h.size_bytes());
}

result<void> segment::load_indexes_or_rebuild() const {
  auto load = [&]() -> result<void> {
    SLUICE_ASSIGN_OR_RETURN(auto index_file, fs_.open(path_with(".index"), io::open_mode::read_only));
    SLUICE_ASSIGN_OR_RETURN(auto time_file, fs_.open(path_with(".timeindex"), io::open_mode::read_only));
    SLUICE_ASSIGN_OR_RETURN(offset_index_, offset_index::load(*index_file, base_offset_, size()));
    // An active segment's next offset is not known yet; any offset is in range.
    std::int64_t bound = next_offset() > base_offset_ ? next_offset() : INT64_MAX;
    SLUICE_ASSIGN_OR_RETURN(time_index_, time_index::load(*time_file, base_offset_, bound));
    if (!offset_index_.empty()) {
      // The last entry must point at the batch it names.
      batch_scanner probe(*log_, offset_index_.last().position, size(), /*verify_crc=*/false, 4096);
      SLUICE_ASSIGN_OR_RETURN(auto batch, probe.next());
      if (!batch || batch->header.base_offset != offset_index_.last().offset)
        return fail(errc::corruption, "last offset index entry does not point at its batch");
    }
    if (auto last = time_index_.last()) max_timestamp_ = last->timestamp;
    return {};
  };
  if (auto loaded = load(); !loaded) {
    spdlog::warn("segment {}: rebuilding indexes ({})", log_path(), loaded.error().describe());
    return rebuild_indexes(nullptr, /*truncate_tail=*/false);
  }
  return {};
}

result<void> segment::ensure_indexes_loaded() const {
  if (indexes_loaded_) return {};
  if (rebuild_on_load_)
    SLUICE_RETURN_IF_ERROR(rebuild_indexes(nullptr, /*truncate_tail=*/false));
  else
    SLUICE_RETURN_IF_ERROR(load_indexes_or_rebuild());
  indexes_loaded_ = true;
  return {};
}

result<void> segment::scan_tail_after_last_index_entry() const {
  std::uint64_t start = offset_index_.empty() ? 0 : offset_index_.last().position;
  bytes_since_index_entry_ = 0;
  batch_scanner scanner(*log_, start, size(), /*verify_crc=*/true);
  std::int64_t next = offset_index_.empty() ? base_offset_ : offset_index_.last().offset;
  while (true) {
    SLUICE_ASSIGN_OR_RETURN(auto batch, scanner.next());
    if (!batch) break;
    // base_offset is outside the CRC: offsets continuing is its only check.
    if (!follows(batch->header.base_offset, next))
      return fail(errc::corruption, "offset " + std::to_string(batch->header.base_offset) + " where " +
                                        std::to_string(next) + " should follow");
    note_batch(batch->header, batch->position, INT64_MAX);
    next = batch->header.next_offset();
  }
  // The time index was loaded before the segment's end was known, so only
  // now can an entry past it (a stale or damaged file) be caught.
  if (auto last = time_index_.last(); last && last->offset >= next)
    return fail(errc::corruption, "time index entry for offset " + std::to_string(last->offset) +
                                      " is past the segment end " + std::to_string(next));
  next_offset_.store(next);
  return {};
}

result<void> segment::rebuild_indexes(recovery_report* report, bool truncate_tail) const {
  offset_index_ = offset_index(base_offset_);
  time_index_ = time_index(base_offset_);
  max_timestamp_ = -1;
  // A failed clean-start scan may have noted a later batch as the first;
  // the rescan from position 0 sets it again (segment.ms ages from it).
  first_timestamp_.store(-1);
  bytes_since_index_entry_ = 0;
  // Rebuilt entries are spaced by the default interval; the interval is a
  // density hint, not part of the format.
  constexpr std::int64_t rebuild_interval = 4096;
  batch_scanner scanner(*log_, 0, size(), /*verify_crc=*/true);
  std::int64_t next = base_offset_;
  std::size_t batches = 0;
  std::string reason;
  std::uint64_t valid_end = 0;  // end of the last good batch
  while (true) {
    auto batch = scanner.next();
    if (!batch && batch.error().code != errc::corruption) return tl::unexpected(batch.error());
    if (!batch) reason = batch.error().message;
    if (!batch || !*batch) break;
    // base_offset is outside the CRC: offsets continuing (or, once cleaned, rising) is its only check.
    if (!follows((*batch)->header.base_offset, next)) {
      reason = "offset " + std::to_string((*batch)->header.base_offset) + " where " + std::to_string(next) +
               " should follow, at position " + std::to_string((*batch)->position);
      break;
    }
    note_batch((*batch)->header, (*batch)->position, rebuild_interval);
    next = (*batch)->header.next_offset();
    valid_end = scanner.position();
    ++batches;
  }
  // The last time-index entry is how a later start learns the segment's max
  // timestamp without a scan (as seal() writes it); without it, timestamp
  // lookups and time retention would see only the sparse entries.
  if (batches > 0) time_index_.maybe_append(max_timestamp_, last_batch_base_);
  if (report) *report = recovery_report{batches, size() - valid_end, reason};
  if (valid_end < size()) {
    if (truncate_tail) {
      spdlog::warn("segment {}: truncating {} bytes after offset {}: {}", log_path(), size() - valid_end,
                   next, reason);
      SLUICE_RETURN_IF_ERROR(log_->truncate(valid_end));
      SLUICE_RETURN_IF_ERROR(log_->sync());
      size_.store(valid_end);
    } else {
      spdlog::error("segment {}: corrupt data after offset {}: {}", log_path(), next, reason);
    }
  }
  if (truncate_tail) next_offset_.store(next);
  SLUICE_ASSIGN_OR_RETURN(auto index_file, fs_.open(path_with(".index"), io::open_mode::read_write));
  SLUICE_ASSIGN_OR_RETURN(auto time_file, fs_.open(path_with(".timeindex"), io::open_mode::read_write));
  SLUICE_RETURN_IF_ERROR(index_file->truncate(0));
  SLUICE_RETURN_IF_ERROR(time_file->truncate(0));
  SLUICE_RETURN_IF_ERROR(offset_index_.write_pending(*index_file));
  return time_index_.write_pending(*time_file);
}

result<void> segment::append(bytes_view batches, const std::vector<model::batch_header>& headers,
                             std::int64_t index_interval_bytes) {
  SLUICE_ASSERT(!headers.empty() && headers.front().base_offset == next_offset(), "append at the log end");
  std::uint64_t position = size();
  if (auto written = log_->write_at(batches, position); !written) {
    // Cut any partial write so the file ends at a batch boundary again.
    if (auto cut = log_->truncate(position); !cut)
      spdlog::error("segment {}: cannot truncate after failed write: {}", log_path(), cut.error().describe());
    return written;
  }
  {
    std::lock_guard lock(index_mu_);
    std::uint64_t at = position;
    for (const auto& h : headers) {
      note_batch(h, at, index_interval_bytes);
      at += h.size_bytes();
    }
  }
  next_offset_.store(headers.back().next_offset(), std::memory_order_release);
  size_.store(position + batches.size(), std::memory_order_release);
  return {};
}

result<void> segment::sync() const { return log_->sync(); }

namespace {
// Whole pages only: rewriting a page under writeback (the partly filled last one) could make the
// next append wait for the disk.
constexpr std::uint64_t page_bytes = 4096;
}  // namespace

bool segment::claim_writeback() {
  bool due = size() / page_bytes * page_bytes >=
             writeback_from_.load(std::memory_order_relaxed) + writeback_chunk_bytes;
  return due && !writeback_claimed_.exchange(true, std::memory_order_relaxed);
}

result<void> segment::start_writeback() {
  struct release {
    std::atomic<bool>& claimed;
    ~release() { claimed.store(false, std::memory_order_relaxed); }
  } released{writeback_claimed_};
  std::uint64_t end = size() / page_bytes * page_bytes;
  std::uint64_t from = writeback_from_.load(std::memory_order_relaxed);
  if (end < from + writeback_chunk_bytes) return {};
  // Appenders race here after releasing the lock; one of them claims the range.
  if (!writeback_from_.compare_exchange_strong(from, end, std::memory_order_relaxed)) return {};
  return log_->start_writeback(from, end - from);
}

result<void> segment::persist_indexes() {
  std::lock_guard lock(index_mu_);
  if (!indexes_loaded_) return {};  // untouched since opened: the files are as they were
  if (next_offset() > base_offset_) {
    // Record the segment's max timestamp so it is known without a scan.
    time_index_.maybe_append(max_timestamp_, last_batch_base_);
  }
  SLUICE_ASSIGN_OR_RETURN(auto index_file, fs_.open(path_with(".index"), io::open_mode::read_write));
  SLUICE_ASSIGN_OR_RETURN(auto time_file, fs_.open(path_with(".timeindex"), io::open_mode::read_write));
  SLUICE_RETURN_IF_ERROR(offset_index_.write_pending(*index_file));
  SLUICE_RETURN_IF_ERROR(time_index_.write_pending(*time_file));
  SLUICE_RETURN_IF_ERROR(index_file->sync());
  return time_file->sync();
}

result<void> segment::seal() {
  SLUICE_RETURN_IF_ERROR(log_->sync());
  return persist_indexes();
}

result<void> segment::remove_files() {
  for (const char* ext : {".index", ".timeindex"}) {
    auto removed = fs_.remove(path_with(ext));
    if (!removed && removed.error().code != errc::not_found) return removed;
  }
  return fs_.remove(log_path());
}

result<std::vector<std::byte>> segment::read(std::int64_t offset, std::size_t max_bytes,
                                             std::int64_t max_offset, std::uint64_t end_position) const {
  // The batch holding `offset` may start below max_offset, but nothing of it
  // from `offset` on is wanted (a fetch at the high watermark is empty).
  if (offset >= max_offset) return std::vector<std::byte>{};
  offset_index::entry start{};
  {
    std::lock_guard lock(index_mu_);
    SLUICE_RETURN_IF_ERROR(ensure_indexes_loaded());
    start = offset_index_.lookup(offset);
  }
  batch_scanner scanner(*log_, start.position, end_position, /*verify_crc=*/false, read_chunk_for(max_bytes));
  std::vector<std::byte> out;
  // One allocation of the likely size instead of doubling through it.
  out.reserve(static_cast<std::size_t>(std::min<std::uint64_t>(max_bytes, end_position - start.position)));
  std::int64_t expected_offset = start.offset;  // index entries hold the base offset of their batch
  while (out.size() < max_bytes || out.empty()) {
    auto batch = scanner.next();
    if (!batch && batch.error().code == errc::corruption && !out.empty()) break;
    if (!batch) return fail(batch.error().code, log_path() + ": " + batch.error().message);
    if (!*batch || (*batch)->header.base_offset >= max_offset) break;
    const auto& b = **batch;
    // base_offset is outside the CRC: a batch that does not continue its predecessor is corrupt
    // (in a cleaned segment: one that starts before its predecessor ends).
    bool continues = follows(b.header.base_offset, expected_offset);
    expected_offset = b.header.next_offset();
    if (b.header.next_offset() <= offset && continues) continue;
    if (!out.empty() && out.size() + b.bytes.size() > max_bytes) break;
    auto valid = continues ? model::validate_batch(b.bytes)
                           : result<model::batch_header>(fail(errc::corruption, "offsets do not follow on"));
    if (!valid) {
      spdlog::error("segment {}: batch at position {} fails validation: {}", log_path(), b.position,
                    valid.error().message);
      if (!out.empty()) break;
      return fail(errc::corruption, log_path() + ": batch at position " + std::to_string(b.position) + ": " +
                                        valid.error().message);
    }
    out.insert(out.end(), b.bytes.begin(), b.bytes.end());
  }
  return out;
}

result<void> segment::for_each_header(std::int64_t offset,
                                      const std::function<void(const model::batch_header&)>& visit) const {
  std::uint64_t start = 0;
  {
    std::lock_guard lock(index_mu_);
    SLUICE_RETURN_IF_ERROR(ensure_indexes_loaded());
    start = offset_index_.lookup(offset).position;
  }
  batch_scanner scanner(*log_, start, size(), /*verify_crc=*/false);
  while (true) {
    auto batch = scanner.next();
    if (!batch) return fail(batch.error().code, log_path() + ": " + batch.error().message);
    if (!*batch) return {};
    if ((*batch)->header.next_offset() > offset) visit((*batch)->header);
  }
}

}  // namespace sluice::storage

namespace sluice::storage {
namespace {

// The offset of the first record at or after `timestamp` within one batch.
result<std::optional<std::int64_t>> first_record_at_or_after(const model::batch_header& h, bytes_view batch,
                                                             std::int64_t timestamp,
                                                             std::int64_t min_offset) {
  // Under LogAppendTime every record carries the batch's max timestamp.
  if (h.log_append_time()) return std::optional<std::int64_t>(std::max(h.base_offset, min_offset));
  auto payload = batch.subspan(model::batch_header_size);
  std::vector<std::byte> decompressed;
  if (h.codec() != model::compression::none) {
    SLUICE_ASSIGN_OR_RETURN(decompressed, model::decompress(h.codec(), payload));
    payload = decompressed;
  }
  std::optional<std::int64_t> found;
  SLUICE_RETURN_IF_ERROR(model::for_each_record(h, payload, [&](const model::record_view& r) {
    if (r.timestamp >= timestamp && r.offset >= min_offset) found = r.offset;
    return !found;
  }));
  return found;
}

}  // namespace

result<std::optional<std::int64_t>> segment::offset_for_timestamp(std::int64_t timestamp,
                                                                  std::int64_t min_offset) const {
  std::uint64_t start = 0;
  {
    std::lock_guard lock(index_mu_);
    SLUICE_RETURN_IF_ERROR(ensure_indexes_loaded());
    if (max_timestamp_ < timestamp) return std::nullopt;
    auto entry = time_index_.last_before(timestamp);
    start = offset_index_.lookup(std::max(entry ? entry->offset : base_offset_, min_offset)).position;
  }
  batch_scanner scanner(*log_, start, size(), /*verify_crc=*/true);
  while (true) {
    SLUICE_ASSIGN_OR_RETURN(auto batch, scanner.next());
    if (!batch) return std::nullopt;
    if (batch->header.max_timestamp < timestamp || batch->header.next_offset() <= min_offset) continue;
    SLUICE_ASSIGN_OR_RETURN(auto found,
                            first_record_at_or_after(batch->header, batch->bytes, timestamp, min_offset));
    if (found) return found;
  }
}

}  // namespace sluice::storage
