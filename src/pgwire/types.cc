#include "pgwire/types.h"

#include <fmt/format.h>

#include <algorithm>
#include <bit>
#include <string>

#include "sql/cast.h"
#include "sql/numeric.h"

namespace sluice::pgwire {
namespace {

using sql::data_type;

// Postgres counts timestamps and dates from 2000-01-01, the engine from 1970-01-01.
constexpr std::int32_t postgres_epoch_days = 10957;
constexpr std::int64_t postgres_epoch_micros = std::int64_t{postgres_epoch_days} * sql::micros_per_day;

template <typename Int>
void append_be(std::vector<std::byte>& out, Int v) {
  auto at = out.size();
  out.resize(at + sizeof(Int));
  store_be<Int>(out.data() + at, v);
}

void append_text(std::vector<std::byte>& out, const std::string& s) {
  const auto* p = reinterpret_cast<const std::byte*>(s.data());
  out.insert(out.end(), p, p + s.size());
}

tl::unexpected<sql::sql_error> bad_binary(oid type, std::size_t size) {
  return sql::sql_fail("22P03", "incorrect binary data format: " + std::to_string(size) +
                                    " bytes for a parameter of type oid " + std::to_string(type));
}

template <typename Int>
Int load(bytes_view b) {
  return load_be<Int>(b.data());
}

sql::sql_result<sql::value> decode_integer(bytes_view b, oid type) {
  switch (b.size()) {
    case 2:
      return sql::value::bigint(load<std::int16_t>(b));
    case 4:
      return sql::value::bigint(load<std::int32_t>(b));
    case 8:
      return sql::value::bigint(load<std::int64_t>(b));
    default:
      return bad_binary(type, b.size());
  }
}

sql::sql_result<sql::value> decode_float(bytes_view b, oid type) {
  if (b.size() == 4) return sql::value::double_precision(std::bit_cast<float>(load<std::uint32_t>(b)));
  if (b.size() == 8) return sql::value::double_precision(std::bit_cast<double>(load<std::uint64_t>(b)));
  return bad_binary(type, b.size());
}

sql::sql_result<sql::value> decode_timestamp(bytes_view b, oid type) {
  if (b.size() != 8) return bad_binary(type, b.size());
  std::int64_t micros = 0;
  if (__builtin_add_overflow(load<std::int64_t>(b), postgres_epoch_micros, &micros))
    return sql::sql_fail("22008", "timestamp out of range");
  return type == oids::timestamptz ? sql::value::timestamptz(micros) : sql::value::timestamp(micros);
}

sql::sql_result<sql::value> decode_date(bytes_view b, oid type) {
  if (b.size() != 4) return bad_binary(type, b.size());
  std::int32_t days = 0;
  if (__builtin_add_overflow(load<std::int32_t>(b), postgres_epoch_days, &days))
    return sql::sql_fail("22008", "date out of range");
  return sql::value::date(days);
}

sql::sql_result<sql::value> decode_interval(bytes_view b, oid type) {
  if (b.size() != 16) return bad_binary(type, b.size());
  return sql::value::interval_of(sql::interval{.months = load_be<std::int32_t>(b.data() + 12),
                                               .days = load_be<std::int32_t>(b.data() + 8),
                                               .micros = load<std::int64_t>(b)});
}

// numeric_send: the digits in base 10000 around the point, as int16s after a header of their
// count, the weight (the power of 10000 of the first), the sign and the scale to show.
void append_binary_numeric(std::vector<std::byte>& out, const sql::numeric& n) {
  std::string text = sql::numeric_text({n.coefficient < 0 ? -n.coefficient : n.coefficient, n.scale});
  std::size_t point = text.find('.');
  std::string whole = text.substr(0, point);
  std::string fraction = point == std::string::npos ? "" : text.substr(point + 1);
  if (whole == "0") whole.clear();
  whole.insert(0, (4 - whole.size() % 4) % 4, '0');
  fraction.append((4 - fraction.size() % 4) % 4, '0');
  std::string all = whole + fraction;
  std::vector<std::int16_t> groups;
  for (std::size_t i = 0; i < all.size(); i += 4)
    groups.push_back(static_cast<std::int16_t>(std::stoi(all.substr(i, 4))));
  int weight = static_cast<int>(whole.size() / 4) - 1;
  std::size_t first = 0;
  while (first < groups.size() && groups[first] == 0) {
    ++first;
    --weight;
  }
  std::size_t last = groups.size();
  while (last > first && groups[last - 1] == 0) --last;
  if (first == last) weight = 0;
  append_be<std::int16_t>(out, static_cast<std::int16_t>(last - first));
  append_be<std::int16_t>(out, static_cast<std::int16_t>(weight));
  append_be<std::uint16_t>(out, n.coefficient < 0 ? 0x4000 : 0);
  append_be<std::int16_t>(out, static_cast<std::int16_t>(n.scale));
  for (std::size_t i = first; i < last; ++i) append_be<std::int16_t>(out, groups[i]);
}

sql::sql_result<sql::value> decode_numeric(bytes_view b, oid type) {
  if (b.size() < 8) return bad_binary(type, b.size());
  auto count = load_be<std::int16_t>(b.data());
  auto weight = load_be<std::int16_t>(b.data() + 2);
  auto sign = load_be<std::uint16_t>(b.data() + 4);
  auto scale = load_be<std::int16_t>(b.data() + 6);
  if (count < 0 || b.size() != 8 + 2 * static_cast<std::size_t>(count)) return bad_binary(type, b.size());
  if (sign != 0 && sign != 0x4000) {
    return sql::sql_fail(sql::sqlstate::feature_not_supported, "numeric NaN and infinity are not supported");
  }
  try {
    sql::numeric n{0, 0};
    for (int i = 0; i < count; ++i) {  // digit i stands for digit × 10000^(weight − i)
      auto digit = load_be<std::int16_t>(b.data() + 8 + 2 * i);
      if (digit < 0 || digit > 9999) return bad_binary(type, b.size());
      n = sql::numeric_add(n, sql::numeric_from_text(fmt::format("{}e{}", digit, 4 * (weight - i))));
    }
    if (sign == 0x4000) n = sql::numeric_neg(n);
    return sql::value::numeric_of(sql::numeric_round(n, std::max<int>(scale, 0)));
  } catch (const sql::eval_error& e) {
    return sql::sql_fail(e);
  }
}

// array_send: ndim, has-NULLs flag, element oid, then (length, lower bound 1) per dimension and each
// element as a length (-1 for NULL) and its binary form. An empty array has no dimensions.
void append_binary_array(std::vector<std::byte>& out, const sql::value& v) {
  const std::vector<sql::value>& items = v.as_array();
  bool has_null = false;
  for (const sql::value& item : items) has_null = has_null || item.is_null();
  append_be<std::int32_t>(out, items.empty() ? 0 : 1);
  append_be<std::int32_t>(out, has_null ? 1 : 0);
  append_be<std::uint32_t>(out, type_oid(sql::element_type(v.type())));
  if (!items.empty()) {
    append_be<std::int32_t>(out, static_cast<std::int32_t>(items.size()));
    append_be<std::int32_t>(out, 1);
  }
  for (const sql::value& item : items) {
    if (item.is_null()) {
      append_be<std::int32_t>(out, -1);
      continue;
    }
    std::size_t at = out.size();
    append_be<std::int32_t>(out, 0);
    append_binary(out, item);
    store_be<std::int32_t>(out.data() + at, static_cast<std::int32_t>(out.size() - at - 4));
  }
}

std::string as_string(bytes_view b) { return std::string(reinterpret_cast<const char*>(b.data()), b.size()); }

sql::sql_result<sql::value> decode_jsonb(bytes_view b, oid type) {
  if (b.empty() || b[0] != std::byte{1}) return bad_binary(type, b.size());
  return sql::value::jsonb(as_string(b.subspan(1)));
}

}  // namespace

oid type_oid(data_type type) {
  switch (type) {
    case data_type::boolean:
      return oids::boolean;
    case data_type::bigint:
      return oids::int8;
    case data_type::double_precision:
      return oids::float8;
    case data_type::numeric:
      return oids::numeric;
    case data_type::timestamp:
      return oids::timestamp;
    case data_type::timestamptz:
      return oids::timestamptz;
    case data_type::date:
      return oids::date;
    case data_type::time:
      return oids::time;
    case data_type::interval:
      return oids::interval;
    case data_type::jsonb:
      return oids::jsonb;
    case data_type::json:
      return oids::json;
    case data_type::text:
    case data_type::unknown:
      return oids::text;
    default:
      return array_type_oid(sql::element_type(type));
  }
}

oid array_type_oid(data_type element) {
  switch (element) {
    case data_type::boolean:
      return oids::bool_array;
    case data_type::bigint:
      return oids::int8_array;
    case data_type::double_precision:
      return oids::float8_array;
    case data_type::numeric:
      return oids::numeric_array;
    case data_type::timestamp:
      return oids::timestamp_array;
    case data_type::timestamptz:
      return oids::timestamptz_array;
    case data_type::date:
      return oids::date_array;
    case data_type::time:
      return oids::time_array;
    case data_type::json:
      return oids::json_array;
    case data_type::interval:
      return oids::interval_array;
    case data_type::jsonb:
      return oids::jsonb_array;
    default:
      return oids::text_array;
  }
}

std::int16_t type_size(data_type type) {
  switch (type) {
    case data_type::boolean:
      return 1;
    case data_type::date:
      return 4;
    case data_type::bigint:
    case data_type::double_precision:
    case data_type::timestamp:
    case data_type::timestamptz:
    case data_type::time:
      return 8;
    case data_type::interval:
      return 16;
    default:
      return -1;
  }
}

std::optional<data_type> type_of_oid(oid declared) {
  switch (declared) {
    case 0:
    case oids::unknown:
      return data_type::unknown;
    case oids::boolean:
      return data_type::boolean;
    case oids::int2:
    case oids::int4:
    case oids::int8:
      return data_type::bigint;
    case oids::float4:
    case oids::float8:
      return data_type::double_precision;
    case oids::numeric:
      return data_type::numeric;
    case oids::text:
    case oids::varchar:
    case oids::bpchar:
    case oids::name:
      return data_type::text;
    case oids::timestamp:
      return data_type::timestamp;
    case oids::timestamptz:
      return data_type::timestamptz;
    case oids::date:
      return data_type::date;
    case oids::time:
      return data_type::time;
    case oids::interval:
      return data_type::interval;
    case oids::json:
      return data_type::json;
    case oids::jsonb:
      return data_type::jsonb;
    case oids::bool_array:
      return data_type::boolean_array;
    case oids::int2_array:
    case oids::int4_array:
    case oids::int8_array:
    case oids::oid_array:
      return data_type::bigint_array;
    case oids::float4_array:
    case oids::float8_array:
      return data_type::double_precision_array;
    case oids::numeric_array:
      return data_type::numeric_array;
    case oids::text_array:
    case oids::varchar_array:
      return data_type::text_array;
    case oids::timestamp_array:
      return data_type::timestamp_array;
    case oids::timestamptz_array:
      return data_type::timestamptz_array;
    case oids::date_array:
      return data_type::date_array;
    case oids::time_array:
      return data_type::time_array;
    case oids::json_array:
      return data_type::json_array;
    case oids::interval_array:
      return data_type::interval_array;
    case oids::jsonb_array:
      return data_type::jsonb_array;
    default:
      return std::nullopt;
  }
}

void append_binary(std::vector<std::byte>& out, const sql::value& v) {
  switch (v.type()) {
    case data_type::boolean:
      return out.push_back(std::byte{v.as_bool() ? std::uint8_t{1} : std::uint8_t{0}});
    case data_type::bigint:
      return append_be<std::int64_t>(out, v.as_bigint());
    case data_type::double_precision:
      return append_be<std::uint64_t>(out, std::bit_cast<std::uint64_t>(v.as_double()));
    case data_type::numeric:
      return append_binary_numeric(out, v.as_numeric());
    case data_type::timestamp:
    case data_type::timestamptz:
      // Wraps only for times ~292,000 years away, which the engine never produces.
      return append_be<std::int64_t>(out, v.as_micros() - postgres_epoch_micros);
    case data_type::date:
      return append_be<std::int32_t>(out, v.as_date() - postgres_epoch_days);
    case data_type::time:
      return append_be<std::int64_t>(out, v.as_micros());
    case data_type::interval: {
      auto iv = v.as_interval();
      append_be<std::int64_t>(out, iv.micros);
      append_be<std::int32_t>(out, iv.days);
      return append_be<std::int32_t>(out, iv.months);
    }
    case data_type::jsonb:
      out.push_back(std::byte{1});
      return append_text(out, v.as_text());
    case data_type::text:
    case data_type::json:
      return append_text(out, v.as_text());
    case data_type::unknown:
      return;  // NULL: callers send it as length -1 and never get here
    default:
      return append_binary_array(out, v);
  }
}

sql::sql_result<sql::value> decode_binary(bytes_view bytes, oid declared, data_type type) {
  oid wire = declared != 0 && declared != oids::unknown ? declared : type_oid(type);
  switch (wire) {
    case oids::boolean:
      if (bytes.size() != 1) return bad_binary(wire, bytes.size());
      return sql::value::boolean(bytes[0] != std::byte{0});
    case oids::int2:
    case oids::int4:
    case oids::int8:
      return decode_integer(bytes, wire);
    case oids::float4:
    case oids::float8:
      return decode_float(bytes, wire);
    case oids::numeric:
      return decode_numeric(bytes, wire);
    case oids::text:
    case oids::varchar:
    case oids::bpchar:
    case oids::name:
      return sql::value::text(as_string(bytes));
    case oids::json:
      try {
        return sql::cast_from_text(as_string(bytes), data_type::json);
      } catch (const sql::eval_error& e) {
        return sql::sql_fail(e);
      }
    case oids::jsonb:
      return decode_jsonb(bytes, wire);
    case oids::timestamp:
    case oids::timestamptz:
      return decode_timestamp(bytes, wire);
    case oids::date:
      return decode_date(bytes, wire);
    case oids::time: {
      if (bytes.size() != 8) return bad_binary(wire, bytes.size());
      std::int64_t micros = load<std::int64_t>(bytes);
      if (micros < 0 || micros > sql::micros_per_day) return sql::sql_fail("22008", "time out of range");
      return sql::value::time_of_day(micros);
    }
    case oids::interval:
      return decode_interval(bytes, wire);
    default:
      return sql::sql_fail(
          sql::sqlstate::feature_not_supported,
          "binary format for parameters of type oid " + std::to_string(wire) + " is not supported");
  }
}

}  // namespace sluice::pgwire
