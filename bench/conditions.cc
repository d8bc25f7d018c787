#include "conditions.h"

#include <fcntl.h>
#include <malloc.h>
#include <unistd.h>

#include <cstring>
#include <thread>
#include <vector>

#include "measure.h"

namespace sluice::bench {
namespace {

constexpr int probe_ops = 32;
constexpr std::size_t probe_bytes = std::size_t{16} * 1024;

}  // namespace

void prefault_page_cache(const std::string& dir, std::uint64_t bytes) {
  auto path = dir + "/prefault.tmp";
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return;  // only improves the conditions; the phase still runs
  std::vector<char> block(mib, 'f');
  for (std::uint64_t done = 0; done < bytes; done += block.size())
    if (::write(fd, block.data(), block.size()) != static_cast<ssize_t>(block.size())) break;
  ::close(fd);
  // Unlinked while still dirty, so the pages are dropped, never written.
  ::unlink(path.c_str());
}

void pin_malloc_defaults() {
  constexpr int glibc_default = 128 * 1024;
  ::mallopt(M_MMAP_THRESHOLD, glibc_default);
  ::mallopt(M_TRIM_THRESHOLD, glibc_default);
}

void let_malloc_keep_memory() {
  constexpr int keep = 64 * 1024 * 1024;
  ::mallopt(M_MMAP_THRESHOLD, keep);
  ::mallopt(M_TRIM_THRESHOLD, keep);
}

double disk_settler::probe_p50_us() const {
  auto path = dir_ + "/settle-probe.dat";
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return 0;
  std::vector<char> block(probe_bytes, 'p');
  std::vector<double> latencies;
  for (int i = 0; i < probe_ops; ++i) {
    auto start = bench_clock::now();
    if (::write(fd, block.data(), block.size()) != static_cast<ssize_t>(block.size()) || ::fdatasync(fd) != 0)
      break;
    latencies.push_back(seconds_since(start) * 1e6);
  }
  ::close(fd);
  ::unlink(path.c_str());
  return median(latencies);
}

double disk_settler::wait() {
  auto start = bench_clock::now();
  bool said = false;
  while (true) {
    double p50 = probe_p50_us();
    if (best_p50_us_ == 0 || p50 < best_p50_us_) best_p50_us_ = p50;
    bool rested = p50 <= std::max(1.5 * best_p50_us_, best_p50_us_ + 100);
    if (rested || seconds_since(start) >= max_wait_) {
      if (!rested) fmt::print("  the disk did not settle within {:.0f} s; going on\n", max_wait_);
      return seconds_since(start);
    }
    if (!said) {
      fmt::print("  waiting for the disk to settle: fdatasync p50 {:.0f} us, rested {:.0f} us\n", p50,
                 best_p50_us_);
      std::fflush(stdout);
      said = true;
    }
    std::this_thread::sleep_for(std::chrono::seconds(1));
  }
}

}  // namespace sluice::bench
