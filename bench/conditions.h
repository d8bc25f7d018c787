// bench/conditions.h — puts the machine in the same state before each phase,
// so a phase is not charged for what the one before it left behind.
//
// Two effects matter on virtual machines (measured on the Firecracker VM the
// first results came from; see docs/benchmarks.md):
//  - Free guest memory is handed back to the host (virtio-balloon free page
//    reporting) a few seconds after it is freed; touching it again costs a
//    host page fault per page, which caps buffered writes near 450 MB/s
//    instead of several GB/s. prefault_page_cache() makes the next phase's
//    page cache come from freshly used pages, as on a machine whose memory
//    is resident.
//  - After a burst of writes the virtual disk throttles small synced writes
//    (fdatasync latency jumps from ~0.2 ms to 4 ms) for ten seconds or more.
//    disk_settler::wait() waits until it is back to its rested latency.
#pragma once

#include <cstdint>
#include <string>

namespace sluice::bench {

// Writes `bytes` to a scratch file in `dir` and deletes it before any of it
// reaches the disk. The freed page-cache folios are the first the next
// writer gets (anonymous memory does not work: the page cache allocates
// large folios, which small anonymous pages do not leave behind).
void prefault_page_cache(const std::string& dir, std::uint64_t bytes);

// glibc malloc adjusts its mmap and trim thresholds to what a process has
// freed so far, so the cost of allocating a large buffer (fresh pages, each
// one faulted in, or recycled heap) depends on every earlier phase. The
// benchmark pins glibc's documented defaults (128 KiB for both: a block that
// large is a fresh mapping every time) so figures do not depend on phase order.
void pin_malloc_defaults();
// Thresholds of 64 MiB: freed large blocks stay in the heap and are reused
// without page faults, as in a process whose thresholds have grown.
void let_malloc_keep_memory();

class disk_settler {
 public:
  disk_settler(std::string dir, double max_wait_seconds)
      : dir_(std::move(dir)), max_wait_(max_wait_seconds) {}

  // Waits until the median of a short probe of 16 KiB write + fdatasync is
  // within 1.5x (or 100 us) of the best seen so far, or max_wait seconds
  // pass. Returns the seconds waited.
  double wait();

  double rested_p50_us() const { return best_p50_us_; }

 private:
  double probe_p50_us() const;

  std::string dir_;
  double max_wait_;
  double best_p50_us_ = 0;
};

}  // namespace sluice::bench
