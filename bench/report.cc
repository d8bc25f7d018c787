#include "report.h"

#include "measure.h"

namespace sluice::bench {
namespace {

std::string verdict(bool met) { return met ? "met" : "MISSED"; }

json target(double value, double goal, bool at_least) {
  json j;
  bool met = at_least ? value >= goal : value < goal;
  j.set("value", value).set("target", goal).set("comparison", at_least ? ">=" : "<").set("met", met);
  return j;
}

void print_row(const std::string& what, double mb_s, const std::string& rest) {
  fmt::print("  {:<52} {:8.1f} MB/s  {}\n", what, mb_s, rest);
}

std::string rounds_note(std::size_t rounds) {
  return rounds > 1 ? fmt::format("median of {} rounds", rounds) : "";
}

void print_append_row(const std::string& what, const append_summary* s, std::size_t rounds) {
  if (!s) return;
  auto rest = fmt::format("{:9.0f} records/s", s->records_per_s);
  if (s->syncs > 1)
    rest += fmt::format("  {} fdatasyncs, {:.2f} batches each", s->syncs, s->batches_per_sync);
  if (rounds > 1) rest += "  " + rounds_note(rounds);
  print_row(what, s->mb_per_s, rest);
}

// One bulk figure: the median round in full, and every round's MB/s.
template <typename T>
json rounds_json(const std::vector<T>& runs) {
  auto j = to_json(*median_run(runs));
  auto all = json::array();
  for (const auto& r : runs) all.push(r.mb_per_s);
  j.set("mb_per_s_each_round", std::move(all));
  return j;
}

double append_vs_raw(const bench_results& r) {
  return median_run(r.a)->mb_per_s / median_run(r.raw_mib_writes)->mb_per_s;
}

}  // namespace

void print_summary(const bench_results& r) {
  fmt::print("\nsummary (MB = 10^6 bytes)\n");
  if (const auto* s = median_run(r.raw_mib_writes))
    print_row("raw sequential write, 1 MiB writes + fdatasync", s->mb_per_s,
              rounds_note(r.raw_mib_writes.size()));
  if (const auto* s = median_run(r.raw_batch_writes))
    print_row(fmt::format("raw sequential write, {} B writes + fdatasync", s->block_bytes), s->mb_per_s,
              rounds_note(r.raw_batch_writes.size()));
  if (r.raw_synced)
    print_row("raw 16 KiB write + fdatasync each", r.raw_synced->mb_per_s,
              fmt::format("{:.0f} ops/s", r.raw_synced->ops_per_s));
  print_append_row("(a) append, one fdatasync at the end", median_run(r.a), r.a.size());
  print_append_row("(b) append, flush.ms=1000", median_run(r.b), r.b.size());
  print_append_row("(c) append, flush.messages=1, 1 appender", r.c ? &*r.c : nullptr, 1);
  if (r.d)
    print_append_row(fmt::format("(d) append, flush.messages=1, {} appenders", r.d->appenders), &*r.d, 1);
  auto read_row = [](const std::string& what, const std::vector<read_summary>& runs) {
    if (const auto* s = median_run(runs))
      print_row(what, s->mb_per_s,
                fmt::format("{:9.0f} records/s  {}", s->records_per_s, rounds_note(runs.size())));
  };
  read_row("read, warm page cache", r.read_warm);
  read_row("read, warm, malloc keeping freed memory", r.read_warm_malloc_keeps);
  read_row("read, after fadvise(DONTNEED)", r.read_cold);
  if (r.restart)
    fmt::print("  {:<52} {:8.1f} ms (median of {}); unclean {:.1f} ms\n",
               "clean open of the restart directory", median(r.restart->clean_ms), r.restart->clean_ms.size(),
               median(r.restart->unclean_ms));
}

void print_targets(const bench_results& r) {
  fmt::print("\ntargets\n");
  if (!r.a.empty() && !r.raw_mib_writes.empty()) {
    double ratio = append_vs_raw(r);
    fmt::print("  (a) / raw 1 MiB sequential write MB/s = {:.2f} (target >= {:.2f}): {}\n", ratio,
               target_append_vs_raw, verdict(ratio >= target_append_vs_raw));
  }
  if (!r.a.empty() && !r.raw_batch_writes.empty())
    fmt::print("  (a) / raw batch-sized sequential write = {:.2f} (no target: the log's own overhead)\n",
               median_run(r.a)->mb_per_s / median_run(r.raw_batch_writes)->mb_per_s);
  if (r.c && r.raw_synced)
    fmt::print(
        "  (c) / raw 16 KiB synced writes, ops/s  = {:.2f} (no target; 1.0 is one fdatasync per append)\n",
        per_s(r.c->batches, r.c->seconds) / r.raw_synced->ops_per_s);
  if (r.d)
    fmt::print("  (d) batches per fdatasync              = {:.2f} (target >= {:.0f}, ceiling {}): {}\n",
               r.d->batches_per_sync, target_batches_per_sync, r.d->appenders,
               verdict(r.d->batches_per_sync >= target_batches_per_sync));
  if (r.restart) {
    double clean = median(r.restart->clean_ms);
    fmt::print("  clean open median                      = {:.1f} ms (target < {:.0f} ms): {}\n", clean,
               target_clean_open_ms, verdict(clean < target_clean_open_ms));
  }
}

json to_json(const bench_results& r) {
  json report;
  report.set("benchmark", "storage")
      .set("date", r.machine.date)
      .set("time_utc", r.machine.time_utc)
      .set("git_commit", r.git_commit)
      .set("machine", to_json(r.machine))
      .set("load_average_at_end", load_average())
      .set("parameters", r.parameters)
      .set("conditions", r.conditions)
      .set("units", "MB = 10^6 bytes, MiB = 2^20 bytes");

  json raw;
  if (!r.raw_mib_writes.empty())
    raw.set("sequential_1mib_writes_fdatasync_at_end", rounds_json(r.raw_mib_writes));
  if (!r.raw_batch_writes.empty())
    raw.set("sequential_batch_sized_writes_fdatasync_at_end", rounds_json(r.raw_batch_writes));
  if (r.raw_synced) raw.set("write_16kib_fdatasync_each", to_json(*r.raw_synced));
  report.set("filesystem_baseline", std::move(raw));

  json append;
  if (!r.a.empty()) append.set("a_no_flush_one_fdatasync_at_end", rounds_json(r.a));
  if (!r.b.empty()) append.set("b_flush_ms_1000", rounds_json(r.b));
  if (r.c) append.set("c_flush_messages_1_one_appender", to_json(*r.c));
  if (r.d) append.set("d_flush_messages_1_concurrent_appenders", to_json(*r.d));
  report.set("log_append", std::move(append));

  json read;
  if (!r.read_warm.empty()) read.set("warm_page_cache", rounds_json(r.read_warm));
  if (!r.read_warm_malloc_keeps.empty())
    read.set("warm_page_cache_malloc_keeping_freed_memory", rounds_json(r.read_warm_malloc_keeps));
  if (!r.read_cold.empty()) read.set("after_fadvise_dontneed", rounds_json(r.read_cold));
  report.set("log_sequential_read", std::move(read));
  if (r.restart) report.set("restart", to_json(*r.restart));

  json targets;
  if (!r.a.empty() && !r.raw_mib_writes.empty())
    targets.set("append_a_vs_raw_1mib_sequential", target(append_vs_raw(r), target_append_vs_raw, true));
  if (r.d) {
    auto t = target(r.d->batches_per_sync, target_batches_per_sync, true);
    // Each appender waits for its batch before sending the next, so no sync
    // can cover more batches than there are appenders.
    t.set("ceiling", r.d->appenders);
    targets.set("batches_per_fdatasync_d", std::move(t));
  }
  if (r.restart)
    targets.set("clean_open_median_ms", target(median(r.restart->clean_ms), target_clean_open_ms, false));
  report.set("targets", std::move(targets));
  return report;
}

}  // namespace sluice::bench
