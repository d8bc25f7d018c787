#include "stream/codec.h"

#include <bit>
#include <cstring>

namespace sluice::stream {
namespace {

// Tags order values of different types; NULL last. bigint and double share the numeric order only
// within one type, which is all a column needs.
enum tag : std::uint8_t {
  tag_false = 0x10,
  tag_true = 0x11,
  tag_bigint = 0x20,
  tag_double = 0x21,
  tag_numeric = 0x22,
  tag_text = 0x30,
  tag_timestamp = 0x40,
  tag_timestamptz = 0x41,
  tag_date = 0x42,
  tag_time = 0x43,
  tag_interval = 0x50,
  tag_jsonb = 0x60,
  tag_json = 0x61,
  tag_array = 0x70,    // then the array's data_type, its elements, and tag_row_end
  tag_row_end = 0x01,  // below every value tag so a shorter row sorts first
  tag_null = 0xfe,
};

constexpr std::uint64_t sign_bit = 1ULL << 63;

}  // namespace

void append_u8(std::string& out, std::uint8_t b) { out.push_back(static_cast<char>(b)); }

void append_i64(std::string& out, std::int64_t v) {
  std::uint64_t u = static_cast<std::uint64_t>(v) ^ sign_bit;
  if constexpr (std::endian::native == std::endian::little) u = __builtin_bswap64(u);
  char bytes[8];
  std::memcpy(bytes, &u, sizeof bytes);
  out.append(bytes, sizeof bytes);
}

void append_double(std::string& out, double d) {
  std::uint64_t u = std::bit_cast<std::uint64_t>(d);
  u = (u & sign_bit) ? ~u : (u | sign_bit);
  append_i64(out, static_cast<std::int64_t>(u ^ sign_bit));
}

void append_string(std::string& out, std::string_view s) {
  // Copies the runs between NUL bytes whole: text rarely holds a NUL.
  while (!s.empty()) {
    const void* nul = std::memchr(s.data(), '\0', s.size());
    std::size_t run =
        nul == nullptr ? s.size() : static_cast<std::size_t>(static_cast<const char*>(nul) - s.data());
    out.append(s.data(), run);
    if (nul == nullptr) break;
    out.append("\0\xff", 2);
    s.remove_prefix(run + 1);
  }
  out.append("\0\x01", 2);
}

void append_value(std::string& out, const sql::value& v) {
  using sql::data_type;
  switch (v.type()) {
    case data_type::unknown:
      return append_u8(out, tag_null);
    case data_type::boolean:
      return append_u8(out, v.as_bool() ? tag_true : tag_false);
    case data_type::bigint:
      append_u8(out, tag_bigint);
      return append_i64(out, v.as_bigint());
    case data_type::double_precision:
      append_u8(out, tag_double);
      return append_double(out, v.as_double());
    case data_type::numeric:
      append_u8(out, tag_numeric);
      return append_numeric(out, v.as_numeric());
    case data_type::text:
      append_u8(out, tag_text);
      return append_string(out, v.as_text());
    case data_type::jsonb:
      append_u8(out, tag_jsonb);
      return append_string(out, v.as_text());
    case data_type::json:
      append_u8(out, tag_json);
      return append_string(out, v.as_text());
    case data_type::timestamp:
    case data_type::timestamptz:
      append_u8(out, v.type() == data_type::timestamp ? tag_timestamp : tag_timestamptz);
      return append_i64(out, v.as_micros());
    case data_type::date:
      append_u8(out, tag_date);
      return append_i64(out, v.as_date());
    case data_type::time:
      append_u8(out, tag_time);
      return append_i64(out, v.as_micros());
    case data_type::interval: {
      sql::interval iv = v.as_interval();
      append_u8(out, tag_interval);
      append_i64(out, iv.approximate_micros());
      append_i64(out, iv.months);
      append_i64(out, iv.days);
      return append_i64(out, iv.micros);
    }
    default:
      // Elements in order then an end below every value tag: arrays order as compare() orders them.
      append_u8(out, tag_array);
      append_u8(out, static_cast<std::uint8_t>(v.type()));
      for (const sql::value& item : v.as_array()) append_value(out, item);
      return append_u8(out, tag_row_end);
  }
}

void append_numeric(std::string& out, const sql::numeric& n) {
  bool negative = n.coefficient < 0;
  append_u8(out, n.coefficient == 0 ? 2 : (negative ? 1 : 3));
  if (n.coefficient != 0) {
    char digits[40];
    std::size_t count = sql::numeric_digits(n.coefficient, digits);
    int exponent = static_cast<int>(count) - n.scale;  // value = 0.digits × 10^exponent
    while (digits[count - 1] == '0') --count;          // trailing zeros: 1.5 and 1.50 alike
    std::uint8_t flip = negative ? 0xff : 0;
    char encoded[42];
    encoded[0] = static_cast<char>(static_cast<std::uint8_t>(exponent + 128) ^ flip);
    for (std::size_t i = 0; i < count; ++i) encoded[i + 1] = static_cast<char>(digits[i] ^ flip);
    encoded[count + 1] = static_cast<char>(flip);  // below every digit (above, negated): shorter is smaller
    out.append(encoded, count + 2);
  }
  append_u8(out, static_cast<std::uint8_t>(n.scale));
}

void append_row(std::string& out, const sql::row& r) {
  for (const sql::value& v : r) append_value(out, v);
  append_u8(out, tag_row_end);
}

std::string encode_row(const sql::row& r) {
  std::string out;
  out.reserve(r.size() * 10 + 1);
  append_row(out, r);
  return out;
}

bool decoder::read_u8(std::uint8_t& b) {
  if (in_.empty()) return false;
  b = static_cast<std::uint8_t>(in_.front());
  in_.remove_prefix(1);
  return true;
}

bool decoder::read_i64(std::int64_t& v) {
  if (in_.size() < 8) return false;
  std::uint64_t u = 0;
  for (int i = 0; i < 8; ++i) u = (u << 8) | static_cast<std::uint8_t>(in_[static_cast<std::size_t>(i)]);
  in_.remove_prefix(8);
  v = static_cast<std::int64_t>(u ^ sign_bit);
  return true;
}

bool decoder::read_double(double& d) {
  std::int64_t i = 0;
  if (!read_i64(i)) return false;
  std::uint64_t u = static_cast<std::uint64_t>(i) ^ sign_bit;
  u = (u & sign_bit) ? (u & ~sign_bit) : ~u;
  d = std::bit_cast<double>(u);
  return true;
}

bool decoder::read_string(std::string& s) {
  s.clear();
  for (std::size_t i = 0; i + 1 < in_.size(); ++i) {
    if (in_[i] != '\0') {
      s.push_back(in_[i]);
    } else if (in_[i + 1] == '\xff') {
      s.push_back('\0');
      ++i;
    } else if (in_[i + 1] == '\x01') {
      in_.remove_prefix(i + 2);
      return true;
    } else {
      return false;
    }
  }
  return false;
}

bool decoder::read_numeric(sql::numeric& n) {
  std::uint8_t sign = 0, scale = 0;
  if (!read_u8(sign) || sign < 1 || sign > 3) return false;
  sql::int128 c = 0;
  int exponent = 0, digits = 0;
  if (sign != 2) {
    std::uint8_t flip = sign == 1 ? 0xff : 0, b = 0;
    if (!read_u8(b)) return false;
    exponent = static_cast<int>(b ^ flip) - 128;
    for (;;) {
      if (!read_u8(b)) return false;
      b ^= flip;
      if (b == 0) break;
      if (b < '0' || b > '9' || ++digits > sql::numeric_max_digits) return false;
      c = c * 10 + (b - '0');
    }
  }
  if (!read_u8(scale) || scale > sql::numeric_max_scale) return false;
  // The digits stand for c × 10^(exponent − digits); shown at `scale` that is c × 10^(scale + exponent −
  // digits).
  int shift = scale + exponent - digits;
  if (shift < 0 || digits + shift > sql::numeric_max_digits) return false;
  for (int i = 0; i < shift; ++i) c *= 10;
  n = {sign == 1 ? -c : c, scale};
  return true;
}

bool decoder::read_value(sql::value& v) {
  std::uint8_t t = 0;
  if (!read_u8(t)) return false;
  std::int64_t i = 0;
  double d = 0;
  std::string s;
  switch (t) {
    case tag_null:
      v = sql::value();
      return true;
    case tag_false:
    case tag_true:
      v = sql::value::boolean(t == tag_true);
      return true;
    case tag_bigint:
      if (!read_i64(i)) return false;
      v = sql::value::bigint(i);
      return true;
    case tag_double:
      if (!read_double(d)) return false;
      v = sql::value::double_precision(d);
      return true;
    case tag_numeric: {
      sql::numeric n;
      if (!read_numeric(n)) return false;
      v = sql::value::numeric_of(n);
      return true;
    }
    case tag_text:
    case tag_jsonb:
    case tag_json:
      if (!read_string(s)) return false;
      v = t == tag_text    ? sql::value::text(std::move(s))
          : t == tag_jsonb ? sql::value::jsonb(std::move(s))
                           : sql::value::json(std::move(s));
      return true;
    case tag_timestamp:
    case tag_timestamptz:
      if (!read_i64(i)) return false;
      v = t == tag_timestamp ? sql::value::timestamp(i) : sql::value::timestamptz(i);
      return true;
    case tag_date:
      if (!read_i64(i)) return false;
      v = sql::value::date(static_cast<std::int32_t>(i));
      return true;
    case tag_time:
      if (!read_i64(i) || i < 0 || i > sql::micros_per_day) return false;
      v = sql::value::time_of_day(i);
      return true;
    case tag_interval: {
      std::int64_t approx = 0, months = 0, days = 0, micros = 0;
      if (!read_i64(approx) || !read_i64(months) || !read_i64(days) || !read_i64(micros)) return false;
      v = sql::value::interval_of(
          {static_cast<std::int32_t>(months), static_cast<std::int32_t>(days), micros});
      return true;
    }
    case tag_array:
      return read_array(v);
    default:
      return false;
  }
}

bool decoder::read_array(sql::value& v) {
  std::uint8_t type = 0;
  if (!read_u8(type) || !sql::is_array(static_cast<sql::data_type>(type)) ||
      type > static_cast<std::uint8_t>(sql::data_type::json_array)) {
    return false;
  }
  std::vector<sql::value> items;
  while (!in_.empty() && static_cast<std::uint8_t>(in_.front()) != tag_row_end) {
    if (!read_value(items.emplace_back())) return false;
  }
  if (in_.empty()) return false;
  in_.remove_prefix(1);
  v = sql::value::array(static_cast<sql::data_type>(type), std::move(items));
  return true;
}

bool decoder::read_row(sql::row& r) {
  r.clear();
  while (!in_.empty()) {
    if (static_cast<std::uint8_t>(in_.front()) == tag_row_end) {
      in_.remove_prefix(1);
      return true;
    }
    if (!read_value(r.emplace_back())) return false;
  }
  return false;
}

std::optional<sql::row> decode_row(std::string_view in) {
  decoder d(in);
  sql::row r;
  if (!d.read_row(r)) return std::nullopt;
  return r;
}

}  // namespace sluice::stream
