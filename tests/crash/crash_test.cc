// tests/crash/crash_test.cc — acknowledged batches survive SIGKILL and torn log tails.
//
// Each iteration starts crash_writer on the same log, reads the batches it acknowledges and SIGKILLs it
// after a random number of them. Some iterations kill it early instead: right after the fork, or after a
// random number of the file operations it makes in the log directory (seen through inotify), so that the
// kill lands inside recovery or the first appends. Some iterations then append a torn tail to the active
// segment, as a crash in the middle of a write would leave. The test then reopens the log as after a crash
// and checks all of it: every batch ever acknowledged is there with exactly the records the writer wrote,
// offsets run from 0 to the end without gaps or duplicates, every batch is CRC-valid and the torn tail is
// gone.
//
// SLUICE_CRASH_SEED=<n> replays another random schedule (kill points still vary with scheduling).
#include <fcntl.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <signal.h>
#include <spdlog/spdlog.h>
#include <sys/inotify.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <optional>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "crash_record.h"
#include "io/file.h"
#include "model/record_batch.h"
#include "storage/partition_log.h"

namespace sluice::crash {
namespace {

constexpr int iterations = 60;
constexpr std::uint64_t default_seed = 20240611;
constexpr int max_acks_to_wait_for = 200;
constexpr int early_kill_one_in = 4;
constexpr int torn_tail_one_in = 3;
constexpr int old_acks_read_back = 16;  // per iteration, besides the new ones
constexpr std::size_t read_budget = 1 << 20;

// One acknowledged append: the batch [base, last] is durable.
struct ack {
  std::int64_t base;
  std::int64_t last;
};

// The offset after everything acknowledged so far.
std::int64_t acked_end(const std::vector<ack>& acked) { return acked.empty() ? 0 : acked.back().last + 1; }

struct totals {
  std::size_t acks = 0;
  std::int64_t acked_records = 0;
  int early_kills_at_spawn = 0;
  int early_kills_in_recovery = 0;  // after the writer touched the log, before its first acknowledgement
  int early_kills_after_acks = 0;
  int torn_tails = 0;
  std::uint64_t bytes_verified = 0;
  std::int64_t end_offset = 0;
  std::size_t segments = 0;
};

std::uint64_t seed_from_env() {
  const char* s = std::getenv("SLUICE_CRASH_SEED");
  return s != nullptr && *s != '\0' ? std::strtoull(s, nullptr, 0) : default_seed;
}

bool one_in(std::mt19937_64& rng, int n) { return std::uniform_int_distribution<int>(1, n)(rng) == 1; }

std::string text(std::optional<bytes_view> b) {
  return b ? std::string(reinterpret_cast<const char*>(b->data()), b->size()) : "<null>";
}

std::string tail_of_file(const std::string& path) {
  std::ifstream in(path);
  std::stringstream all;
  all << in.rdbuf();
  auto s = all.str();
  return s.size() > 4000 ? "..." + s.substr(s.size() - 4000) : s;
}

// A scratch directory, kept for inspection when the test failed.
class scratch_dir {
 public:
  scratch_dir() {
    auto pattern = (std::filesystem::temp_directory_path() / "sluice-crash-XXXXXX").string();
    if (::mkdtemp(pattern.data()) != nullptr) path_ = pattern;
  }
  ~scratch_dir() {
    if (path_.empty()) return;
    if (testing::Test::HasFailure()) {
      std::cout << "crash test: log kept in " << path_ << "\n";
      return;
    }
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  scratch_dir(const scratch_dir&) = delete;
  scratch_dir& operator=(const scratch_dir&) = delete;

  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

// A running crash_writer. Killed and reaped on destruction, so a failed assertion leaks no process.
class writer_process {
 public:
  writer_process() = default;
  ~writer_process() {
    if (pid_ > 0) {
      ::kill(pid_, SIGKILL);
      int status = 0;
      ::waitpid(pid_, &status, 0);
    }
    if (acks_fd_ >= 0) ::close(acks_fd_);
  }
  writer_process(const writer_process&) = delete;
  writer_process& operator=(const writer_process&) = delete;

  // Starts `crash_writer log_dir seed` with stdout into a pipe and stderr into `stderr_path`.
  void spawn(std::string log_dir, std::uint64_t seed, const std::string& stderr_path) {
    int fds[2];
    ASSERT_EQ(::pipe2(fds, O_CLOEXEC), 0) << std::strerror(errno);
    acks_fd_ = fds[0];
    int err_fd = ::open(stderr_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    ASSERT_GE(err_fd, 0) << stderr_path << ": " << std::strerror(errno);
    std::string program = CRASH_WRITER_PATH;
    std::string seed_arg = std::to_string(seed);
    char* argv[] = {program.data(), log_dir.data(), seed_arg.data(), nullptr};
    pid_ = ::fork();
    if (pid_ == 0) {
      // Only async-signal-safe calls between fork and exec. dup2 clears O_CLOEXEC on the copies.
      if (::dup2(fds[1], STDOUT_FILENO) < 0 || ::dup2(err_fd, STDERR_FILENO) < 0) ::_exit(126);
      ::execv(argv[0], argv);
      ::_exit(127);
    }
    ::close(fds[1]);  // so the pipe reports end of file once the writer is gone
    ::close(err_fd);
    ASSERT_GT(pid_, 0) << "fork: " << std::strerror(errno);
  }

  // SIGKILLs the writer (unless it already died) and reaps it; returns its wait status.
  int kill_and_reap() {
    ::kill(pid_, SIGKILL);
    int status = 0;
    while (::waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
    }
    pid_ = -1;
    return status;
  }

  int acks_fd() const { return acks_fd_; }

 private:
  pid_t pid_ = -1;
  int acks_fd_ = -1;
};

// Splits the writer's stdout into acknowledgements.
class ack_reader {
 public:
  explicit ack_reader(int fd) : fd_(fd) {}

  // The next acknowledgement; nullopt at the end of the stream, or on a line that is not one (then
  // `error` says why).
  std::optional<ack> next(std::string* error) {
    while (true) {
      if (auto newline = buffer_.find('\n'); newline != std::string::npos) {
        auto line = buffer_.substr(0, newline);
        buffer_.erase(0, newline + 1);
        return parse(line, error);
      }
      if (eof_) {
        // Each line is one write(2) of less than PIPE_BUF bytes, so a partial line is a broken pipe.
        if (!buffer_.empty()) *error = "torn acknowledgement line '" + buffer_ + "'";
        return std::nullopt;
      }
      char chunk[4096];
      ssize_t n = ::read(fd_, chunk, sizeof chunk);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) {
        *error = std::string("reading acknowledgements: ") + std::strerror(errno);
        return std::nullopt;
      }
      if (n == 0) eof_ = true;
      buffer_.append(chunk, static_cast<std::size_t>(n));
    }
  }

 private:
  static std::optional<ack> parse(const std::string& line, std::string* error) {
    ack a{};
    const char* end = line.data() + line.size();
    auto first = std::from_chars(line.data(), end, a.base);
    if (first.ec == std::errc{} && first.ptr != end && *first.ptr == ' ') {
      auto second = std::from_chars(first.ptr + 1, end, a.last);
      if (second.ec == std::errc{} && second.ptr == end) return a;
    }
    *error = "malformed acknowledgement line '" + line + "'";
    return std::nullopt;
  }

  int fd_;
  std::string buffer_;
  bool eof_ = false;
};

std::string describe_status(int status) {
  if (WIFSIGNALED(status)) return "killed by signal " + std::to_string(WTERMSIG(status));
  if (WIFEXITED(status)) return "exited with status " + std::to_string(WEXITSTATUS(status));
  return "wait status " + std::to_string(status);
}

// Where to kill the writer: after `acks` acknowledgements, or, when `early`, once it has made `log_events`
// file operations in the log directory (0: right after the fork), whatever it acknowledged meanwhile.
struct kill_plan {
  bool early;
  int acks;
  int log_events;
};

// Counts the writer's opens, writes, truncations, creations and removals in the log directory, so an
// early kill lands at a chosen point of its progress through recovery and the first appends rather than
// at a point in time.
class log_dir_watch {
 public:
  explicit log_dir_watch(const std::string& dir) : fd_(::inotify_init1(IN_CLOEXEC)) {
    if (fd_ >= 0)
      watch_ =
          ::inotify_add_watch(fd_, dir.c_str(), IN_OPEN | IN_MODIFY | IN_CREATE | IN_DELETE | IN_CLOSE_WRITE);
  }
  ~log_dir_watch() {
    if (fd_ >= 0) ::close(fd_);
  }
  log_dir_watch(const log_dir_watch&) = delete;
  log_dir_watch& operator=(const log_dir_watch&) = delete;

  bool ok() const { return fd_ >= 0 && watch_ >= 0; }

  // Blocks until `count` events have been seen, or `acks_fd` turns readable (the writer acknowledged a
  // batch, so recovery is over, or it died). Returns the number of events seen.
  int wait_for(int count, int acks_fd) {
    while (seen_ < count) {
      pollfd fds[2] = {{fd_, POLLIN, 0}, {acks_fd, POLLIN, 0}};
      if (::poll(fds, 2, -1) < 0) {
        if (errno == EINTR) continue;
        ADD_FAILURE() << "poll: " << std::strerror(errno);
        break;
      }
      if (fds[1].revents != 0) break;
      if ((fds[0].revents & POLLIN) != 0) count_events();
    }
    return seen_;
  }

 private:
  void count_events() {
    char buffer[8192];
    ssize_t n = ::read(fd_, buffer, sizeof buffer);
    for (ssize_t at = 0; at < n; ++seen_) {
      inotify_event e;
      std::memcpy(&e, buffer + at, sizeof e);
      at += static_cast<ssize_t>(sizeof e + e.len);
    }
  }

  int fd_;
  int watch_ = -1;
  int seen_ = 0;
};

// Checks one acknowledgement of the current run against the ones before it and records it.
void accept_ack(const ack& a, std::int64_t run_start, std::vector<ack>* acked, std::size_t first_of_run,
                totals* t) {
  ASSERT_LE(a.base, a.last) << "acknowledged an empty range";
  ASSERT_LE(a.last - a.base + 1, max_records_per_batch);
  // The log reopened by the writer holds exactly what the last verification saw, so its first append
  // lands at that end offset, and later ones follow each other.
  std::int64_t expected = acked->size() == first_of_run ? run_start : acked->back().last + 1;
  ASSERT_EQ(a.base, expected) << "acknowledged batch [" << a.base << ", " << a.last << "] out of sequence";
  acked->push_back(a);
  ++t->acks;
  t->acked_records += a.last - a.base + 1;
}

// Runs the writer on `log_dir` from `run_start` and kills it; appends what it acknowledged to `acked`.
void run_and_kill(const std::string& log_dir, const std::string& stderr_path, std::uint64_t writer_seed,
                  const kill_plan& plan, std::int64_t run_start, std::vector<ack>* acked, totals* t) {
  log_dir_watch watch(log_dir);
  ASSERT_TRUE(watch.ok()) << "inotify on " << log_dir << ": " << std::strerror(errno);
  writer_process writer;
  ASSERT_NO_FATAL_FAILURE(writer.spawn(log_dir, writer_seed, stderr_path));
  ack_reader reader(writer.acks_fd());
  std::size_t first_of_run = acked->size();
  std::string error;
  if (plan.early) {
    watch.wait_for(plan.log_events, writer.acks_fd());
  } else {
    for (int i = 0; i < plan.acks; ++i) {
      auto a = reader.next(&error);
      if (!a) break;  // the writer died on its own; the wait status below says how
      ASSERT_NO_FATAL_FAILURE(accept_ack(*a, run_start, acked, first_of_run, t));
    }
  }
  int status = writer.kill_and_reap();
  // Lines already in the pipe were acknowledged before the kill, so they count as well.
  while (error.empty()) {
    auto a = reader.next(&error);
    if (!a) break;
    ASSERT_NO_FATAL_FAILURE(accept_ack(*a, run_start, acked, first_of_run, t));
  }
  ASSERT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL)
      << "crash_writer " << describe_status(status) << " instead of being killed; its stderr:\n"
      << tail_of_file(stderr_path);
  ASSERT_EQ(error, "");
  if (!plan.early) return;
  if (acked->size() > first_of_run) {
    ++t->early_kills_after_acks;
  } else if (plan.log_events == 0) {
    ++t->early_kills_at_spawn;
  } else {
    ++t->early_kills_in_recovery;
  }
}

// The newest segment file, the only one a crash can leave torn; "" when the log has none yet.
std::string active_segment_path(const std::string& log_dir) {
  std::error_code ec;
  std::string newest;
  for (const auto& entry : std::filesystem::directory_iterator(log_dir, ec)) {
    auto name = entry.path().filename().string();
    // Base offsets are zero-padded to 20 digits, so the greatest name is the newest segment.
    if (name.size() == 24 && name.ends_with(".log") && name > newest) newest = name;
  }
  return newest.empty() ? "" : log_dir + "/" + newest;
}

// What a crash in the middle of a write can leave after the last whole batch: random bytes, the first part
// of a batch, or a whole batch with a byte that never reached the disk (so its CRC fails).
std::vector<std::byte> torn_tail(std::mt19937_64& rng, std::int64_t next_offset, std::string* kind) {
  auto pick = std::uniform_int_distribution<int>(0, 2)(rng);
  if (pick == 0) {
    *kind = "random bytes";
    std::vector<std::byte> garbage(std::uniform_int_distribution<std::size_t>(1, 200)(rng));
    for (auto& b : garbage) b = static_cast<std::byte>(rng());
    return garbage;
  }
  auto batch = build_batch(next_offset, std::uniform_int_distribution<int>(1, max_records_per_batch)(rng));
  model::set_base_offset(batch, next_offset);
  if (pick == 1) {
    *kind = "partial batch";
    batch.resize(std::uniform_int_distribution<std::size_t>(1, batch.size() - 1)(rng));
    return batch;
  }
  *kind = "batch failing its CRC";
  auto at = std::uniform_int_distribution<std::size_t>(model::batch_crc_covered_from, batch.size() - 1)(rng);
  batch[at] ^= static_cast<std::byte>(std::uniform_int_distribution<int>(1, 255)(rng));
  return batch;
}

void append_to_file(const std::string& path, const std::vector<std::byte>& bytes) {
  int fd = ::open(path.c_str(), O_WRONLY | O_APPEND | O_CLOEXEC);
  ASSERT_GE(fd, 0) << path << ": " << std::strerror(errno);
  ssize_t n = ::write(fd, bytes.data(), bytes.size());
  int err = errno;
  ::close(fd);
  ASSERT_EQ(n, static_cast<ssize_t>(bytes.size())) << path << ": " << std::strerror(err);
}

// A torn tail appended to the active segment; `path` is "" when none was.
struct torn_tail_info {
  std::string path;
  std::uintmax_t size_before = 0;
  std::string description;
};

void tear_active_segment(const std::string& log_dir, std::int64_t next_offset, std::mt19937_64& rng,
                         torn_tail_info* torn) {
  auto path = active_segment_path(log_dir);
  if (path.empty()) return;  // the writer was killed before it created the first segment
  std::string kind;
  auto tail = torn_tail(rng, next_offset, &kind);
  torn->size_before = std::filesystem::file_size(path);
  torn->description = "torn tail of " + std::to_string(tail.size()) + " bytes (" + kind + ") after byte " +
                      std::to_string(torn->size_before) + " of " + path;
  ASSERT_NO_FATAL_FAILURE(append_to_file(path, tail));
  torn->path = path;
}

// Checks one batch read from the log: it starts at `*next_offset` and holds exactly the records the
// writer derived from their offsets. Advances `*next_offset` past it.
void check_batch(bytes_view batch, std::int64_t* next_offset, std::map<std::int64_t, std::int64_t>* batches,
                 totals* t) {
  auto h = model::validate_batch(batch);
  ASSERT_TRUE(h) << "batch at offset " << *next_offset << ": " << h.error().describe();
  ASSERT_EQ(h->base_offset, *next_offset) << "gap or duplicate in the log";
  ASSERT_EQ(h->records_count, h->last_offset_delta + 1) << "batch at offset " << h->base_offset;
  std::int64_t expected = h->base_offset;
  std::string mismatch;
  auto decoded = model::for_each_record(*h, batch.subspan(model::batch_header_size), [&](const auto& r) {
    auto key = text(r.key);
    auto value = text(r.value);
    if (r.offset != expected || key != record_key(expected) || value != record_value(expected)) {
      mismatch = "record at offset " + std::to_string(expected) + " reads as offset " +
                 std::to_string(r.offset) + " key '" + key + "' value of " + std::to_string(value.size()) +
                 " bytes '" + value.substr(0, 40) + "...'";
      return false;
    }
    ++expected;
    return true;
  });
  ASSERT_TRUE(decoded) << "batch at offset " << h->base_offset << ": " << decoded.error().describe();
  ASSERT_EQ(mismatch, "");
  ASSERT_EQ(expected, h->next_offset()) << "batch at offset " << h->base_offset << " holds too few records";
  (*batches)[h->base_offset] = h->last_offset();
  t->bytes_verified += batch.size();
  *next_offset = h->next_offset();
}

// Reads the whole log front to back; collects every batch's offsets into `batches`.
void scan_whole_log(const storage::partition_log& log, std::int64_t end,
                    std::map<std::int64_t, std::int64_t>* batches, totals* t) {
  std::int64_t next = 0;
  while (next < end) {
    auto got = log.read(next, read_budget);
    ASSERT_TRUE(got) << "read at offset " << next << ": " << got.error().describe();
    ASSERT_FALSE(got->batches.empty())
        << "read at offset " << next << " below the end " << end << " found nothing";
    auto views = model::split_batches(got->batches);
    ASSERT_TRUE(views) << "read at offset " << next << ": " << views.error().describe();
    for (auto view : *views) ASSERT_NO_FATAL_FAILURE(check_batch(view, &next, batches, t));
  }
  ASSERT_EQ(next, end) << "the last batch runs past the log's end offset";
}

// Reads an acknowledged batch by its base offset, as a consumer would, through the offset index.
void read_back(const storage::partition_log& log, const ack& a, totals* t) {
  auto got = log.read(a.base, 1);
  ASSERT_TRUE(got) << "read of acknowledged offset " << a.base << ": " << got.error().describe();
  ASSERT_FALSE(got->batches.empty()) << "read of acknowledged offset " << a.base << " found nothing";
  auto h = model::decode_header(got->batches);
  ASSERT_TRUE(h);
  ASSERT_LE(h->size_bytes(), got->batches.size()) << "read of acknowledged offset " << a.base;
  ASSERT_EQ(h->base_offset, a.base);
  ASSERT_EQ(h->last_offset(), a.last);
  std::map<std::int64_t, std::int64_t> ignored;
  std::int64_t next = a.base;
  ASSERT_NO_FATAL_FAILURE(check_batch(bytes_view(got->batches).first(h->size_bytes()), &next, &ignored, t));
}

// Reopens the log as after a crash and checks all of it against every acknowledgement so far: the ones
// of this run from index `new_from` on are also read back one by one, with a sample of older ones.
void verify_log(const std::string& log_dir, const std::vector<ack>& acked, std::size_t new_from,
                std::mt19937_64& rng, totals* t) {
  auto opened = storage::partition_log::open(io::file_system::posix(), log_dir, crash_log_config(), false);
  ASSERT_TRUE(opened) << "recovery failed: " << opened.error().describe();
  auto& log = **opened;
  ASSERT_EQ(log.log_start_offset(), 0);
  std::int64_t end = log.end_offset();
  ASSERT_GE(end, acked_end(acked)) << "the log ends before its last acknowledged offset";

  std::map<std::int64_t, std::int64_t> batches;  // base → last offset of every batch in the log
  ASSERT_NO_FATAL_FAILURE(scan_whole_log(log, end, &batches, t));
  for (const auto& a : acked) {
    auto found = batches.find(a.base);
    ASSERT_TRUE(found != batches.end() && found->second == a.last)
        << "acknowledged batch [" << a.base << ", " << a.last << "] is not a batch of the recovered log";
  }
  for (std::size_t i = new_from; i < acked.size(); ++i) ASSERT_NO_FATAL_FAILURE(read_back(log, acked[i], t));
  for (int i = 0; i < old_acks_read_back && new_from > 0; ++i)
    ASSERT_NO_FATAL_FAILURE(
        read_back(log, acked[std::uniform_int_distribution<std::size_t>(0, new_from - 1)(rng)], t));

  t->end_offset = end;
  t->segments = log.stats().segments;
  auto closed = log.close();
  ASSERT_TRUE(closed) << closed.error().describe();
}

// Most kills come after some acknowledgements (log-uniform, so mostly a few and sometimes many, across
// segment rolls). Early kills come at spawn, or after a number of file operations in the log directory:
// opening it and each sealed segment takes one each, then recovering the active segment about ten (open
// it, maybe cut it, open, truncate, rewrite and close both indexes), then each append one. The range below
// reaches from the last sealed opens through the recovery into the first few appends.
kill_plan plan_kill(std::mt19937_64& rng, std::size_t segments) {
  kill_plan plan{one_in(rng, early_kill_one_in), 0, 0};
  if (!plan.early) {
    auto log_acks = std::uniform_real_distribution<double>(0, std::log(max_acks_to_wait_for + 0.99))(rng);
    plan.acks = static_cast<int>(std::exp(log_acks));
  } else if (!one_in(rng, 4)) {
    auto last_sealed_opened = static_cast<int>(segments);
    plan.log_events = std::max(1, last_sealed_opened + std::uniform_int_distribution<int>(-2, 16)(rng));
  }
  return plan;
}

TEST(Crash, AcknowledgedBatchesSurviveSigkill) {
  auto seed = seed_from_env();
  SCOPED_TRACE(testing::Message() << "SLUICE_CRASH_SEED=" << seed);
  // Recoveries and truncations are the point here; only errors are worth printing.
  spdlog::set_level(spdlog::level::err);
  std::mt19937_64 rng(seed);
  scratch_dir scratch;
  ASSERT_FALSE(scratch.path().empty()) << "mkdtemp: " << std::strerror(errno);
  auto log_dir = scratch.path() + "/log";
  auto stderr_path = scratch.path() + "/writer.stderr";
  // Made here rather than by the first writer, so the first early kill has a directory to watch.
  std::filesystem::create_directories(log_dir);

  std::vector<ack> acked;
  totals t;
  for (int i = 0; i < iterations; ++i) {
    auto plan = plan_kill(rng, t.segments);
    bool tear = one_in(rng, torn_tail_one_in);
    SCOPED_TRACE(testing::Message() << "iteration " << i << ": kill after "
                                    << (plan.early ? std::to_string(plan.log_events) + " log file operations"
                                                   : std::to_string(plan.acks) + " acknowledgements")
                                    << (tear ? ", then tear the tail" : ""));
    std::size_t new_from = acked.size();
    ASSERT_NO_FATAL_FAILURE(run_and_kill(log_dir, stderr_path, rng(), plan, t.end_offset, &acked, &t));

    torn_tail_info torn;
    if (tear) {
      ASSERT_NO_FATAL_FAILURE(tear_active_segment(log_dir, acked_end(acked), rng, &torn));
    }
    SCOPED_TRACE(torn.path.empty() ? "no torn tail" : torn.description);
    t.torn_tails += torn.path.empty() ? 0 : 1;
    ASSERT_NO_FATAL_FAILURE(verify_log(log_dir, acked, new_from, rng, &t));
    if (!torn.path.empty()) {
      ASSERT_LE(std::filesystem::file_size(torn.path), torn.size_before) << "recovery kept the torn tail";
    }
  }
  std::cout << "crash test: seed " << seed << ", " << iterations
            << " iterations (early kills: " << t.early_kills_at_spawn << " at spawn, "
            << t.early_kills_in_recovery << " in recovery or first append, " << t.early_kills_after_acks
            << " after acknowledgements; " << t.torn_tails << " torn tails), " << t.acks
            << " acknowledged batches (" << t.acked_records << " records), " << t.bytes_verified
            << " bytes verified, log end offset " << t.end_offset << " in " << t.segments << " segments\n";
}

}  // namespace
}  // namespace sluice::crash
