#include "storage/producer_state.h"

#include <string>

#include "base/crc32c.h"

namespace sluice::storage {
namespace {

// Snapshot layout (big-endian): magic "SLPS", version u16, offset i64, producer count u32, then per
// producer: id i64, epoch i16, last_timestamp i64, batch count u8, and per batch first_sequence
// i32, last_sequence i32, first_offset i64, last_offset i64; finally CRC-32C of everything before.
constexpr std::uint32_t snapshot_magic = 0x534c5053;  // "SLPS"
constexpr std::uint16_t snapshot_version = 1;
constexpr std::size_t snapshot_header_size = 4 + 2 + 8 + 4;
constexpr std::size_t producer_header_size = 8 + 2 + 8 + 1;
constexpr std::size_t batch_entry_size = 4 + 4 + 8 + 8;

bool in_sequence(std::int32_t last, std::int32_t next) {
  return next == static_cast<std::int32_t>(static_cast<std::int64_t>(last) + 1) ||
         (next == 0 && last == INT32_MAX);
}

std::string describe(const model::batch_header& h) {
  return "producer " + std::to_string(h.producer_id) + " epoch " + std::to_string(h.producer_epoch) +
         " sequence " + std::to_string(h.base_sequence);
}

class writer {
 public:
  template <typename T>
  void put(T value) {
    auto at = out_.size();
    out_.resize(at + sizeof(T));
    store_be(out_.data() + at, value);
  }
  std::vector<std::byte> take() { return std::move(out_); }
  bytes_view written() const { return out_; }

 private:
  std::vector<std::byte> out_;
};

class reader {
 public:
  explicit reader(bytes_view in) : in_(in) {}
  template <typename T>
  bool get(T& value) {
    if (in_.size() - at_ < sizeof(T)) return false;
    value = load_be<T>(in_.data() + at_);
    at_ += sizeof(T);
    return true;
  }
  std::size_t remaining() const { return in_.size() - at_; }

 private:
  bytes_view in_;
  std::size_t at_ = 0;
};

}  // namespace

std::int32_t last_sequence_of(const model::batch_header& h) {
  auto last = static_cast<std::int64_t>(h.base_sequence) + h.last_offset_delta;
  return static_cast<std::int32_t>(last > INT32_MAX ? last - INT32_MAX - 1 : last);
}

result<std::optional<producer_batch>> producer_state::check(const model::batch_header& h) const {
  if (h.producer_id == no_producer_id) return std::nullopt;
  auto it = producers_.find(h.producer_id);
  // An unknown producer (new, or expired) may start anywhere, as in Kafka since KIP-360.
  if (it == producers_.end()) return std::nullopt;
  const auto& entry = it->second;
  if (h.producer_epoch < entry.epoch)
    return fail(errc::invalid_producer_epoch,
                describe(h) + " is fenced by epoch " + std::to_string(entry.epoch));
  if (h.producer_epoch > entry.epoch) {
    if (h.base_sequence != 0)
      return fail(errc::out_of_order_sequence, describe(h) + ": a new epoch must start at sequence 0");
    return std::nullopt;
  }
  auto last = last_sequence_of(h);
  for (const auto& b : entry.batches)
    if (b.first_sequence == h.base_sequence && b.last_sequence == last) return b;
  if (entry.batches.empty() || in_sequence(entry.batches.back().last_sequence, h.base_sequence))
    return std::nullopt;
  return fail(errc::out_of_order_sequence, describe(h) + " does not follow sequence " +
                                               std::to_string(entry.batches.back().last_sequence));
}

void producer_state::record(const model::batch_header& h) {
  if (h.producer_id == no_producer_id) return;
  auto& entry = producers_[h.producer_id];
  if (h.producer_epoch != entry.epoch) entry.batches.clear();
  entry.epoch = h.producer_epoch;
  entry.last_timestamp = h.max_timestamp;
  entry.batches.push_back({h.base_sequence, last_sequence_of(h), h.base_offset, h.last_offset()});
  if (entry.batches.size() > producer_batches_kept) entry.batches.pop_front();
}

void producer_state::expire(std::int64_t now_ms, std::int64_t max_idle_ms) {
  std::erase_if(producers_, [&](const auto& p) { return now_ms - p.second.last_timestamp > max_idle_ms; });
}

const producer_entry* producer_state::find(std::int64_t producer_id) const {
  auto it = producers_.find(producer_id);
  return it == producers_.end() ? nullptr : &it->second;
}

std::unordered_map<std::int64_t, std::int64_t> producer_state::last_batch_offsets() const {
  std::unordered_map<std::int64_t, std::int64_t> out;
  for (const auto& [id, entry] : producers_)
    if (!entry.batches.empty()) out[id] = entry.batches.back().first_offset;
  return out;
}

std::vector<std::byte> producer_state::encode(std::int64_t offset) const {
  writer w;
  w.put(snapshot_magic);
  w.put(snapshot_version);
  w.put(offset);
  w.put(static_cast<std::uint32_t>(producers_.size()));
  for (const auto& [id, entry] : producers_) {
    w.put(id);
    w.put(entry.epoch);
    w.put(entry.last_timestamp);
    w.put(static_cast<std::uint8_t>(entry.batches.size()));
    for (const auto& b : entry.batches) {
      w.put(b.first_sequence);
      w.put(b.last_sequence);
      w.put(b.first_offset);
      w.put(b.last_offset);
    }
  }
  w.put(crc32c::value(w.written()));
  return w.take();
}

result<producer_state::decoded> producer_state::decode(bytes_view snapshot) {
  auto damaged = [](const char* why) {
    return fail(errc::corruption, std::string("producer snapshot ") + why);
  };
  if (snapshot.size() < snapshot_header_size + 4) return damaged("is too short");
  auto body = snapshot.first(snapshot.size() - 4);
  if (crc32c::value(body) != load_be<std::uint32_t>(snapshot.data() + body.size()))
    return damaged("fails its CRC");
  reader r(body);
  std::uint32_t magic = 0, count = 0;
  std::uint16_t version = 0;
  decoded out{{}, 0};
  r.get(magic);
  r.get(version);
  r.get(out.offset);
  r.get(count);
  if (magic != snapshot_magic || version != snapshot_version) return damaged("has an unknown format");
  for (std::uint32_t i = 0; i < count; ++i) {
    std::int64_t id = 0;
    producer_entry entry;
    std::uint8_t batches = 0;
    if (r.remaining() < producer_header_size) return damaged("is truncated");
    r.get(id);
    r.get(entry.epoch);
    r.get(entry.last_timestamp);
    r.get(batches);
    if (batches > producer_batches_kept || r.remaining() < batches * batch_entry_size)
      return damaged("has a malformed producer entry");
    for (std::uint8_t b = 0; b < batches; ++b) {
      producer_batch batch{};
      r.get(batch.first_sequence);
      r.get(batch.last_sequence);
      r.get(batch.first_offset);
      r.get(batch.last_offset);
      entry.batches.push_back(batch);
    }
    out.state.producers_[id] = std::move(entry);
  }
  if (r.remaining() != 0) return damaged("has trailing bytes");
  return out;
}

}  // namespace sluice::storage
