// io/fault_injection_file_system.h — a file_system for tests that breaks on
// purpose, over the real one.
//
// - fill_disk(true): every later write stores only part of its bytes and
//   fails with no_space, as a full disk does; fill_disk(false) frees space.
// - drop_unsynced_data(): truncates every file written through this object to
//   the size it had at its last sync, as a power loss would.
// - crash_after(n): the first n mutating operations (write, sync, truncate,
//   remove, rename, directory sync) succeed, every later one fails with
//   io_error and changes nothing — the process "died" at that point. With
//   drop_unsynced_data() this replays a crash between any two steps.
// Directory operations are passed through and always durable.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "io/file.h"

namespace sluice::io {

class fault_injection_file_system final : public file_system {
 public:
  explicit fault_injection_file_system(file_system& base = file_system::posix()) : base_(base) {}

  void fill_disk(bool full);
  bool disk_full() const;
  result<void> drop_unsynced_data();
  void crash_after(std::size_t operations);
  // Mutating operations attempted so far (how many steps a procedure takes).
  std::size_t operations() const;
  // Counts one mutating operation; fails once the crash point is passed.
  result<void> begin_operation();

  result<std::unique_ptr<file>> open(const std::string& path, open_mode mode) override;
  result<void> remove(const std::string& path) override;
  result<void> remove_all(const std::string& path) override;
  result<void> rename(const std::string& from, const std::string& to) override;
  result<void> create_directories(const std::string& path) override { return base_.create_directories(path); }
  result<void> sync_directory(const std::string& path) override {
    SLUICE_RETURN_IF_ERROR(begin_operation());
    return base_.sync_directory(path);
  }
  result<std::vector<std::string>> list(const std::string& path) override { return base_.list(path); }
  bool exists(const std::string& path) override { return base_.exists(path); }

  // Bookkeeping shared with the files this object opened.
  struct file_state {
    std::uint64_t synced_size = 0;
  };

 private:
  file_system& base_;
  mutable std::mutex mu_;
  bool disk_full_ = false;
  std::size_t operations_ = 0;
  std::size_t crash_after_ = SIZE_MAX;
  std::map<std::string, std::shared_ptr<file_state>> files_;
  friend class fault_injection_file;
};

}  // namespace sluice::io
