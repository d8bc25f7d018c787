#include "fs_baseline.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <random>
#include <vector>

#include "measure.h"

namespace sluice::bench {
namespace {

[[noreturn]] void die(const std::string& what, const std::string& path) {
  fmt::print(stderr, "storage_bench: {} {}: {}\n", what, path, std::strerror(errno));
  std::exit(1);
}

// Incompressible bytes, so a compressing or deduplicating layer below the
// file system cannot flatter the figures.
std::vector<char> random_block(std::size_t size) {
  std::vector<char> block(size);
  std::mt19937_64 rng(42);
  for (auto& c : block) c = static_cast<char>(rng());
  return block;
}

// A fresh file: rewriting an existing one would measure overwrite, not append.
int create_fresh(const std::string& path) {
  ::unlink(path.c_str());
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  if (fd < 0) die("open", path);
  return fd;
}

void write_all(int fd, const std::vector<char>& block, const std::string& path) {
  std::size_t done = 0;
  while (done < block.size()) {
    ssize_t n = ::write(fd, block.data() + done, block.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) die("write", path);
    done += static_cast<std::size_t>(n);
  }
}

}  // namespace

sequential_write_result raw_sequential_write(const std::string& dir, std::uint64_t bytes,
                                             std::size_t block_bytes) {
  auto path = dir + "/raw-sequential.dat";
  auto block = random_block(block_bytes);
  progress shown("raw write", bytes);
  int fd = create_fresh(path);
  auto start = bench_clock::now();
  std::uint64_t written = 0;
  for (; written < bytes; written += block_bytes) {
    write_all(fd, block, path);
    shown.update(written);
  }
  auto sync_start = bench_clock::now();
  if (::fdatasync(fd) != 0) die("fdatasync", path);
  double seconds = seconds_since(start);
  double sync_seconds = seconds_since(sync_start);
  ::close(fd);
  ::unlink(path.c_str());
  return {written, block_bytes, seconds, sync_seconds, mb_per_s(written, seconds)};
}

synced_write_result raw_synced_writes(const std::string& dir, double seconds, std::size_t block_bytes) {
  auto path = dir + "/raw-synced.dat";
  auto block = random_block(block_bytes);
  int fd = create_fresh(path);
  std::vector<double> latencies_us;
  auto start = bench_clock::now();
  auto deadline =
      start + std::chrono::duration_cast<bench_clock::duration>(std::chrono::duration<double>(seconds));
  while (bench_clock::now() < deadline) {
    auto op_start = bench_clock::now();
    write_all(fd, block, path);
    if (::fdatasync(fd) != 0) die("fdatasync", path);
    latencies_us.push_back(seconds_since(op_start) * 1e6);
  }
  double elapsed = seconds_since(start);
  ::close(fd);
  ::unlink(path.c_str());
  synced_write_result r;
  r.ops = latencies_us.size();
  r.block_bytes = block_bytes;
  r.seconds = elapsed;
  r.ops_per_s = per_s(r.ops, elapsed);
  r.mb_per_s = mb_per_s(r.ops * block_bytes, elapsed);
  r.p50_us = quantile(latencies_us, 0.5);
  r.p99_us = quantile(latencies_us, 0.99);
  return r;
}

json to_json(const sequential_write_result& r) {
  json j;
  j.set("bytes", r.bytes)
      .set("block_bytes", r.block_bytes)
      .set("seconds", r.seconds)
      .set("fdatasync_seconds", r.sync_seconds)
      .set("mb_per_s", r.mb_per_s);
  return j;
}

json to_json(const synced_write_result& r) {
  json j;
  j.set("ops", r.ops)
      .set("block_bytes", r.block_bytes)
      .set("seconds", r.seconds)
      .set("ops_per_s", r.ops_per_s)
      .set("mb_per_s", r.mb_per_s)
      .set("latency_p50_us", r.p50_us)
      .set("latency_p99_us", r.p99_us);
  return j;
}

}  // namespace sluice::bench
