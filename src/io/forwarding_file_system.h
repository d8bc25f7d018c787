// io/forwarding_file_system.h — a file_system that passes every call to another one, for test file
// systems that change one behaviour (what open() returns, say) and override only that.
#pragma once

#include "io/file.h"

namespace sluice::io {

class forwarding_file_system : public file_system {
 public:
  explicit forwarding_file_system(file_system& base) : base_(base) {}

  result<std::unique_ptr<file>> open(const std::string& path, open_mode mode) override {
    return base_.open(path, mode);
  }
  result<void> remove(const std::string& path) override { return base_.remove(path); }
  result<void> remove_all(const std::string& path) override { return base_.remove_all(path); }
  result<void> rename(const std::string& from, const std::string& to) override {
    return base_.rename(from, to);
  }
  result<void> create_directories(const std::string& path) override { return base_.create_directories(path); }
  result<void> sync_directory(const std::string& path) override { return base_.sync_directory(path); }
  result<std::vector<std::string>> list(const std::string& path) override { return base_.list(path); }
  bool exists(const std::string& path) override { return base_.exists(path); }

 protected:
  file_system& base_;
};

}  // namespace sluice::io
