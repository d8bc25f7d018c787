// stream/rocksdb_store.cc — the state_store on RocksDB: one database per dataflow, default bytewise
// comparator (which is the order codec.h preserves). Durability comes from checkpoints, not from each
// batch: the live database is rebuilt from a checkpoint at startup, so writes skip the write-ahead
// log altogether. Logs are files in their own directory, named by the hex of the log's name.
#include <fmt/format.h>
#include <rocksdb/db.h>
#include <rocksdb/utilities/checkpoint.h>
#include <rocksdb/write_batch.h>

#include <atomic>
#include <mutex>
#include <set>
#include <shared_mutex>

#include "io/direct_appender.h"
#include "io/file.h"
#include "stream/state_store.h"

namespace sluice::stream {
namespace {

// Appends bypass the page cache (io::direct_appender): a view's row log is written once and read
// back rarely (pull queries, restarts), so caching it would only cost a copy and memory per byte.
class file_log final : public state_log {
 public:
  file_log(std::unique_ptr<io::file> file, io::direct_appender appender)
      : file_(std::move(file)), appender_(std::move(appender)), size_(appender_.size()) {}

  result<std::uint64_t> size() override { return size_.load(); }
  result<void> read(std::uint64_t offset, std::uint64_t length, std::string& out) override {
    std::shared_lock lock(mu_);
    if (offset + length > size_) return fail(errc::corruption, "the log is shorter than asked");
    std::size_t at = out.size();
    out.resize(at + length);
    SLUICE_ASSIGN_OR_RETURN(std::size_t got, file_->read_at(as_writable_bytes(out, at), offset));
    if (got != length) return fail(errc::corruption, "the log is shorter than asked");
    return {};
  }
  result<void> truncate(std::uint64_t size) override {
    std::unique_lock lock(mu_);
    if (size >= size_) return {};
    SLUICE_RETURN_IF_ERROR(file_->truncate(size));
    SLUICE_RETURN_IF_ERROR(file_->sync());
    SLUICE_RETURN_IF_ERROR(appender_.reset(size));
    size_ = size;
    return {};
  }
  result<void> append(std::string_view bytes) override {
    std::unique_lock lock(mu_);  // a read during the rewrite of the last block could cache it stale
    SLUICE_RETURN_IF_ERROR(
        appender_.append({reinterpret_cast<const std::byte*>(bytes.data()), bytes.size()}));
    size_ = appender_.size();
    return {};
  }
  result<void> sync() override { return file_->sync(); }

 private:
  static mutable_bytes as_writable_bytes(std::string& s, std::size_t at) {
    return {reinterpret_cast<std::byte*>(s.data() + at), s.size() - at};
  }

  std::unique_ptr<io::file> file_;
  io::direct_appender appender_;
  std::shared_mutex mu_;  // read() runs on reader threads while the owner appends
  std::atomic<std::uint64_t> size_;
};

error from_status(const rocksdb::Status& s) { return error{errc::io_error, "state store: " + s.ToString()}; }

rocksdb::Slice slice(std::string_view s) { return {s.data(), s.size()}; }

class rocksdb_store final : public state_store {
 public:
  rocksdb_store(std::unique_ptr<rocksdb::DB> db, std::string logs_dir)
      : db_(std::move(db)), logs_dir_(std::move(logs_dir)) {}

  result<std::optional<std::string>> get(std::string_view key) override {
    std::string value;
    rocksdb::Status s = db_->Get(rocksdb::ReadOptions(), slice(key), &value);
    if (s.IsNotFound()) return std::optional<std::string>();
    if (!s.ok()) return tl::unexpected(from_status(s));
    return std::optional<std::string>(std::move(value));
  }
  result<void> put(std::string_view key, std::string_view value) override {
    return check(db_->Put(write_options(), slice(key), slice(value)));
  }
  result<void> erase(std::string_view key) override {
    return check(db_->Delete(write_options(), slice(key)));
  }

  result<void> scan(std::string_view begin, std::string_view end, const scan_fn& fn) override {
    rocksdb::ReadOptions options;
    rocksdb::Slice upper = slice(end);
    if (!end.empty()) options.iterate_upper_bound = &upper;
    std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(options));
    for (it->Seek(slice(begin)); it->Valid(); it->Next()) {
      if (!fn(it->key().ToStringView(), it->value().ToStringView())) break;
    }
    return check(it->status());
  }

  std::uint64_t approximate_size(std::string_view begin, std::string_view end) override {
    std::string upper = end.empty() ? std::string(1, '\xff') : std::string(end);
    rocksdb::Range range(slice(begin), slice(upper));
    rocksdb::SizeApproximationOptions options;
    options.include_memtables = true;
    options.include_files = true;
    std::uint64_t size = 0;
    if (!db_->GetApproximateSizes(options, db_->DefaultColumnFamily(), &range, 1, &size).ok()) return 0;
    return size;
  }

  result<void> checkpoint(const std::string& dir) override {
    rocksdb::Checkpoint* raw = nullptr;
    SLUICE_RETURN_IF_ERROR(check(rocksdb::Checkpoint::Create(db_.get(), &raw)));
    std::unique_ptr<rocksdb::Checkpoint> maker(raw);
    // Flushes the memtable first (log_size_for_flush 0), so the checkpoint is SST files only: links.
    return check(maker->CreateCheckpoint(dir, 0));
  }

  // In pieces of about piece_bytes, through one reused rocksdb::WriteBatch: a checkpoint's batch can
  // hold hundreds of megabytes, and copying it whole into one more buffer costs memory and page faults.
  result<void> write(const write_batch& batch) override {
    SLUICE_RETURN_IF_ERROR(batch.write_appends());
    constexpr std::size_t piece_bytes = 4 << 20;
    rocksdb::WriteBatch piece;
    rocksdb::Status status;
    batch.for_each([&](const write_batch::op& op) {
      if (!status.ok()) return;
      status = op.value ? piece.Put(slice(op.key), slice(*op.value)) : piece.Delete(slice(op.key));
      if (status.ok() && piece.GetDataSize() >= piece_bytes) {
        status = db_->Write(write_options(), &piece);
        piece.Clear();
      }
    });
    if (status.ok() && piece.Count() > 0) status = db_->Write(write_options(), &piece);
    return check(status);
  }
  result<std::shared_ptr<state_log>> open_log(std::string_view name) override {
    io::file_system& fs = io::file_system::posix();
    std::string path = log_path(name);
    bool existed = fs.exists(path);
    SLUICE_ASSIGN_OR_RETURN(auto file, fs.open(path, io::open_mode::read_write));
    SLUICE_ASSIGN_OR_RETURN(std::uint64_t size, file->size());
    if (!existed) SLUICE_RETURN_IF_ERROR(fs.sync_directory(logs_dir_));
    std::lock_guard lock(logs_mu_);
    opened_.insert(log_file_name(name));
    SLUICE_ASSIGN_OR_RETURN(auto appender, io::direct_appender::open(*file, size));
    return std::shared_ptr<state_log>(std::make_shared<file_log>(std::move(file), std::move(appender)));
  }

  result<void> remove_log(std::string_view name) override {
    io::file_system& fs = io::file_system::posix();
    std::string path = log_path(name);
    if (!fs.exists(path)) return {};
    SLUICE_RETURN_IF_ERROR(fs.remove(path));
    return fs.sync_directory(logs_dir_);
  }

  result<void> remove_unopened_logs() override {
    io::file_system& fs = io::file_system::posix();
    SLUICE_ASSIGN_OR_RETURN(auto names, fs.list(logs_dir_));
    std::lock_guard lock(logs_mu_);
    for (const std::string& file : names) {
      if (!opened_.contains(file)) SLUICE_RETURN_IF_ERROR(fs.remove(logs_dir_ + "/" + file));
    }
    return {};
  }

 private:
  static std::string log_file_name(std::string_view name) {
    std::string hex;
    for (unsigned char c : name) hex += fmt::format("{:02x}", c);
    return hex + ".log";
  }
  std::string log_path(std::string_view name) const { return logs_dir_ + "/" + log_file_name(name); }

  static rocksdb::WriteOptions write_options() {
    rocksdb::WriteOptions o;
    o.sync = false;
    o.disableWAL = true;
    return o;
  }
  static result<void> check(const rocksdb::Status& s) {
    if (!s.ok()) return tl::unexpected(from_status(s));
    return {};
  }

  std::unique_ptr<rocksdb::DB> db_;
  std::string logs_dir_;
  std::mutex logs_mu_;
  std::set<std::string> opened_;  // file names of the logs opened since the store was
};

}  // namespace

result<std::unique_ptr<state_store>> open_rocksdb_store(const std::string& dir, const std::string& logs_dir) {
  SLUICE_RETURN_IF_ERROR(io::file_system::posix().create_directories(logs_dir));
  rocksdb::Options options;
  options.create_if_missing = true;
  // Levels 0 and 1 are rewritten soon after they are written (every checkpoint flushes the memtable
  // to level 0): compressing them costs CPU for little. Deeper levels hold the long-lived state.
  options.compression_per_level = {rocksdb::kNoCompression, rocksdb::kNoCompression};
  for (int level = 2; level < options.num_levels; ++level)
    options.compression_per_level.push_back(rocksdb::kSnappyCompression);
  rocksdb::DB* raw = nullptr;
  rocksdb::Status s = rocksdb::DB::Open(options, dir, &raw);
  if (!s.ok()) return tl::unexpected(from_status(s));
  return std::unique_ptr<state_store>(
      std::make_unique<rocksdb_store>(std::unique_ptr<rocksdb::DB>(raw), logs_dir));
}

}  // namespace sluice::stream
