// io/directory_lock.h — an exclusive advisory lock (flock) on a directory's
// `.lock` file, so two servers never share one data directory. Released
// when the object is destroyed or the process dies.
#pragma once

#include <string>

#include "base/result.h"

namespace sluice::io {

class directory_lock {
 public:
  static result<directory_lock> acquire(const std::string& dir);
  directory_lock(directory_lock&& other) noexcept : fd_(other.fd_) { other.fd_ = -1; }
  directory_lock& operator=(directory_lock&& other) noexcept;
  directory_lock(const directory_lock&) = delete;
  directory_lock& operator=(const directory_lock&) = delete;
  ~directory_lock();

 private:
  explicit directory_lock(int fd) : fd_(fd) {}
  int fd_;
};

}  // namespace sluice::io
