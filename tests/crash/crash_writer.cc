// tests/crash/crash_writer.cc — the process crash_test kills.
//
// `crash_writer DIR SEED` opens the partition log in DIR as after a crash and appends batches of 1–20
// records to it forever. flush.messages=1 makes each append durable before it returns, so only then is the
// batch acknowledged, as one line "base_offset last_offset" on stdout. Offsets continue from what the log
// already holds, and the content of every offset is fixed (crash_record.h), so the test can check the log
// after any number of kills. Exits non-zero on any error: the test only ever expects death by SIGKILL.
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>

#include "crash_record.h"
#include "io/file.h"
#include "storage/partition_log.h"

namespace sluice::crash {
namespace {

[[noreturn]] void die(const std::string& why) {
  std::fprintf(stderr, "crash_writer: %s\n", why.c_str());
  std::exit(1);
}

// One write(2) per line: a pipe write under PIPE_BUF is atomic, so the test never sees half an
// acknowledgement, and nothing is left in a user-space buffer when the kill comes.
void acknowledge(std::int64_t base, std::int64_t last) {
  char line[64];
  int n = std::snprintf(line, sizeof line, "%lld %lld\n", static_cast<long long>(base),
                        static_cast<long long>(last));
  ssize_t written = ::write(STDOUT_FILENO, line, static_cast<std::size_t>(n));
  if (written != n) die("acknowledgement write failed: " + std::to_string(errno));
}

[[noreturn]] void run(const std::string& dir, std::uint64_t seed) {
  auto opened =
      storage::partition_log::open(io::file_system::posix(), dir, crash_log_config(), /*clean=*/false);
  if (!opened) die("open " + dir + ": " + opened.error().describe());
  auto& log = **opened;
  std::int64_t next = log.end_offset();
  // Seeded by where this run starts too, so restarts with the same seed write different batch shapes.
  std::mt19937_64 rng(seed ^ mix(static_cast<std::uint64_t>(next)));
  std::uniform_int_distribution<int> records(1, max_records_per_batch);
  while (true) {
    int count = records(rng);
    auto batch = build_batch(next, count);
    auto appended = log.append(batch);
    if (!appended) die("append at " + std::to_string(next) + ": " + appended.error().describe());
    // The content was derived from the offsets predicted here; any other assignment would be a log bug.
    if (appended->base_offset != next || appended->last_offset != next + count - 1)
      die("append of " + std::to_string(count) + " records expected at " + std::to_string(next) +
          " got offsets " + std::to_string(appended->base_offset) + ".." +
          std::to_string(appended->last_offset));
    acknowledge(appended->base_offset, appended->last_offset);
    next += count;
  }
}

}  // namespace
}  // namespace sluice::crash

int main(int argc, char** argv) {
  if (argc != 3) {
    std::fprintf(stderr, "usage: crash_writer DIR SEED\n");
    return 2;
  }
  // spdlog logs to stdout by default, and stdout carries the acknowledgements.
  spdlog::set_default_logger(spdlog::stderr_logger_mt("crash_writer"));
  sluice::crash::run(argv[1], std::strtoull(argv[2], nullptr, 10));
}
