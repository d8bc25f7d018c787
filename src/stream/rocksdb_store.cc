// stream/rocksdb_store.cc — the state_store on RocksDB: one database per dataflow, default bytewise
// comparator (which is the order codec.h preserves). A write_batch becomes one atomic
// rocksdb::WriteBatch. Durability comes from checkpoints, not from each batch: the live database is
// rebuilt from a checkpoint at startup, so writes skip the write-ahead log altogether.
#include <rocksdb/db.h>
#include <rocksdb/utilities/checkpoint.h>
#include <rocksdb/write_batch.h>

#include "stream/state_store.h"

namespace sluice::stream {
namespace {

error from_status(const rocksdb::Status& s) { return error{errc::io_error, "state store: " + s.ToString()}; }

rocksdb::Slice slice(std::string_view s) { return {s.data(), s.size()}; }

class rocksdb_store final : public state_store {
 public:
  explicit rocksdb_store(std::unique_ptr<rocksdb::DB> db) : db_(std::move(db)) {}

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

 private:
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
};

}  // namespace

result<std::unique_ptr<state_store>> open_rocksdb_store(const std::string& dir) {
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
  return std::unique_ptr<state_store>(std::make_unique<rocksdb_store>(std::unique_ptr<rocksdb::DB>(raw)));
}

}  // namespace sluice::stream
