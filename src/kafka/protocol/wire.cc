#include "kafka/protocol/wire.h"

#include <bit>
#include <cstring>
#include <limits>
#include <utility>

#include "base/assert.h"

namespace sluice::kafka {

std::vector<bytes_view> record_set::pieces() const {
  std::vector<bytes_view> out(buffers.begin(), buffers.end());
  if (!shared.empty()) out.push_back(shared);
  return out;
}

std::size_t record_set::size() const {
  std::size_t total = shared.size();
  for (const auto& b : buffers) total += b.size();
  return total;
}

bool record_set::operator==(const record_set& other) const {
  if (size() != other.size()) return false;
  // Walk both piece lists in step: equal bytes may be split differently.
  const auto mine = pieces(), theirs = other.pieces();
  std::size_t ai = 0, ao = 0, bi = 0, bo = 0;
  while (ai < mine.size() && bi < theirs.size()) {
    const auto a = mine[ai];
    const auto b = theirs[bi];
    const std::size_t n = std::min(a.size() - ao, b.size() - bo);
    if (n > 0 && std::memcmp(a.data() + ao, b.data() + bo, n) != 0) return false;
    ao += n;
    bo += n;
    if (ao == a.size()) ++ai, ao = 0;
    if (bo == b.size()) ++bi, bo = 0;
  }
  return true;
}

tl::unexpected<error> unsupported_version(const char* message_name, std::int16_t version) {
  return fail(errc::invalid_argument,
              std::string("kafka: ") + message_name + " has no version " + std::to_string(version));
}

tl::unexpected<error> null_in_non_nullable_field() {
  return fail(errc::invalid_argument, "kafka: null in a field this version does not allow to be null");
}

// ---------------------------------------------------------------------------------------------
// reader

result<const std::byte*> reader::take(std::size_t n, const char* what) {
  if (n > remaining()) {
    return fail(errc::invalid_argument, std::string("kafka: truncated ") + what + ": needs " +
                                            std::to_string(n) + " bytes at offset " +
                                            std::to_string(position_) + ", " + std::to_string(remaining()) +
                                            " left");
  }
  const std::byte* p = input_.data() + position_;
  position_ += n;
  return p;
}

result<std::int8_t> reader::read_int8() {
  SLUICE_ASSIGN_OR_RETURN(const std::byte* p, take(1, "int8"));
  return static_cast<std::int8_t>(std::to_integer<std::uint8_t>(*p));
}

result<std::int16_t> reader::read_int16() {
  SLUICE_ASSIGN_OR_RETURN(const std::byte* p, take(2, "int16"));
  return load_be<std::int16_t>(p);
}

result<std::int32_t> reader::read_int32() {
  SLUICE_ASSIGN_OR_RETURN(const std::byte* p, take(4, "int32"));
  return load_be<std::int32_t>(p);
}

result<std::int64_t> reader::read_int64() {
  SLUICE_ASSIGN_OR_RETURN(const std::byte* p, take(8, "int64"));
  return load_be<std::int64_t>(p);
}

result<std::uint16_t> reader::read_uint16() {
  SLUICE_ASSIGN_OR_RETURN(const std::byte* p, take(2, "uint16"));
  return load_be<std::uint16_t>(p);
}

result<std::uint32_t> reader::read_uint32() {
  SLUICE_ASSIGN_OR_RETURN(const std::byte* p, take(4, "uint32"));
  return load_be<std::uint32_t>(p);
}

result<double> reader::read_float64() {
  SLUICE_ASSIGN_OR_RETURN(const std::byte* p, take(8, "float64"));
  return std::bit_cast<double>(load_be<std::uint64_t>(p));
}

result<bool> reader::read_bool() {
  SLUICE_ASSIGN_OR_RETURN(const std::int8_t v, read_int8());
  return v != 0;
}

result<uuid> reader::read_uuid() {
  SLUICE_ASSIGN_OR_RETURN(const std::byte* p, take(16, "uuid"));
  uuid u;
  std::memcpy(u.bytes.data(), p, u.bytes.size());
  return u;
}

result<std::uint32_t> reader::read_unsigned_varint() {
  std::uint32_t value = 0;
  for (int shift = 0;; shift += 7) {
    SLUICE_ASSIGN_OR_RETURN(const std::byte* p, take(1, "unsigned varint"));
    const auto b = std::to_integer<std::uint32_t>(*p);
    // The fifth byte holds the top four bits; anything more does not fit 32 bits.
    if (shift == 28 && b > 0x0F) return fail(errc::invalid_argument, "kafka: unsigned varint overflows");
    value |= (b & 0x7F) << shift;
    if ((b & 0x80) == 0) return value;
  }
}

result<std::int32_t> reader::read_varint() {
  SLUICE_ASSIGN_OR_RETURN(const std::uint32_t raw, read_unsigned_varint());
  return static_cast<std::int32_t>(raw >> 1) ^ -static_cast<std::int32_t>(raw & 1);
}

result<std::int64_t> reader::read_varlong() {
  std::uint64_t raw = 0;
  for (int shift = 0;; shift += 7) {
    SLUICE_ASSIGN_OR_RETURN(const std::byte* p, take(1, "varlong"));
    const auto b = std::to_integer<std::uint64_t>(*p);
    if (shift == 63 && b > 0x01) return fail(errc::invalid_argument, "kafka: varlong overflows");
    raw |= (b & 0x7F) << shift;
    if ((b & 0x80) == 0) break;
  }
  return static_cast<std::int64_t>(raw >> 1) ^ -static_cast<std::int64_t>(raw & 1);
}

// A length prefix: -1 means null; anything below is malformed.
result<std::int64_t> reader::read_length(bool compact, int classic_width, const char* what) {
  std::int64_t length;
  if (compact) {
    SLUICE_ASSIGN_OR_RETURN(const std::uint32_t n, read_unsigned_varint());
    length = static_cast<std::int64_t>(n) - 1;
  } else if (classic_width == 2) {
    SLUICE_ASSIGN_OR_RETURN(length, read_int16());
  } else {
    SLUICE_ASSIGN_OR_RETURN(length, read_int32());
  }
  if (length < -1) {
    return fail(errc::invalid_argument,
                std::string("kafka: negative ") + what + " length " + std::to_string(length));
  }
  return length;
}

result<std::string> reader::read_string(bool compact) {
  SLUICE_ASSIGN_OR_RETURN(const std::int64_t length, read_length(compact, 2, "string"));
  if (length < 0) return fail(errc::invalid_argument, "kafka: null string in a non-nullable field");
  SLUICE_ASSIGN_OR_RETURN(const std::byte* p, take(static_cast<std::size_t>(length), "string"));
  return std::string(reinterpret_cast<const char*>(p), static_cast<std::size_t>(length));
}

result<std::optional<std::string>> reader::read_nullable_string(bool compact) {
  SLUICE_ASSIGN_OR_RETURN(const std::int64_t length, read_length(compact, 2, "string"));
  if (length < 0) return std::optional<std::string>();
  SLUICE_ASSIGN_OR_RETURN(const std::byte* p, take(static_cast<std::size_t>(length), "string"));
  return std::optional<std::string>(std::in_place, reinterpret_cast<const char*>(p),
                                    static_cast<std::size_t>(length));
}

result<std::vector<std::byte>> reader::read_bytes(bool compact) {
  SLUICE_ASSIGN_OR_RETURN(const std::int64_t length, read_length(compact, 4, "bytes"));
  if (length < 0) return fail(errc::invalid_argument, "kafka: null bytes in a non-nullable field");
  SLUICE_ASSIGN_OR_RETURN(const std::byte* p, take(static_cast<std::size_t>(length), "bytes"));
  return std::vector<std::byte>(p, p + length);
}

result<std::optional<std::vector<std::byte>>> reader::read_nullable_bytes(bool compact) {
  SLUICE_ASSIGN_OR_RETURN(const std::int64_t length, read_length(compact, 4, "bytes"));
  if (length < 0) return std::optional<std::vector<std::byte>>();
  SLUICE_ASSIGN_OR_RETURN(const std::byte* p, take(static_cast<std::size_t>(length), "bytes"));
  return std::optional<std::vector<std::byte>>(std::in_place, p, p + length);
}

result<std::optional<record_set>> reader::read_records(bool compact) {
  SLUICE_ASSIGN_OR_RETURN(const std::int64_t length, read_length(compact, 4, "records"));
  if (length < 0) return std::optional<record_set>();
  SLUICE_ASSIGN_OR_RETURN(const std::byte* p, take(static_cast<std::size_t>(length), "records"));
  if (owner_) {
    std::byte* at = owner_.get() + (p - input_.data());
    return std::optional<record_set>(std::in_place, owner_,
                                     mutable_bytes(at, static_cast<std::size_t>(length)));
  }
  return std::optional<record_set>(std::in_place, std::vector<std::byte>(p, p + length));
}

result<std::int32_t> reader::read_nullable_array_length(bool compact, std::size_t min_element_size) {
  SLUICE_ASSIGN_OR_RETURN(const std::int64_t length, read_length(compact, 4, "array"));
  if (length < 0) return -1;
  if (length > std::numeric_limits<std::int32_t>::max()) {
    return fail(errc::invalid_argument, "kafka: array length " + std::to_string(length) + " too large");
  }
  // The check that keeps a hostile count from allocating: the elements must fit in what is left.
  if (static_cast<std::uint64_t>(length) > remaining() / std::max<std::size_t>(min_element_size, 1)) {
    return fail(errc::invalid_argument, "kafka: array of " + std::to_string(length) +
                                            " elements cannot fit in the " + std::to_string(remaining()) +
                                            " bytes left");
  }
  return static_cast<std::int32_t>(length);
}

result<std::int32_t> reader::read_array_length(bool compact, std::size_t min_element_size) {
  SLUICE_ASSIGN_OR_RETURN(const std::int32_t length, read_nullable_array_length(compact, min_element_size));
  if (length < 0) return fail(errc::invalid_argument, "kafka: null array in a non-nullable field");
  return length;
}

result<std::uint32_t> reader::read_tag_count() {
  SLUICE_ASSIGN_OR_RETURN(const std::uint32_t count, read_unsigned_varint());
  if (count > remaining() / 2) {
    return fail(errc::invalid_argument,
                "kafka: " + std::to_string(count) + " tagged fields cannot fit in the bytes left");
  }
  return count;
}

result<bytes_view> reader::read_tagged_field() {
  SLUICE_ASSIGN_OR_RETURN(const std::uint32_t size, read_unsigned_varint());
  return read_raw(size);
}

result<void> reader::skip_tagged_fields() {
  SLUICE_ASSIGN_OR_RETURN(const std::uint32_t count, read_tag_count());
  for (std::uint32_t i = 0; i < count; ++i) {
    SLUICE_RETURN_IF_ERROR(read_unsigned_varint());
    SLUICE_RETURN_IF_ERROR(read_tagged_field());
  }
  return {};
}

result<bytes_view> reader::read_raw(std::size_t n) {
  SLUICE_ASSIGN_OR_RETURN(const std::byte* p, take(n, "field"));
  return bytes_view(p, n);
}

// ---------------------------------------------------------------------------------------------
// writer

namespace {

template <typename T>
void append_be(std::vector<std::byte>& out, T v) {
  const std::size_t at = out.size();
  out.resize(at + sizeof(T));
  store_be(out.data() + at, v);
}

}  // namespace

void writer::write_int8(std::int8_t v) { buffer_.push_back(static_cast<std::byte>(v)); }
void writer::write_int16(std::int16_t v) { append_be(buffer_, v); }
void writer::write_int32(std::int32_t v) { append_be(buffer_, v); }
void writer::write_int64(std::int64_t v) { append_be(buffer_, v); }
void writer::write_uint16(std::uint16_t v) { append_be(buffer_, v); }
void writer::write_uint32(std::uint32_t v) { append_be(buffer_, v); }
void writer::write_float64(double v) { append_be(buffer_, std::bit_cast<std::uint64_t>(v)); }

void writer::write_uuid(const uuid& v) {
  write_raw(bytes_view(reinterpret_cast<const std::byte*>(v.bytes.data()), v.bytes.size()));
}

void writer::write_unsigned_varint(std::uint32_t v) {
  while (v >= 0x80) {
    buffer_.push_back(static_cast<std::byte>((v & 0x7F) | 0x80));
    v >>= 7;
  }
  buffer_.push_back(static_cast<std::byte>(v));
}

void writer::write_varint(std::int32_t v) {
  write_unsigned_varint((static_cast<std::uint32_t>(v) << 1) ^ static_cast<std::uint32_t>(v >> 31));
}

void writer::write_varlong(std::int64_t v) {
  auto raw = (static_cast<std::uint64_t>(v) << 1) ^ static_cast<std::uint64_t>(v >> 63);
  while (raw >= 0x80) {
    buffer_.push_back(static_cast<std::byte>((raw & 0x7F) | 0x80));
    raw >>= 7;
  }
  buffer_.push_back(static_cast<std::byte>(raw));
}

void writer::write_string(std::string_view v, bool compact) {
  if (compact) {
    if (v.size() >= std::numeric_limits<std::uint32_t>::max()) return fail("string too long");
    write_unsigned_varint(static_cast<std::uint32_t>(v.size() + 1));
  } else {
    if (v.size() > static_cast<std::size_t>(std::numeric_limits<std::int16_t>::max())) {
      return fail("string of " + std::to_string(v.size()) + " bytes does not fit an int16 length");
    }
    write_int16(static_cast<std::int16_t>(v.size()));
  }
  write_raw(bytes_view(reinterpret_cast<const std::byte*>(v.data()), v.size()));
}

void writer::write_nullable_string(const std::optional<std::string>& v, bool compact) {
  if (v) return write_string(*v, compact);
  if (compact) return write_unsigned_varint(0);
  write_int16(-1);
}

void writer::write_bytes(bytes_view v, bool compact) {
  if (v.size() > static_cast<std::size_t>(std::numeric_limits<std::int32_t>::max())) {
    return fail("bytes of " + std::to_string(v.size()) + " bytes do not fit an int32 length");
  }
  if (compact) {
    write_unsigned_varint(static_cast<std::uint32_t>(v.size() + 1));
  } else {
    write_int32(static_cast<std::int32_t>(v.size()));
  }
  write_raw(v);
}

void writer::write_nullable_bytes(const std::optional<std::vector<std::byte>>& v, bool compact) {
  if (v) return write_bytes(*v, compact);
  if (compact) return write_unsigned_varint(0);
  write_int32(-1);
}

void writer::write_records(const std::optional<record_set>& v, bool compact) {
  if (v) return write_records(*v, compact);
  if (compact) return write_unsigned_varint(0);
  write_int32(-1);
}

void writer::write_records(const record_set& v, bool compact) {
  const std::size_t size = v.size();
  if (size > static_cast<std::size_t>(std::numeric_limits<std::int32_t>::max())) {
    return fail("record set of " + std::to_string(size) + " bytes does not fit an int32 length");
  }
  if (compact) {
    write_unsigned_varint(static_cast<std::uint32_t>(size + 1));
  } else {
    write_int32(static_cast<std::int32_t>(size));
  }
  auto write_piece = [this](bytes_view b) {
    if (b.size() >= reference_threshold_) {
      references_.push_back({buffer_.size(), b});
      referenced_bytes_ += b.size();
    } else {
      write_raw(b);
    }
  };
  for (const auto& b : v.buffers) write_piece(b);
  if (!v.shared.empty()) write_piece(v.shared);
}

void writer::write_array_length(std::size_t count, bool compact) {
  if (count > static_cast<std::size_t>(std::numeric_limits<std::int32_t>::max())) {
    return fail("array of " + std::to_string(count) + " elements is too long");
  }
  if (compact) return write_unsigned_varint(static_cast<std::uint32_t>(count + 1));
  write_int32(static_cast<std::int32_t>(count));
}

void writer::write_null_array(bool compact) {
  if (compact) return write_unsigned_varint(0);
  write_int32(-1);
}

void writer::write_tagged_field(std::uint32_t tag, const writer& field) {
  SLUICE_ASSERT(field.references_.empty(), "a tagged field cannot reference record buffers");
  if (field.error_ && !error_) error_ = field.error_;
  write_unsigned_varint(tag);
  write_unsigned_varint(static_cast<std::uint32_t>(field.buffer_.size()));
  write_raw(field.buffer_);
}

void writer::write_raw(bytes_view v) { buffer_.insert(buffer_.end(), v.begin(), v.end()); }

std::size_t writer::reserve(std::size_t n) {
  const std::size_t at = buffer_.size();
  buffer_.resize(at + n);
  return at;
}

void writer::patch_int32(std::size_t at, std::int32_t v) {
  SLUICE_ASSERT(at + 4 <= buffer_.size(), "patch outside the written bytes");
  store_be(buffer_.data() + at, v);
}

const std::vector<std::byte>& writer::bytes() const {
  SLUICE_ASSERT(references_.empty(), "bytes() of a writer that referenced record buffers");
  return buffer_;
}

std::vector<std::byte> writer::take_bytes() {
  SLUICE_ASSERT(references_.empty(), "take_bytes() of a writer that referenced record buffers");
  return std::move(buffer_);
}

std::vector<bytes_view> writer::fragments() const {
  std::vector<bytes_view> out;
  std::size_t from = 0;
  for (const auto& ref : references_) {
    if (ref.at > from) out.emplace_back(buffer_.data() + from, ref.at - from);
    out.push_back(ref.bytes);
    from = ref.at;
  }
  if (buffer_.size() > from) out.emplace_back(buffer_.data() + from, buffer_.size() - from);
  return out;
}

result<void> writer::status() const {
  if (error_) return tl::unexpected(*error_);
  return {};
}

void writer::fail(std::string message) {
  if (!error_) error_ = sluice::error{errc::invalid_argument, "kafka: " + std::move(message)};
}

}  // namespace sluice::kafka
