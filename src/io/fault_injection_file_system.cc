#include "io/fault_injection_file_system.h"

namespace sluice::io {

class fault_injection_file final : public file {
 public:
  fault_injection_file(fault_injection_file_system& fs, std::unique_ptr<file> base,
                       std::shared_ptr<fault_injection_file_system::file_state> state)
      : fs_(fs), base_(std::move(base)), state_(std::move(state)) {}

  result<std::size_t> read_at(mutable_bytes dst, std::uint64_t offset) const override {
    return base_->read_at(dst, offset);
  }

  result<void> write_at(bytes_view src, std::uint64_t offset) override {
    SLUICE_RETURN_IF_ERROR(fs_.begin_operation());
    if (fs_.disk_full()) {
      // A full disk typically accepts part of a write before refusing.
      SLUICE_RETURN_IF_ERROR(base_->write_at(src.first(src.size() / 2), offset));
      return fail(errc::no_space, "injected: no space left on device");
    }
    return base_->write_at(src, offset);
  }

  result<void> sync() override {
    SLUICE_RETURN_IF_ERROR(fs_.begin_operation());
    SLUICE_RETURN_IF_ERROR(base_->sync());
    SLUICE_ASSIGN_OR_RETURN(auto size, base_->size());
    std::lock_guard lock(fs_.mu_);
    state_->synced_size = size;
    return {};
  }

  result<void> truncate(std::uint64_t size) override {
    SLUICE_RETURN_IF_ERROR(fs_.begin_operation());
    SLUICE_RETURN_IF_ERROR(base_->truncate(size));
    std::lock_guard lock(fs_.mu_);
    state_->synced_size = std::min(state_->synced_size, size);
    return {};
  }

  result<std::uint64_t> size() const override { return base_->size(); }
  int native_handle() const override { return base_->native_handle(); }

 private:
  fault_injection_file_system& fs_;
  std::unique_ptr<file> base_;
  std::shared_ptr<fault_injection_file_system::file_state> state_;
};

void fault_injection_file_system::fill_disk(bool full) {
  std::lock_guard lock(mu_);
  disk_full_ = full;
}

bool fault_injection_file_system::disk_full() const {
  std::lock_guard lock(mu_);
  return disk_full_;
}

result<std::unique_ptr<file>> fault_injection_file_system::open(const std::string& path, open_mode mode) {
  bool existed = base_.exists(path);
  SLUICE_ASSIGN_OR_RETURN(auto f, base_.open(path, mode));
  std::lock_guard lock(mu_);
  auto& state = files_[path];
  if (!state) {
    state = std::make_shared<file_state>();
    // A file that was on disk before we saw it counts as synced.
    if (existed) {
      SLUICE_ASSIGN_OR_RETURN(state->synced_size, f->size());
    }
  }
  return std::make_unique<fault_injection_file>(*this, std::move(f), state);
}

void fault_injection_file_system::crash_after(std::size_t operations) {
  std::lock_guard lock(mu_);
  crash_after_ = operations_ + operations;
}

std::size_t fault_injection_file_system::operations() const {
  std::lock_guard lock(mu_);
  return operations_;
}

result<void> fault_injection_file_system::begin_operation() {
  std::lock_guard lock(mu_);
  if (operations_ >= crash_after_) return fail(errc::io_error, "injected: crashed before this operation");
  ++operations_;
  return {};
}

result<void> fault_injection_file_system::remove(const std::string& path) {
  SLUICE_RETURN_IF_ERROR(begin_operation());
  std::lock_guard lock(mu_);
  files_.erase(path);
  return base_.remove(path);
}

result<void> fault_injection_file_system::remove_all(const std::string& path) {
  std::lock_guard lock(mu_);
  for (auto it = files_.begin(); it != files_.end();)
    it = it->first.rfind(path, 0) == 0 ? files_.erase(it) : std::next(it);
  return base_.remove_all(path);
}

result<void> fault_injection_file_system::rename(const std::string& from, const std::string& to) {
  SLUICE_RETURN_IF_ERROR(begin_operation());
  std::lock_guard lock(mu_);
  if (auto it = files_.find(from); it != files_.end()) {
    files_[to] = it->second;
    files_.erase(it);
  }
  return base_.rename(from, to);
}

result<void> fault_injection_file_system::drop_unsynced_data() {
  std::lock_guard lock(mu_);
  for (auto& [path, state] : files_) {
    if (!base_.exists(path)) continue;
    SLUICE_ASSIGN_OR_RETURN(auto f, base_.open(path, open_mode::read_write));
    SLUICE_RETURN_IF_ERROR(f->truncate(state->synced_size));
  }
  return {};
}

}  // namespace sluice::io
