// kafka/protocol/wire.h — the primitive types of the Kafka protocol: a reader and a writer over
// bytes, used by the generated message code (generated/*.cc) and by the framing in headers.h.
//
// All integers are big-endian. Strings and byte arrays come in two encodings: classic (an int16 or
// int32 length, -1 for null) and compact (an unsigned varint holding length + 1, 0 for null), which
// flexible message versions use together with tagged fields.
//
// Reading never trusts a length: every read checks the bytes are there first, so truncated or
// hostile input yields errc::invalid_argument and never reads out of bounds or allocates more than
// the input could hold.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/bytes.h"
#include "base/result.h"
#include "base/shared_bytes.h"

namespace sluice::kafka {

// A Kafka UUID (topic IDs): 16 bytes, all zero meaning "none".
struct uuid {
  std::array<std::uint8_t, 16> bytes{};

  bool operator==(const uuid&) const = default;
};

// The value of a `records` field (Produce and Fetch record sets): record batches, written back to
// back, as a list of owned buffers followed by `shared`, bytes that lie in a buffer owned with others.
// A set decoded by a reader over shared input (a request frame) is `shared` alone: the bytes where
// they arrived, which the Produce handler hands to partition_log::append (it stamps offsets in place,
// and may: nothing else reads a frame once it is decoded). A reader over plain input copies them
// into one buffer instead. A Fetch response moves each partition_log::read result in as a buffer, and
// a writer with a reference threshold sends them without copying them again (see writer).
struct record_set {
  std::vector<std::vector<std::byte>> buffers;
  std::shared_ptr<std::byte[]> shared_owner;  // keeps `shared` alive
  mutable_bytes shared;

  record_set() = default;
  explicit record_set(std::vector<std::byte> buffer) { buffers.push_back(std::move(buffer)); }
  record_set(std::shared_ptr<std::byte[]> owner, mutable_bytes bytes)
      : shared_owner(std::move(owner)), shared(bytes) {}

  // The buffers and then `shared`, in wire order.
  std::vector<bytes_view> pieces() const;
  std::size_t size() const;
  // Equal when they hold the same bytes, however split into buffers.
  bool operator==(const record_set& other) const;
};

class reader {
 public:
  explicit reader(bytes_view input) : input_(input) {}
  // Over input owned with others: record sets are decoded as views into it, never copied.
  explicit reader(const shared_bytes& input) : input_(input.span()), owner_(input.owner) {}

  std::size_t position() const { return position_; }
  std::size_t remaining() const { return input_.size() - position_; }

  result<std::int8_t> read_int8();
  result<std::int16_t> read_int16();
  result<std::int32_t> read_int32();
  result<std::int64_t> read_int64();
  result<std::uint16_t> read_uint16();
  result<std::uint32_t> read_uint32();
  result<double> read_float64();
  result<bool> read_bool();
  result<uuid> read_uuid();
  // Zig-zag varints (record fields), and the unsigned varints of compact lengths and tags.
  result<std::int32_t> read_varint();
  result<std::int64_t> read_varlong();
  result<std::uint32_t> read_unsigned_varint();

  // Non-nullable strings and bytes reject a null length; the nullable forms return nullopt.
  result<std::string> read_string(bool compact);
  result<std::optional<std::string>> read_nullable_string(bool compact);
  result<std::vector<std::byte>> read_bytes(bool compact);
  result<std::optional<std::vector<std::byte>>> read_nullable_bytes(bool compact);
  result<std::optional<record_set>> read_records(bool compact);

  // An array's element count. Every element takes at least `min_element_size` bytes, so a count the
  // remaining input cannot hold is rejected before the caller allocates anything. The nullable form
  // returns -1 for a null array.
  result<std::int32_t> read_array_length(bool compact, std::size_t min_element_size);
  result<std::int32_t> read_nullable_array_length(bool compact, std::size_t min_element_size);

  // Tagged fields: the count (each field takes at least two bytes), then per field its tag and
  // read_tagged_field(), which returns the field's bytes (size-prefixed) and moves past them.
  result<std::uint32_t> read_tag_count();
  result<bytes_view> read_tagged_field();
  // Skips a whole tagged-field section (a struct with no tagged fields we know).
  result<void> skip_tagged_fields();

  // The next n bytes, as a view into the input.
  result<bytes_view> read_raw(std::size_t n);

 private:
  result<const std::byte*> take(std::size_t n, const char* what);
  result<std::int64_t> read_length(bool compact, int classic_width, const char* what);

  bytes_view input_;
  std::shared_ptr<std::byte[]> owner_;  // set when input_ is its bytes
  std::size_t position_ = 0;
};

// Appends encoded values to a growable buffer. Encoding never fails for values the protocol can
// carry; one it cannot (a string over 32767 bytes where the version uses int16 lengths, an array
// over 2^31-1 elements) marks the writer failed and the caller must check status() before sending.
//
// Zero copy: a writer built with a reference threshold does not copy record buffers of at least
// that many bytes; fragments() then lists the encoded bytes and those buffers in order, for a
// gathered write (writev). The encoded message must outlive the fragments.
class writer {
 public:
  writer() = default;
  explicit writer(std::size_t reference_threshold) : reference_threshold_(reference_threshold) {}

  void write_int8(std::int8_t v);
  void write_int16(std::int16_t v);
  void write_int32(std::int32_t v);
  void write_int64(std::int64_t v);
  void write_uint16(std::uint16_t v);
  void write_uint32(std::uint32_t v);
  void write_float64(double v);
  void write_bool(bool v) { write_int8(v ? 1 : 0); }
  void write_uuid(const uuid& v);
  void write_varint(std::int32_t v);
  void write_varlong(std::int64_t v);
  void write_unsigned_varint(std::uint32_t v);

  void write_string(std::string_view v, bool compact);
  void write_nullable_string(const std::optional<std::string>& v, bool compact);
  void write_bytes(bytes_view v, bool compact);
  void write_nullable_bytes(const std::optional<std::vector<std::byte>>& v, bool compact);
  void write_records(const record_set& v, bool compact);
  void write_records(const std::optional<record_set>& v, bool compact);
  // A writer may keep pointers into the record set (see above), so it must not be a temporary.
  void write_records(record_set&& v, bool compact) = delete;
  void write_records(std::optional<record_set>&& v, bool compact) = delete;
  void write_array_length(std::size_t count, bool compact);
  void write_null_array(bool compact);
  // One tagged field: its tag, its size, and the bytes `field` holds.
  void write_tagged_field(std::uint32_t tag, const writer& field);
  void write_raw(bytes_view v);

  // Reserves `n` bytes to fill in later with patch_int32 (a frame's size prefix); returns where.
  std::size_t reserve(std::size_t n);
  void patch_int32(std::size_t at, std::int32_t v);

  // Everything written, referenced record buffers included.
  std::size_t size() const { return buffer_.size() + referenced_bytes_; }
  // The encoded bytes; REQUIRES: nothing was referenced (no reference threshold, or none reached).
  const std::vector<std::byte>& bytes() const;
  std::vector<std::byte> take_bytes();
  // The encoded bytes and the referenced buffers, in wire order.
  std::vector<bytes_view> fragments() const;

  bool failed() const { return error_.has_value(); }
  // The first value that could not be encoded, if any.
  result<void> status() const;

 private:
  struct reference {
    std::size_t at;  // offset in buffer_ the referenced bytes follow
    bytes_view bytes;
  };

  void fail(std::string message);

  std::vector<std::byte> buffer_;
  std::vector<reference> references_;
  std::size_t referenced_bytes_ = 0;
  std::size_t reference_threshold_ = SIZE_MAX;
  std::optional<sluice::error> error_;
};

// Errors of the generated decoders, kept out of line to keep the generated code small.
tl::unexpected<error> unsupported_version(const char* message_name, std::int16_t version);
tl::unexpected<error> null_in_non_nullable_field();

// For a null in a version that cannot say null: the closest value it can say.
inline std::string_view or_empty(const std::optional<std::string>& v) {
  return v ? std::string_view(*v) : std::string_view();
}
inline bytes_view or_empty(const std::optional<std::vector<std::byte>>& v) {
  return v ? bytes_view(*v) : bytes_view();
}

}  // namespace sluice::kafka
