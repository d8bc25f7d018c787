// Writes arbitrary bytes as the active segment of a partition and opens it
// after an unclean stop: recovery must truncate whatever is not a valid
// batch, and the log must then read back and accept appends.
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <string>

#include "base/assert.h"
#include "model/record_batch_builder.h"
#include "storage/partition_log.h"

using namespace sluice;

namespace {

// A scratch directory removed when the process exits (libFuzzer ends with exit()).
struct scratch_directory {
  std::string path;
  scratch_directory() {
    // tmpfs when there is one: recovery fdatasyncs, and a disk would make that the whole cost.
    std::filesystem::path base = std::filesystem::exists("/dev/shm") ? std::filesystem::path("/dev/shm")
                                                                     : std::filesystem::temp_directory_path();
    path = base / "sluice-fuzz-XXXXXX";
    SLUICE_ASSERT(::mkdtemp(path.data()) != nullptr, "mkdtemp");
  }
  ~scratch_directory() { std::filesystem::remove_all(path); }
};

const std::string& scratch_dir() {
  static const scratch_directory dir;
  return dir.path;
}

void write_segment(const std::string& dir, const std::uint8_t* data, std::size_t size) {
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  auto f = io::file_system::posix().open(dir + "/00000000000000000000.log", io::open_mode::read_write);
  SLUICE_ASSERT(f.has_value(), "open segment");
  SLUICE_ASSERT((*f)->write_at(bytes_view(reinterpret_cast<const std::byte*>(data), size), 0).has_value(),
                "write segment");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  auto dir = scratch_dir() + "/p";
  write_segment(dir, data, size);
  auto log = storage::partition_log::open(io::file_system::posix(), dir, storage::log_config{}, false);
  if (!log) return 0;  // an I/O error is an answer too; a crash is not
  auto end = (*log)->end_offset();
  for (std::int64_t offset = (*log)->log_start_offset(); offset < end;) {
    auto read = (*log)->read(offset, 1 << 20);
    SLUICE_ASSERT(read.has_value(), "recovered data must read back");
    auto batches = model::split_batches(read->batches);
    SLUICE_ASSERT(batches.has_value() && !batches->empty(), "reads return whole valid batches");
    offset = model::decode_header(batches->back())->next_offset();
  }
  auto batch = model::record_batch_builder().add("k", "v", 1).build();
  auto appended = (*log)->append(batch);
  SLUICE_ASSERT(appended.has_value() && appended->base_offset == end, "a recovered log accepts appends");
  return 0;
}
