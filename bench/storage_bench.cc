// storage_bench — MB/s figures for the partition log next to what the same
// disk does with plain write(2) and fdatasync, measured in one run so the
// ratios mean something. bench/run-storage.sh builds and runs it;
// docs/benchmarks.md explains the method and records the results.
#include <fcntl.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <filesystem>
#include <fstream>
#include <limits>
#include <optional>

#include "conditions.h"
#include "fs_baseline.h"
#include "log_bench.h"
#include "machine_info.h"
#include "measure.h"
#include "report.h"
#include "storage/partition_log.h"

namespace sluice::bench {
namespace {

struct bench_options {
  std::string dir = "build/bench-data";
  std::uint64_t bytes_mib = 1024;
  std::uint64_t periodic_mib = 2000;
  double seconds = 10;
  int appenders = 8;
  std::uint64_t restart_mib = 2048;
  int partitions = 4;
  std::int64_t segment_mib = 192;
  int reopens = 5;
  std::size_t record_bytes = 1024;
  std::size_t batch_records = 16;
  std::size_t read_budget_kib = 1024;
  std::string json_out;
  std::string git_commit;
  std::vector<std::string> phases{"fs", "a", "b", "c", "d", "restart"};
  bool keep_data = false;
  bool no_prefault = false;
  double settle_max_seconds = 60;
  int rounds = 5;
};

// The small synced write: one 16-record batch of 1 KiB records, near enough.
constexpr std::size_t small_write_bytes = std::size_t{16} * 1024;

void add_options(CLI::App& app, bench_options& o) {
  app.add_option("--dir", o.dir, "Parent of the scratch directory; put it on the disk under test")
      ->capture_default_str();
  app.add_option("--bytes", o.bytes_mib, "MiB written by the raw sequential writes and appends (a)")
      ->capture_default_str();
  app.add_option("--periodic-bytes", o.periodic_mib,
                 "MiB appended in (b): enough to span a few flush.ms=1000 intervals, in one segment")
      ->capture_default_str();
  app.add_option("--seconds", o.seconds, "Duration of each fdatasync-per-write phase: raw 16 KiB, (c), (d)")
      ->capture_default_str();
  app.add_option("--appenders", o.appenders, "Concurrent appenders in (d)")->capture_default_str();
  app.add_option("--restart-bytes", o.restart_mib, "MiB in the restart data directory")
      ->capture_default_str();
  app.add_option("--partitions", o.partitions, "Partitions in the restart data directory")
      ->capture_default_str();
  app.add_option("--segment-mib", o.segment_mib, "segment.bytes of the restart data directory, in MiB")
      ->capture_default_str();
  app.add_option("--reopens", o.reopens, "Reopens timed per kind (the median is reported)")
      ->capture_default_str();
  app.add_option("--record-bytes", o.record_bytes, "Value size of each record")->capture_default_str();
  app.add_option("--batch-records", o.batch_records, "Records per batch")->capture_default_str();
  app.add_option("--read-budget-kib", o.read_budget_kib, "max_bytes of each read")->capture_default_str();
  app.add_option("--json-out", o.json_out, "Write the results as JSON here");
  app.add_option("--git-commit", o.git_commit, "Recorded in the JSON (the runner passes git describe)");
  app.add_option("--phases", o.phases, "Subset of: fs a b c d restart (the read runs with a)")
      ->delimiter(',')
      ->check(CLI::IsMember({"fs", "a", "b", "c", "d", "restart"}))
      ->capture_default_str();
  app.add_flag("--keep-data", o.keep_data, "Leave the scratch directory behind");
  app.add_flag("--no-prefault", o.no_prefault,
               "Do not recycle page-cache memory before the buffered-write phases (bench/conditions.h)");
  app.add_option("--rounds", o.rounds,
                 "Rounds of the buffered-write phases (raw sequential, (a), (b)); median")
      ->capture_default_str();
  app.add_option("--settle-max-seconds", o.settle_max_seconds,
                 "Longest wait for the disk to return to its rested fdatasync latency before a synced phase")
      ->capture_default_str();
}

// The scratch directory goes even when a phase fails, so a broken run does
// not leave gigabytes in build/.
std::string& scratch_to_remove() {
  static std::string dir;
  return dir;
}

void remove_scratch() {
  std::error_code ignored;
  if (!scratch_to_remove().empty()) std::filesystem::remove_all(scratch_to_remove(), ignored);
}

// Writeback left over from one phase (file deletions, journal commits) must
// not be paid for by the next one.
void sync_file_system(const std::string& dir) {
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return;
  ::syncfs(fd);
  ::close(fd);
}

storage::log_config log_config_with(std::int64_t flush_messages, std::int64_t flush_ms) {
  storage::log_config config;
  config.flush_messages = flush_messages;
  config.flush_ms = flush_ms;
  return config;
}

std::unique_ptr<storage::partition_log> open_fresh_log(const std::string& dir,
                                                       const storage::log_config& config) {
  std::filesystem::remove_all(dir);
  return must(storage::partition_log::open(io::file_system::posix(), dir, config, /*clean=*/false),
              "open " + dir);
}

void close_and_remove(std::unique_ptr<storage::partition_log> log) {
  auto dir = log->dir();
  must(log->close(), "close " + dir);
  log.reset();
  std::filesystem::remove_all(dir);
  sync_file_system(std::filesystem::path(dir).parent_path().string());
}

void print_heading(const std::string& title) {
  fmt::print("\n{}\n", title);
  std::fflush(stdout);
}

void print_append(const append_summary& s) {
  fmt::print("  {:8.1f} MB/s  {:10.0f} records/s  {:.2f} s  {} fdatasyncs", s.mb_per_s, s.records_per_s,
             s.seconds, s.syncs);
  if (s.flush_seconds > 0) fmt::print(" (final flush {:.2f} s)", s.flush_seconds);
  if (s.syncs) fmt::print("  {:.2f} batches/fdatasync", s.batches_per_sync);
  if (s.p50_us > 0) fmt::print("  append p50 {:.0f} us p99 {:.0f} us", s.p50_us, s.p99_us);
  fmt::print("  slowest append {:.1f} ms", s.max_append_us / 1e3);
  fmt::print("\n");
}

void print_read(const std::string& label, const read_summary& s) {
  fmt::print("  {:8.1f} MB/s  {:10.0f} records/s  {:.2f} s  ({})\n", s.mb_per_s, s.records_per_s, s.seconds,
             label);
}

class storage_bench {
 public:
  explicit storage_bench(bench_options o) : o_(std::move(o)) {
    shape_.records = o_.batch_records;
    shape_.record_bytes = o_.record_bytes;
    batch_bytes_ = make_batch(shape_, 0).size();
  }

  int run() {
    work_ = (std::filesystem::absolute(o_.dir) / ("storage-bench-" + std::to_string(::getpid()))).string();
    std::filesystem::create_directories(work_);
    if (!o_.keep_data) scratch_to_remove() = work_;
    r_.machine = probe_machine(work_);
    r_.git_commit = o_.git_commit;
    r_.parameters = parameters();
    print_machine();
    settler_.emplace(work_, o_.settle_max_seconds);
    // The fdatasync-bound phases go first, on a rested disk: bulk writes
    // leave a virtual disk throttled for a while (conditions.h).
    if (selected("fs")) run_raw_synced();
    if (selected("c")) r_.c = run_synced_appends("c", 1);
    if (selected("d")) r_.d = run_synced_appends("d", o_.appenders);
    // Rounds interleave the buffered-write phases, so drift in the machine
    // (other tenants, the host's cache) falls on all of them alike.
    for (int round = 1; round <= o_.rounds; ++round) run_bulk_round(round);
    if (selected("restart")) run_restart();
    r_.conditions = conditions();
    print_summary(r_);
    print_targets(r_);
    write_json();
    return 0;
  }

 private:
  bool selected(const std::string& phase) const {
    return std::find(o_.phases.begin(), o_.phases.end(), phase) != o_.phases.end();
  }

  std::uint64_t bytes() const { return o_.bytes_mib * mib; }

  void print_machine() const {
    const auto& m = r_.machine;
    fmt::print("storage_bench {} ({})\n", m.date, m.time_utc);
    fmt::print("machine: {}, {} cores{}, {:.1f} GiB, {}\n", m.cpu_model, m.cores,
               m.virtualized ? " (virtual)" : "", static_cast<double>(m.memory_bytes) / (1024.0 * mib),
               m.kernel);
    fmt::print("data:    {} ({} on {}, {})\n", work_, m.fs_type, m.fs_device, m.fs_mount_options);
    fmt::print("device:  write cache {}, rotational {}{}\n", m.write_cache, m.rotational,
               m.ext4_journal.empty() ? "" : ", ext4 journal " + m.ext4_journal);
    fmt::print("load:    {} (1, 5, 15 min; other work on the machine skews the figures)\n", m.load_average);
    fmt::print("batches: {} records of {} bytes = {} bytes each\n", shape_.records, shape_.record_bytes,
               batch_bytes_);
  }

  // Before a phase bound by fdatasync latency.
  void settle_disk(const std::string& phase) { settle_waits_.set(phase, settler_->wait()); }

  // Before a phase that fills the page cache with `phase_bytes`.
  void prepare_memory(std::uint64_t phase_bytes) const {
    if (!o_.no_prefault) prefault_page_cache(work_, phase_bytes + phase_bytes / 8);
  }

  void run_raw_synced() {
    print_heading(fmt::format("raw synced writes: 16 KiB write(2) + fdatasync, {} s", o_.seconds));
    settle_disk("raw_synced");
    r_.raw_synced = raw_synced_writes(work_, o_.seconds, small_write_bytes);
    const auto& s = *r_.raw_synced;
    fmt::print("  {:8.1f} MB/s  {:8.0f} ops/s  p50 {:.0f} us  p99 {:.0f} us\n", s.mb_per_s, s.ops_per_s,
               s.p50_us, s.p99_us);
    sync_file_system(work_);
  }

  append_summary run_synced_appends(const std::string& phase, int appenders) {
    print_heading(fmt::format("({}) flush.messages=1, {} appender{} on one partition, {} s", phase, appenders,
                              appenders > 1 ? "s" : "", o_.seconds));
    settle_disk(phase);
    auto log = open_fresh_log(work_ + "/log-" + phase, log_config_with(1, 1000));
    auto s = append_synced(*log, appenders, o_.seconds, shape_);
    print_append(s);
    close_and_remove(std::move(log));
    return s;
  }

  void run_bulk_round(int round) {
    if (selected("fs")) {
      r_.raw_mib_writes.push_back(run_raw_sequential(round, mib));
      r_.raw_batch_writes.push_back(run_raw_sequential(round, batch_bytes_));
    }
    if (selected("a")) run_a(round);
    if (selected("b")) run_b(round);
  }

  sequential_write_result run_raw_sequential(int round, std::size_t block) {
    print_heading(
        fmt::format("[round {}/{}] raw sequential write: {} MiB in {} B write(2) calls + one fdatasync",
                    round, o_.rounds, o_.bytes_mib, block));
    prepare_memory(bytes());
    auto s = raw_sequential_write(work_, bytes(), block);
    fmt::print("  {:8.1f} MB/s  {:.2f} s, of which fdatasync {:.2f} s\n", s.mb_per_s, s.seconds,
               s.sync_seconds);
    sync_file_system(work_);
    return s;
  }

  void run_a(int round) {
    print_heading(fmt::format("[round {}/{}] (a) append {} MiB, no per-message flush, one flush() at the end",
                              round, o_.rounds, o_.bytes_mib));
    prepare_memory(bytes());
    auto log = open_fresh_log(work_ + "/log-a", log_config_with(storage::no_limit, storage::no_limit));
    r_.a.push_back(append_bulk(*log, bytes(), shape_, false));
    print_append(r_.a.back());
    sync_file_system(work_);
    run_reads(*log);
    close_and_remove(std::move(log));
  }

  void run_reads(const storage::partition_log& log) {
    auto budget = o_.read_budget_kib * 1024;
    print_heading(
        fmt::format("sequential read of this round's (a) log in {} KiB fetches", o_.read_budget_kib));
    r_.read_warm.push_back(read_all(log, budget));
    print_read("warm page cache: just written", r_.read_warm.back());
    // The same read again, without the page faults of fresh buffers: the
    // difference is what the read path's allocations cost.
    let_malloc_keep_memory();
    r_.read_warm_malloc_keeps.push_back(read_all(log, budget));
    pin_malloc_defaults();
    print_read("warm, malloc keeping freed memory", r_.read_warm_malloc_keeps.back());
    drop_cached_pages(log.dir());
    r_.read_cold.push_back(read_all(log, budget));
    print_read("after POSIX_FADV_DONTNEED; a host cache below a virtual disk may still hold it",
               r_.read_cold.back());
  }

  void run_b(int round) {
    print_heading(
        fmt::format("[round {}/{}] (b) append {} MiB, flush.ms=1000 driven every 50 ms, flush() at the end",
                    round, o_.rounds, o_.periodic_mib));
    // Opened last: flush.ms counts from the open, and a prefault in between
    // would make the first periodic flush fire at once.
    auto periodic_bytes = o_.periodic_mib * mib;
    prepare_memory(periodic_bytes);
    auto config = log_config_with(storage::no_limit, 1000);
    // The largest segment Kafka allows, so no roll (which syncs the sealed
    // segment) mixes into the periodic flushes being measured.
    config.segment_bytes = std::numeric_limits<std::int32_t>::max();
    auto log = open_fresh_log(work_ + "/log-b", config);
    r_.b.push_back(append_bulk(*log, periodic_bytes, shape_, true));
    print_append(r_.b.back());
    close_and_remove(std::move(log));
  }

  void run_restart() {
    restart_plan plan;
    plan.bytes = o_.restart_mib * mib;
    plan.partitions = o_.partitions;
    plan.segment_bytes = o_.segment_mib * static_cast<std::int64_t>(mib);
    plan.reopens = o_.reopens;
    print_heading(fmt::format("restart: {} MiB over {} partitions, segment.bytes {} MiB, {} reopens each",
                              o_.restart_mib, o_.partitions, o_.segment_mib, o_.reopens));
    auto dir = work_ + "/restart";
    r_.restart = measure_restart(io::file_system::posix(), dir, plan, shape_);
    const auto& r = *r_.restart;
    fmt::print(
        "  built in {:.2f} s ({:.1f} MB/s with the closing fdatasyncs): {} segments, {} MiB in active ones\n",
        r.build_seconds, mb_per_s(r.bytes, r.build_seconds), r.segments, r.active_segment_bytes / mib);
    fmt::print("  clean open   median {:7.1f} ms  (min {:.1f}, max {:.1f})\n", median(r.clean_ms),
               quantile(r.clean_ms, 0), quantile(r.clean_ms, 1));
    fmt::print("  unclean open median {:7.1f} ms  (min {:.1f}, max {:.1f})\n", median(r.unclean_ms),
               quantile(r.unclean_ms, 0), quantile(r.unclean_ms, 1));
    std::filesystem::remove_all(dir);
  }

  json parameters() const {
    json j;
    j.set("bytes_mib", o_.bytes_mib)
        .set("periodic_bytes_mib", o_.periodic_mib)
        .set("rounds", o_.rounds)
        .set("seconds", o_.seconds)
        .set("appenders", o_.appenders)
        .set("record_bytes", o_.record_bytes)
        .set("batch_records", o_.batch_records)
        .set("batch_bytes", batch_bytes_)
        .set("read_budget_kib", o_.read_budget_kib)
        .set("restart_mib", o_.restart_mib)
        .set("restart_partitions", o_.partitions)
        .set("restart_segment_mib", static_cast<std::int64_t>(o_.segment_mib))
        .set("reopens", o_.reopens);
    return j;
  }

  json conditions() const {
    json j;
    j.set("page_cache_prefaulted_before_buffered_writes", !o_.no_prefault)
        .set("malloc", "glibc M_MMAP_THRESHOLD and M_TRIM_THRESHOLD pinned at their 128 KiB defaults")
        .set("rested_fdatasync_p50_us", settler_->rested_p50_us())
        .set("settle_wait_seconds", settle_waits_)
        .set("page_cache",
             "warm for the first read (it follows the write); the second read follows POSIX_FADV_DONTNEED on "
             "the log files");
    return j;
  }

  void write_json() const {
    if (o_.json_out.empty()) return;
    auto path = std::filesystem::path(o_.json_out);
    if (path.has_parent_path()) std::filesystem::create_directories(path.parent_path());
    std::ofstream(path) << to_json(r_).dump() << "\n";
    fmt::print("\nwrote {}\n", path.string());
  }

  bench_options o_;
  batch_shape shape_;
  std::size_t batch_bytes_ = 0;
  std::string work_;
  std::optional<disk_settler> settler_;
  json settle_waits_;  // seconds waited for the disk before each synced phase
  bench_results r_;
};

}  // namespace
}  // namespace sluice::bench

int main(int argc, char** argv) {
  // Recovery and topic creation log at info; that is noise inside timed opens.
  spdlog::set_level(spdlog::level::warn);
  sluice::bench::bench_options options;
  CLI::App app{"storage_bench: partition log throughput and restart time against raw disk baselines"};
  sluice::bench::add_options(app, options);
  CLI11_PARSE(app, argc, argv);
  sluice::bench::pin_malloc_defaults();
  // The path's static must exist before the handler is registered, or it is
  // destroyed before the handler reads it.
  sluice::bench::scratch_to_remove().clear();
  std::atexit(sluice::bench::remove_scratch);
  try {
    return sluice::bench::storage_bench(std::move(options)).run();
  } catch (const std::exception& e) {  // std::filesystem reports failures by throwing
    fmt::print(stderr, "storage_bench: {}\n", e.what());
    return 1;
  }
}
