#include "log_bench.h"

#include <fcntl.h>
#include <unistd.h>

#include <condition_variable>
#include <filesystem>
#include <latch>
#include <mutex>
#include <random>
#include <stop_token>
#include <thread>

#include "measure.h"
#include "model/record_batch.h"
#include "model/record_batch_builder.h"
#include "storage/log_manager.h"

namespace sluice::bench {
namespace {

std::int64_t wall_clock_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// Calls flush_if_due every 50 ms until destroyed, as log_manager's
// housekeeping thread would, so flush.ms produces real periodic syncs.
class periodic_flusher {
 public:
  explicit periodic_flusher(storage::partition_log& log)
      : thread_([this, &log](const std::stop_token& stop) { run(log, stop); }) {}

 private:
  void run(storage::partition_log& log, const std::stop_token& stop) {
    std::mutex mu;
    std::unique_lock lock(mu);
    while (!wake_.wait_for(lock, stop, std::chrono::milliseconds(50), [] { return false; })) {
      if (stop.stop_requested()) return;
      must(log.flush_if_due(bench_clock::now()), "periodic flush");
    }
  }

  std::condition_variable_any wake_;
  std::jthread thread_;  // last: joined before wake_ is destroyed
};

struct sync_counters {
  std::uint64_t syncs;
  std::uint64_t batches_synced;
};

sync_counters counters_of(const storage::partition_log& log) {
  auto s = log.stats();
  return {s.syncs, s.batches_synced};
}

// Fills in the rates and the sync counters accrued since `before`.
void finish(append_summary& s, const storage::partition_log& log, const sync_counters& before,
            const batch_shape& shape) {
  auto after = counters_of(log);
  s.records = s.batches * shape.records;
  s.mb_per_s = mb_per_s(s.bytes, s.seconds);
  s.records_per_s = per_s(s.records, s.seconds);
  s.syncs = after.syncs - before.syncs;
  s.batches_synced = after.batches_synced - before.batches_synced;
  s.batches_per_sync = s.syncs ? static_cast<double>(s.batches_synced) / static_cast<double>(s.syncs) : 0;
}

// One appender of append_synced: appends until `deadline`, timing each call.
struct appender_tally {
  std::uint64_t batches = 0;
  std::uint64_t bytes = 0;
  std::vector<double> latencies_us;
};

void run_appender(storage::partition_log& log, std::vector<std::byte> batch, std::latch& ready,
                  const bench_clock::time_point& deadline, appender_tally& tally) {
  ready.arrive_and_wait();
  while (bench_clock::now() < deadline) {
    auto start = bench_clock::now();
    must(log.append(batch), "append");
    tally.latencies_us.push_back(seconds_since(start) * 1e6);
    ++tally.batches;
    tally.bytes += batch.size();
  }
}

// The size of the newest .log file of a partition: its active segment.
std::uint64_t active_segment_bytes(const std::string& partition_dir) {
  std::filesystem::path newest;
  for (const auto& e : std::filesystem::directory_iterator(partition_dir))
    if (e.path().extension() == ".log" && e.path().filename() > newest.filename()) newest = e.path();
  return newest.empty() ? 0 : std::filesystem::file_size(newest);
}

storage::storage_options restart_options(const std::string& data_dir, std::int64_t segment_bytes) {
  storage::storage_options options;
  options.data_dir = data_dir;
  options.defaults.segment_bytes = segment_bytes;
  // Only the close() at the end syncs: the build is setup, not a measurement.
  options.defaults.flush_messages = storage::no_limit;
  options.defaults.flush_ms = storage::no_limit;
  options.background_housekeeping = false;
  return options;
}

// Round-robin over the partitions, as a producer spreading keys would.
void build_restart_data(io::file_system& fs, const storage::storage_options& options,
                        const restart_plan& plan, const batch_shape& shape, restart_summary& out) {
  auto manager = must(storage::log_manager::open(fs, options), "open the restart data directory");
  must(manager->create_topic("bench", plan.partitions, {}), "create the restart topic");
  auto batch = make_batch(shape, 7);
  progress shown("restart build", plan.bytes);
  auto start = bench_clock::now();
  std::uint64_t written = 0;
  for (std::int32_t p = 0; written + batch.size() <= plan.bytes; p = (p + 1) % plan.partitions) {
    must(manager->partition("bench", p)->append(batch), "append to the restart topic");
    written += batch.size();
    shown.update(written);
  }
  for (std::int32_t p = 0; p < plan.partitions; ++p) {
    auto log = manager->partition("bench", p);
    out.segments += log->stats().segments;
    out.active_segment_bytes += active_segment_bytes(log->dir());
  }
  must(manager->close(), "close the restart data directory");
  out.build_seconds = seconds_since(start);
  out.bytes = written;
}

// One timed log_manager::open, checked to have seen the expected shutdown
// kind; the close that follows (and rewrites the marker) is not timed.
double timed_open(io::file_system& fs, const storage::storage_options& options, bool expect_clean) {
  auto start = bench_clock::now();
  auto manager = must(storage::log_manager::open(fs, options), "reopen the data directory");
  double ms = seconds_since(start) * 1e3;
  if (manager->recovered_cleanly() != expect_clean) {
    fmt::print(stderr, "storage_bench: reopen was {} but should have been {}\n",
               manager->recovered_cleanly() ? "clean" : "unclean", expect_clean ? "clean" : "unclean");
    std::exit(1);
  }
  must(manager->close(), "close after reopening");
  return ms;
}

}  // namespace

std::vector<std::byte> make_batch(const batch_shape& shape, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::string value(shape.record_bytes, '\0');
  model::record_batch_builder builder;
  auto now = wall_clock_ms();
  for (std::size_t i = 0; i < shape.records; ++i) {
    for (auto& c : value) c = static_cast<char>(rng());
    builder.add(std::nullopt, value, now);
  }
  return builder.build();
}

append_summary append_bulk(storage::partition_log& log, std::uint64_t bytes, const batch_shape& shape,
                           bool drive_flush_ms) {
  auto batch = make_batch(shape, 1);
  auto before = counters_of(log);
  append_summary s;
  progress shown("append", bytes);
  std::optional<periodic_flusher> flusher;
  if (drive_flush_ms) flusher.emplace(log);
  auto start = bench_clock::now();
  while (s.bytes + batch.size() <= bytes) {
    auto append_start = bench_clock::now();
    must(log.append(batch), "append");
    s.max_append_us = std::max(s.max_append_us, seconds_since(append_start) * 1e6);
    ++s.batches;
    s.bytes += batch.size();
    shown.update(s.bytes);
  }
  auto flush_start = bench_clock::now();
  must(log.flush(), "flush");
  s.seconds = seconds_since(start);
  s.flush_seconds = seconds_since(flush_start);
  flusher.reset();
  finish(s, log, before, shape);
  return s;
}

append_summary append_synced(storage::partition_log& log, int appenders, double seconds,
                             const batch_shape& shape) {
  auto count = static_cast<std::size_t>(appenders);
  std::vector<appender_tally> tallies(count);
  std::latch ready(appenders + 1);
  bench_clock::time_point deadline;  // written before `ready` opens
  auto before = counters_of(log);
  std::vector<std::jthread> threads;
  for (std::size_t i = 0; i < count; ++i)
    threads.emplace_back(run_appender, std::ref(log), make_batch(shape, 100 + i), std::ref(ready),
                         std::cref(deadline), std::ref(tallies[i]));
  auto start = bench_clock::now();
  deadline =
      start + std::chrono::duration_cast<bench_clock::duration>(std::chrono::duration<double>(seconds));
  ready.arrive_and_wait();
  threads.clear();  // joins
  append_summary s;
  s.appenders = appenders;
  s.seconds = seconds_since(start);
  std::vector<double> latencies;
  for (const auto& t : tallies) {
    s.batches += t.batches;
    s.bytes += t.bytes;
    latencies.insert(latencies.end(), t.latencies_us.begin(), t.latencies_us.end());
  }
  s.p50_us = quantile(latencies, 0.5);
  s.p99_us = quantile(latencies, 0.99);
  s.max_append_us = quantile(latencies, 1);
  finish(s, log, before, shape);
  return s;
}

read_summary read_all(const storage::partition_log& log, std::size_t budget) {
  read_summary s;
  auto offset = log.log_start_offset();
  auto end = log.end_offset();
  auto start = bench_clock::now();
  while (offset < end) {
    auto fetched = must(log.read(offset, budget), "read");
    bytes_view rest(fetched.batches);
    // Walk the headers as a consumer would, to count records and find the next offset.
    while (!rest.empty()) {
      auto header = must(model::decode_header(rest), "decode a fetched batch");
      s.records += static_cast<std::uint64_t>(header.records_count);
      offset = header.next_offset();
      ++s.batches;
      rest = rest.subspan(header.size_bytes());
    }
    s.bytes += fetched.batches.size();
  }
  s.seconds = seconds_since(start);
  s.mb_per_s = mb_per_s(s.bytes, s.seconds);
  s.records_per_s = per_s(s.records, s.seconds);
  return s;
}

void drop_cached_pages(const std::string& dir) {
  for (const auto& e : std::filesystem::recursive_directory_iterator(dir)) {
    if (!e.is_regular_file()) continue;
    int fd = ::open(e.path().c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) continue;
    ::posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);
    ::close(fd);
  }
}

restart_summary measure_restart(io::file_system& fs, const std::string& data_dir, const restart_plan& plan,
                                const batch_shape& shape) {
  auto options = restart_options(data_dir, plan.segment_bytes);
  restart_summary out;
  out.partitions = plan.partitions;
  build_restart_data(fs, options, plan, shape, out);
  for (int i = 0; i < plan.reopens; ++i) out.clean_ms.push_back(timed_open(fs, options, true));
  for (int i = 0; i < plan.reopens; ++i) {
    // A crash leaves no marker; the data itself is intact, as after a
    // power cut once everything had been synced.
    std::filesystem::remove(data_dir + "/.clean-shutdown");
    out.unclean_ms.push_back(timed_open(fs, options, false));
  }
  return out;
}

json to_json(const append_summary& s) {
  json j;
  j.set("appenders", s.appenders)
      .set("batches", s.batches)
      .set("records", s.records)
      .set("bytes", s.bytes)
      .set("seconds", s.seconds);
  if (s.flush_seconds > 0) j.set("final_flush_seconds", s.flush_seconds);
  j.set("mb_per_s", s.mb_per_s)
      .set("records_per_s", s.records_per_s)
      .set("fdatasyncs", s.syncs)
      .set("batches_synced", s.batches_synced)
      .set("batches_per_fdatasync", s.batches_per_sync);
  if (s.p50_us > 0) j.set("append_latency_p50_us", s.p50_us).set("append_latency_p99_us", s.p99_us);
  j.set("append_latency_max_us", s.max_append_us);
  return j;
}

json to_json(const read_summary& s) {
  json j;
  j.set("batches", s.batches)
      .set("records", s.records)
      .set("bytes", s.bytes)
      .set("seconds", s.seconds)
      .set("mb_per_s", s.mb_per_s)
      .set("records_per_s", s.records_per_s);
  return j;
}

json to_json(const restart_summary& s) {
  auto samples = [](const std::vector<double>& ms) {
    auto a = json::array();
    for (double v : ms) a.push(v);
    return a;
  };
  json j;
  j.set("bytes", s.bytes)
      .set("partitions", s.partitions)
      .set("segments", s.segments)
      .set("active_segment_bytes", s.active_segment_bytes)
      .set("build_seconds", s.build_seconds)
      .set("clean_open_median_ms", median(s.clean_ms))
      .set("clean_open_ms", samples(s.clean_ms))
      .set("unclean_open_median_ms", median(s.unclean_ms))
      .set("unclean_open_ms", samples(s.unclean_ms));
  return j;
}

}  // namespace sluice::bench
