#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>

#include "io/file.h"

namespace sluice::io {
namespace {

error os_error(const std::string& what, const std::string& path, int err) {
  auto code = (err == ENOSPC || err == EDQUOT) ? errc::no_space
              : err == ENOENT                  ? errc::not_found
              : err == EEXIST                  ? errc::already_exists
                                               : errc::io_error;
  return error{code, what + " " + path + ": " + std::strerror(err)};
}

class posix_file final : public file {
 public:
  posix_file(int fd, std::string path) : fd_(fd), path_(std::move(path)) {}
  ~posix_file() override {
    if (direct_fd_ >= 0) ::close(direct_fd_);
    ::close(fd_);
  }
  posix_file(const posix_file&) = delete;
  posix_file& operator=(const posix_file&) = delete;

  result<std::size_t> read_at(mutable_bytes dst, std::uint64_t offset) const override {
    std::size_t done = 0;
    while (done < dst.size()) {
      ssize_t n = ::pread(fd_, dst.data() + done, dst.size() - done, static_cast<off_t>(offset + done));
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) return tl::unexpected(os_error("read", path_, errno));
      if (n == 0) break;
      done += static_cast<std::size_t>(n);
    }
    return done;
  }

  result<void> write_at(bytes_view src, std::uint64_t offset) override {
    std::size_t done = 0;
    while (done < src.size()) {
      ssize_t n = ::pwrite(fd_, src.data() + done, src.size() - done, static_cast<off_t>(offset + done));
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) return tl::unexpected(os_error("write", path_, errno));
      done += static_cast<std::size_t>(n);
    }
    return {};
  }

  result<void> write_direct_at(bytes_view src, std::uint64_t offset) override {
    if (direct_fd_ == direct_unopened) {
      // A second descriptor, so reads stay buffered. tmpfs and some others refuse O_DIRECT (EINVAL).
      direct_fd_ = ::open(path_.c_str(), O_WRONLY | O_DIRECT | O_CLOEXEC);
      if (direct_fd_ < 0) direct_fd_ = direct_refused;
    }
    if (direct_fd_ < 0) return write_at(src, offset);
    std::size_t done = 0;
    while (done < src.size()) {
      ssize_t n =
          ::pwrite(direct_fd_, src.data() + done, src.size() - done, static_cast<off_t>(offset + done));
      if (n < 0 && errno == EINTR) continue;
      if (n < 0 && errno == EINVAL && done == 0) {  // an alignment this device does not take
        ::close(direct_fd_);
        direct_fd_ = direct_refused;
        return write_at(src, offset);
      }
      if (n < 0) return tl::unexpected(os_error("write", path_, errno));
      done += static_cast<std::size_t>(n);
    }
    return {};
  }

  result<void> sync() override {
    if (::fdatasync(fd_) != 0) return tl::unexpected(os_error("fdatasync", path_, errno));
    return {};
  }

  result<void> start_writeback([[maybe_unused]] std::uint64_t offset,
                               [[maybe_unused]] std::uint64_t length) override {
#ifdef __linux__
    if (::sync_file_range(fd_, static_cast<off_t>(offset), static_cast<off_t>(length),
                          SYNC_FILE_RANGE_WRITE) != 0)
      return tl::unexpected(os_error("sync_file_range", path_, errno));
#endif
    return {};
  }

  result<void> truncate(std::uint64_t size) override {
    if (::ftruncate(fd_, static_cast<off_t>(size)) != 0)
      return tl::unexpected(os_error("truncate", path_, errno));
    return {};
  }

  result<std::uint64_t> size() const override {
    struct stat st {};
    if (::fstat(fd_, &st) != 0) return tl::unexpected(os_error("stat", path_, errno));
    return static_cast<std::uint64_t>(st.st_size);
  }

  int native_handle() const override { return fd_; }

 private:
  static constexpr int direct_unopened = -1;
  static constexpr int direct_refused = -2;

  int fd_;
  int direct_fd_ = direct_unopened;
  std::string path_;
};

class posix_file_system final : public file_system {
 public:
  result<std::unique_ptr<file>> open(const std::string& path, open_mode mode) override {
    int flags = O_CLOEXEC;
    switch (mode) {
      case open_mode::read_only:
        flags |= O_RDONLY;
        break;
      case open_mode::read_write:
        flags |= O_RDWR | O_CREAT;
        break;
      case open_mode::create_exclusive:
        flags |= O_RDWR | O_CREAT | O_EXCL;
        break;
    }
    int fd = ::open(path.c_str(), flags, 0644);
    if (fd < 0) return tl::unexpected(os_error("open", path, errno));
    return std::make_unique<posix_file>(fd, path);
  }

  result<void> remove(const std::string& path) override {
    if (::unlink(path.c_str()) != 0) return tl::unexpected(os_error("remove", path, errno));
    return {};
  }

  result<void> remove_all(const std::string& path) override {
    std::error_code ec;
    std::filesystem::remove_all(path, ec);
    if (ec) return tl::unexpected(os_error("remove", path, ec.value()));
    return {};
  }

  result<void> rename(const std::string& from, const std::string& to) override {
    if (::rename(from.c_str(), to.c_str()) != 0)
      return tl::unexpected(os_error("rename", from + " to", errno));
    return {};
  }

  result<void> create_directories(const std::string& path) override {
    std::error_code ec;
    std::filesystem::create_directories(path, ec);
    if (ec) return tl::unexpected(os_error("mkdir", path, ec.value()));
    return {};
  }

  result<void> sync_directory(const std::string& path) override {
    int fd = ::open(path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) return tl::unexpected(os_error("open", path, errno));
    int rc = ::fsync(fd);
    int err = errno;
    ::close(fd);
    if (rc != 0) return tl::unexpected(os_error("fsync", path, err));
    return {};
  }

  result<std::vector<std::string>> list(const std::string& path) override {
    DIR* dir = ::opendir(path.c_str());
    if (dir == nullptr) return tl::unexpected(os_error("list", path, errno));
    std::vector<std::string> names;
    while (dirent* entry = ::readdir(dir)) {
      std::string name = entry->d_name;
      if (name != "." && name != "..") names.push_back(std::move(name));
    }
    ::closedir(dir);
    std::sort(names.begin(), names.end());
    return names;
  }

  bool exists(const std::string& path) override {
    struct stat st {};
    return ::stat(path.c_str(), &st) == 0;
  }
};

}  // namespace

file_system& file_system::posix() {
  static posix_file_system instance;
  return instance;
}

}  // namespace sluice::io
