// stream/codec.h — the one place rows and values become bytes for the state store.
//
// Keys are order-preserving: comparing two encoded rows bytewise (memcmp, RocksDB's default
// comparator) orders them like compare_rows for values of the same column types, so a scan over a
// prefix such as [operator id][window end] visits windows by end time. NULL sorts after every value,
// as in value.h. The encoding is self-delimiting and decodable, so it doubles as the value format for
// stored rows. Integers are big-endian with the sign bit flipped; doubles are IEEE bits flipped so
// negative numbers sort first; strings escape 0x00 as 0x00 0xff and end with 0x00 0x01; an array is
// its type, its elements and an end marker that sorts below every value (so a prefix sorts first).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "sql/numeric.h"
#include "sql/value.h"

namespace sluice::stream {

void append_u8(std::string& out, std::uint8_t b);
// Order-preserving signed 64-bit integer (8 bytes).
void append_i64(std::string& out, std::int64_t v);
void append_double(std::string& out, double d);
void append_string(std::string& out, std::string_view s);  // escaped and terminated
// Order-preserving numeric: sign class, decimal exponent and digits (trailing zeros dropped, so
// 1.0 and 1.00 order alike), then the scale to show.
void append_numeric(std::string& out, const sql::numeric& n);

void append_value(std::string& out, const sql::value& v);
void append_row(std::string& out, const sql::row& r);
std::string encode_row(const sql::row& r);

// Reads what the append_* functions wrote, advancing through `in`. Returns false on malformed input
// (the store is our own data, so callers treat that as corruption).
class decoder {
 public:
  explicit decoder(std::string_view in) : in_(in) {}
  bool read_u8(std::uint8_t& b);
  bool read_i64(std::int64_t& v);
  bool read_double(double& d);
  bool read_string(std::string& s);
  bool read_numeric(sql::numeric& n);
  bool read_value(sql::value& v);
  bool read_row(sql::row& r);
  bool read_array(sql::value& v);  // after its tag
  bool done() const { return in_.empty(); }
  std::string_view rest() const { return in_; }

 private:
  std::string_view in_;
};

std::optional<sql::row> decode_row(std::string_view in);

}  // namespace sluice::stream
