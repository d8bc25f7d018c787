// Compaction (cleanup.policy=compact): latest value per key, tombstones, codecs, producer state,
// gaps for readers, keyless produce, and a crash at every step of the segment swap.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <map>
#include <thread>

#include "model/record_filter.h"
#include "storage/partition_log.h"
#include "storage/test_util.h"

namespace sluice::storage {
namespace {

using namespace test;

struct kv {
  std::int64_t offset;
  std::string key;
  std::optional<std::string> value;
};

using record_list = std::vector<std::pair<std::string, std::optional<std::string>>>;

byte_vector kv_batch(const record_list& records, model::producer_identity producer = {},
                     model::compression codec = model::compression::none, std::int64_t timestamp = 1000) {
  model::record_batch_builder builder(producer);
  for (const auto& [key, value] : records) builder.add(key, value, timestamp);
  auto batch = builder.build();
  return codec == model::compression::none ? batch : compress_batch(batch, codec);
}

result<append_result> append_to(partition_log& log, byte_vector batch) { return log.append(batch); }

std::string text(bytes_view b) { return std::string(reinterpret_cast<const char*>(b.data()), b.size()); }

// Every record of back-to-back batches, decompressed.
std::vector<kv> records_in(bytes_view batches) {
  std::vector<kv> out;
  for (auto view : must(model::split_batches(batches))) {
    auto h = must(model::decode_header(view));
    auto payload = view.subspan(model::batch_header_size);
    byte_vector plain;
    if (h.codec() != model::compression::none) {
      plain = must(model::decompress(h.codec(), payload));
      payload = plain;
    }
    must(model::for_each_record(h, payload, [&](const model::record_view& r) {
      out.push_back(
          {r.offset, r.key ? text(*r.key) : "", r.value ? std::optional(text(*r.value)) : std::nullopt});
      return true;
    }));
  }
  return out;
}

class CompactionTest : public ::testing::Test {
 protected:
  void open(io::file_system& fs = io::file_system::posix()) {
    config_.cleanup_policy = "compact";
    config_.segment_bytes = 400;  // a handful of one-record batches per segment
    log_ = open_log(dir_.path(), config_, /*clean=*/false, fs);
  }

  std::int64_t put(const std::string& key, std::optional<std::string> value) {
    latest_[key] = value;
    return must(append_to(*log_, kv_batch({{key, value}}))).base_offset;
  }

  // Updates of five keys, `n` in all, rolling several segments.
  void put_updates(int n) {
    for (int i = 0; i < n; ++i) put("k" + std::to_string(i % 5), "v" + std::to_string(i));
  }

  std::vector<kv> all_records() const { return records_in(read_all(*log_)); }

  // The last record of every key holds its latest value, and offsets rise; once `compacted`, older
  // records of a key remain only in the active segment.
  void expect_latest_per_key(bool compacted = true) const {
    auto records = all_records();
    std::map<std::string, kv> last;
    std::int64_t previous = -1;
    auto active_base = active_base_();
    for (const auto& r : records) {
      EXPECT_GT(r.offset, previous) << "offsets rise";
      previous = r.offset;
      if (auto it = last.find(r.key); compacted && it != last.end()) {
        EXPECT_GE(it->second.offset, active_base)
            << "superseded record of " << r.key << " left in a sealed segment";
      }
      last[r.key] = r;
    }
    for (const auto& [key, value] : latest_) {
      if (!value) continue;
      ASSERT_TRUE(last.contains(key)) << key;
      EXPECT_EQ(last[key].value, value) << key;
    }
  }

  std::int64_t active_base_() const {
    std::int64_t base = 0;
    for (const auto& name : std::filesystem::directory_iterator(dir_.path()))
      if (name.path().extension() == ".log")
        base = std::max<std::int64_t>(base, std::stoll(name.path().stem().string()));
    return base;
  }

  temp_dir dir_;
  log_config config_ = test_config();
  std::unique_ptr<partition_log> log_;
  std::map<std::string, std::optional<std::string>> latest_;
  static constexpr std::int64_t now_ = 100000;
};

TEST_F(CompactionTest, KeepsTheLatestValuePerKeyAcrossManySegments) {
  open();
  put_updates(100);
  auto before = log_->stats();
  ASSERT_GT(before.segments, 10u);
  auto stats = must(log_->clean(now_));
  EXPECT_GT(stats.segments_rewritten, 0u);
  EXPECT_GT(stats.records_dropped, 80u);
  EXPECT_LT(log_->stats().size_bytes, before.size_bytes / 3);
  EXPECT_EQ(log_->end_offset(), before.end_offset) << "offsets never change";
  must(log_->clean(now_, /*force=*/true));
  EXPECT_LT(log_->stats().segments, before.segments / 3) << "the shrunken segments were merged";
  EXPECT_EQ(log_->log_start_offset(), 0);
  expect_latest_per_key();
  // After a crash-restart the cleaned segments (with gaps) read the same.
  auto cleaned = read_all(*log_);
  log_.reset();
  open();
  EXPECT_TRUE(same_bytes(read_all(*log_), cleaned));
  put_updates(7);
  must(log_->clean(now_, /*force=*/true));
  expect_latest_per_key();
}

TEST_F(CompactionTest, NothingHappensBelowTheDirtyRatioOrUnderDelete) {
  config_.min_cleanable_dirty_ratio = 1.0;  // only a log with no clean data at all
  open();
  for (int i = 0; i < 10; ++i) put("unique" + std::to_string(i), std::string(100, 'u'));
  put_updates(40);
  EXPECT_GT(must(log_->clean(now_)).segments_rewritten, 0u);
  put_updates(20);
  auto size = log_->stats().size_bytes;
  EXPECT_EQ(must(log_->clean(now_)).segments_cleaned, 0u) << "dirty share below the ratio";
  EXPECT_EQ(log_->stats().size_bytes, size);
  EXPECT_GT(must(log_->clean(now_, /*force=*/true)).segments_rewritten, 0u);
  config_.cleanup_policy = "delete";
  log_->set_config(config_);
  put_updates(40);
  EXPECT_EQ(must(log_->clean(now_, /*force=*/true)).segments_cleaned, 0u);
}

TEST_F(CompactionTest, TheActiveSegmentIsNeverRewritten) {
  open();
  put_updates(30);
  put("k0", "a");
  put("k0", "b");  // both in the active segment
  auto active = segment_file(dir_.path(), active_base_(), ".log");
  auto bytes = read_file(active);
  must(log_->clean(now_));
  EXPECT_TRUE(same_bytes(read_file(active), bytes));
}

TEST_F(CompactionTest, TombstonesOutliveTheirFirstCleaningByDeleteRetention) {
  config_.delete_retention_ms = 1000;
  open();
  put("gone", "x");
  put("gone", std::nullopt);
  put_updates(30);
  must(log_->clean(now_));
  auto has_tombstone = [&] {
    for (const auto& r : all_records())
      if (r.key == "gone") return !r.value.has_value();
    return false;
  };
  EXPECT_TRUE(has_tombstone()) << "kept at the first cleaning";
  must(log_->clean(now_ + 999));
  EXPECT_TRUE(has_tombstone()) << "kept until delete.retention.ms has passed";
  must(log_->clean(now_ + 1000));
  EXPECT_FALSE(has_tombstone()) << "dropped once delete.retention.ms has passed";
  expect_latest_per_key();
}

TEST_F(CompactionTest, CompressedBatchesAreRewrittenWithTheirCodec) {
  for (auto codec : {model::compression::gzip, model::compression::snappy, model::compression::lz4,
                     model::compression::zstd}) {
    SCOPED_TRACE(model::compression_name(codec));
    temp_dir dir;
    config_.cleanup_policy = "compact";
    config_.segment_bytes = 400;
    auto log = open_log(dir.path(), config_);
    must(append_to(*log, kv_batch({{"a", "1"}, {"b", "2"}, {"c", "3"}}, {}, codec)));
    must(append_to(*log, kv_batch({{"a", "4"}, {"b", std::nullopt}}, {}, codec)));
    for (int i = 0; i < 10; ++i) must(append_to(*log, kv_batch({{"filler", std::to_string(i)}})));
    must(log->clean(now_));
    auto first = must(log->read(0, 1)).batches;
    auto h = must(model::validate_batch(first));  // CRC recomputed
    EXPECT_EQ(h.codec(), codec);
    EXPECT_EQ(h.base_offset, 0);
    EXPECT_EQ(h.last_offset_delta, 2) << "the offset range is kept";
    auto records = records_in(first);
    ASSERT_EQ(records.size(), 1u);
    EXPECT_EQ(records[0].offset, 2);
    EXPECT_EQ(records[0].value, "3");
    auto second = records_in(must(log->read(3, 1)).batches);
    ASSERT_EQ(second.size(), 2u);
    EXPECT_EQ(second[1].value, std::nullopt) << "the tombstone stays at its first cleaning";
  }
}

TEST_F(CompactionTest, IdempotentProducerStateSurvivesCompactionAndACrash) {
  open();
  constexpr std::int64_t pid = 77;
  // Stamped now: producers idle for a day are forgotten at every snapshot.
  auto now = std::chrono::duration_cast<std::chrono::milliseconds>(
                 std::chrono::system_clock::now().time_since_epoch())
                 .count();
  auto producer_batch = [&](const char* key, const char* value, std::int32_t sequence) {
    return kv_batch({{key, value}}, {pid, 0, sequence}, model::compression::none, now);
  };
  must(append_to(*log_, producer_batch("a", "1", 0)));
  must(append_to(*log_, producer_batch("b", "2", 1)));
  put("a", "3");  // both of the producer's records are superseded
  put("b", "4");
  put_updates(20);
  must(log_->clean(now_));
  auto headers = headers_of(must(log_->read(0, 1 << 20)).batches);
  ASSERT_FALSE(headers.empty());
  EXPECT_EQ(headers[0].base_offset, 1) << "the first batch went, the producer's last stays";
  EXPECT_EQ(headers[0].records_count, 0);
  EXPECT_EQ(headers[0].producer_id, pid);
  EXPECT_EQ(headers[0].base_sequence, 1);
  // A crash that loses the producer snapshot: state is rebuilt from the batch headers alone.
  log_.reset();
  std::filesystem::remove(dir_ / "producer.snapshot");
  open();
  ASSERT_TRUE(log_->producer(pid));
  EXPECT_EQ(log_->producer(pid)->batches.back().last_sequence, 1);
  EXPECT_EQ(append_to(*log_, producer_batch("a", "5", 3)).error().code, errc::out_of_order_sequence);
  EXPECT_TRUE(must(append_to(*log_, producer_batch("b", "2", 1))).duplicate);
  EXPECT_FALSE(must(append_to(*log_, producer_batch("a", "5", 2))).duplicate);
}

TEST_F(CompactionTest, ReadsAndTimestampLookupsCrossGapsAndEmptiedSegments) {
  open();
  put_updates(60);
  must(log_->clean(now_));
  auto kept = all_records();
  for (std::int64_t offset = 0; offset < log_->end_offset(); ++offset) {
    auto read = must(log_->read(offset, 1));
    auto records = records_in(read.batches);
    ASSERT_FALSE(records.empty()) << offset;
    auto next = std::find_if(kept.begin(), kept.end(), [&](const kv& r) { return r.offset >= offset; });
    ASSERT_NE(next, kept.end());
    EXPECT_TRUE(
        std::any_of(records.begin(), records.end(), [&](const kv& r) { return r.offset == next->offset; }))
        << "a fetch at " << offset << " returns the next surviving record " << next->offset;
  }
  EXPECT_EQ(must(log_->offset_for_timestamp(0)), std::optional<std::int64_t>(kept.front().offset));
}

TEST_F(CompactionTest, KeylessRecordsAreRefusedByACompactedTopic) {
  open();
  auto keyless = kv_batch({{"k", "v"}});
  model::record_batch_builder builder;
  builder.add(std::nullopt, std::string_view("v"), 1000);
  auto refused = append_to(*log_, builder.build());
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, errc::invalid_record);
  EXPECT_EQ(refused.error().message, "Compacted topic cannot accept message without key");
  EXPECT_TRUE(append_to(*log_, keyless));
}

TEST_F(CompactionTest, ConfigAcceptsKafkasPoliciesAndCompactionSettings) {
  auto config = must(resolve_config({}, {{"cleanup.policy", "compact,delete"},
                                         {"min.cleanable.dirty.ratio", "0.25"},
                                         {"delete.retention.ms", "5"},
                                         {"min.compaction.lag.ms", "6"},
                                         {"max.compaction.lag.ms", "7"}}));
  EXPECT_TRUE(config.compacts());
  EXPECT_TRUE(config.deletes());
  EXPECT_DOUBLE_EQ(config.min_cleanable_dirty_ratio, 0.25);
  EXPECT_EQ(config.delete_retention_ms, 5);
  EXPECT_EQ(config.min_compaction_lag_ms, 6);
  EXPECT_EQ(config.max_compaction_lag_ms, 7);
  EXPECT_FALSE(must(resolve_config({}, {{"cleanup.policy", "compact"}})).deletes());
  EXPECT_FALSE(resolve_config({}, {{"cleanup.policy", "compact,,delete"}}));
  for (const auto& entry : describe_config({}, {})) {
    if (entry.name == "min.cleanable.dirty.ratio") {
      EXPECT_EQ(entry.value, "0.5");
    }
  }
}

TEST_F(CompactionTest, MinCompactionLagKeepsYoungSegmentsUncleaned) {
  config_.min_compaction_lag_ms = 5000;
  open();
  put_updates(40);  // records stamped 1000
  EXPECT_EQ(must(log_->clean(5999)).segments_cleaned, 0u);
  EXPECT_GT(must(log_->clean(6000)).segments_rewritten, 0u);
  expect_latest_per_key();
}

TEST_F(CompactionTest, MaxCompactionLagForcesAPassBelowTheDirtyRatio) {
  config_.min_cleanable_dirty_ratio = 1.0;
  config_.max_compaction_lag_ms = 5000;
  open();
  for (int i = 0; i < 10; ++i) put("unique" + std::to_string(i), std::string(100, 'u'));
  put_updates(40);
  EXPECT_GT(must(log_->clean(now_)).segments_rewritten, 0u);
  put_updates(20);  // dirty, but a smaller share than 1.0; stamped 1000
  EXPECT_EQ(must(log_->clean(5999)).segments_cleaned, 0u) << "not yet older than max.compaction.lag.ms";
  EXPECT_GT(must(log_->clean(6001)).segments_rewritten, 0u);
  expect_latest_per_key();
}

TEST_F(CompactionTest, ReadersKeepWorkingWhileSegmentsAreSwapped) {
  open();
  put_updates(200);
  std::atomic<bool> done{false};
  std::atomic<int> reads{0};
  std::thread reader([&] {
    while (!done.load()) {
      auto records = all_records();
      ASSERT_FALSE(records.empty());
      ++reads;
    }
  });
  must(log_->clean(now_));
  done = true;
  reader.join();
  EXPECT_GT(reads.load(), 0);
  expect_latest_per_key();
}

// Crashes after each file operation of a cleaning pass; the reopened log must read, hold the
// latest value of every key, and clean to the same result.
TEST_F(CompactionTest, ACrashAtAnyStepOfTheSwapRecoversAConsistentLog) {
  std::size_t steps = 0;
  std::vector<kv> expected;
  // A first pass empties most segments; the second, which crashes, merges them with new ones.
  auto prepare = [&] {
    put_updates(40);
    must(log_->clean(now_));
    put_updates(20);
    must(log_->flush());
  };
  {
    io::fault_injection_file_system fs;
    open(fs);
    prepare();
    auto segments = log_->stats().segments;
    auto before = fs.operations();
    must(log_->clean(now_, /*force=*/true));
    steps = fs.operations() - before;
    EXPECT_LT(log_->stats().segments, segments) << "the pass merged segments";
    expected = all_records();
    log_.reset();
  }
  ASSERT_GT(steps, 5u);
  for (std::size_t crash = 0; crash < steps; ++crash) {
    SCOPED_TRACE("crash after " + std::to_string(crash) + " of " + std::to_string(steps) + " operations");
    std::filesystem::remove_all(dir_.path());
    latest_.clear();
    io::fault_injection_file_system fs;
    open(fs);
    prepare();
    fs.crash_after(crash);
    EXPECT_FALSE(log_->clean(now_, /*force=*/true));
    log_.reset();
    must(fs.drop_unsynced_data());
    open();
    expect_latest_per_key(/*compacted=*/false);
    must(log_->clean(now_, /*force=*/true));
    expect_latest_per_key();
    if (::testing::Test::HasFailure()) break;
    auto records = all_records();
    ASSERT_EQ(records.size(), expected.size());
    for (std::size_t i = 0; i < records.size(); ++i) EXPECT_EQ(records[i].offset, expected[i].offset);
    for (const auto& name : std::filesystem::directory_iterator(dir_.path())) {
      auto file = name.path().filename().string();
      EXPECT_FALSE(file.ends_with(".cleaned") || file.ends_with(".swap")) << file;
    }
  }
}

}  // namespace
}  // namespace sluice::storage
