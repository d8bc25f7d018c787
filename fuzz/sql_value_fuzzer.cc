// Feeds arbitrary text to the SQL engine's value input: cast_from_text for every scalar type (what a
// CSV field, a JSON string, a literal or a text parameter becomes), and NUMERIC's arithmetic over
// two inputs split at the first '|'. A value that parses must print a text that parses back to an
// equal value printing the same text; numeric addition, multiplication and comparison must agree
// in both operand orders, and equal numerics must hash alike. COPY data (text format and CSV): what
// reads must print as COPY lines that read back as the same fields. Any crash, sanitizer report or
// abort is a bug; an eval_error (or a COPY error) is the input's rightful rejection.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "sql/cast.h"
#include "sql/copy.h"
#include "sql/error.h"
#include "sql/numeric.h"

using namespace sluice::sql;

namespace {

// The types whose text form reads back as the same value (jsonb's numbers are numerics, as written).
constexpr data_type round_trip_types[] = {
    data_type::boolean, data_type::bigint,   data_type::numeric, data_type::double_precision,
    data_type::text,    data_type::interval, data_type::jsonb,   data_type::time,
    data_type::json};
constexpr data_type other_types[] = {data_type::timestamp,     data_type::timestamptz,
                                     data_type::date,          data_type::bigint_array,
                                     data_type::numeric_array, data_type::text_array};

void check_round_trip(std::string_view text, data_type type) {
  value v;
  try {
    v = cast_from_text(text, type);
  } catch (const eval_error&) {
    return;
  }
  std::string printed = v.to_text();
  value again = cast_from_text(printed, type);  // throws (and the fuzzer reports it) if it does not read back
  if (compare(v, again) != 0 || again.to_text() != printed) std::abort();
}

template <typename F>
bool attempt(F&& f, numeric* out) {
  try {
    *out = f();
    return true;
  } catch (const eval_error&) {
    return false;
  }
}

void check_numeric_pair(std::string_view left, std::string_view right) {
  numeric a, b;
  if (!attempt([&] { return numeric_from_text(left); }, &a) ||
      !attempt([&] { return numeric_from_text(right); }, &b)) {
    return;
  }
  if (numeric_compare(a, b) != -numeric_compare(b, a)) std::abort();
  if (numeric_compare(a, b) == 0 && numeric_hash(a) != numeric_hash(b)) std::abort();
  numeric ab, ba;
  bool sum = attempt([&] { return numeric_add(a, b); }, &ab);
  if (sum != attempt([&] { return numeric_add(b, a); }, &ba) ||
      (sum && numeric_text(ab) != numeric_text(ba))) {
    std::abort();
  }
  bool product = attempt([&] { return numeric_mul(a, b); }, &ab);
  if (product != attempt([&] { return numeric_mul(b, a); }, &ba) ||
      (product && numeric_text(ab) != numeric_text(ba))) {
    std::abort();
  }
  numeric ignored;
  attempt([&] { return numeric_sub(a, b); }, &ignored);
  attempt([&] { return numeric_div(a, b); }, &ignored);
  attempt([&] { return numeric_mod(a, b); }, &ignored);
  attempt([&] { return numeric_round(a, numeric_to_bigint(b)); }, &ignored);
  attempt([&] { return numeric_with_typmod(a, static_cast<int>(b.coefficient % 40) + 1, b.scale); },
          &ignored);
  numeric_to_double(a);
}

void check_copy(std::string_view data, bool csv) {
  copy_statement copy;
  copy.csv = csv;
  if (csv) {
    copy.delimiter = ',';
    copy.null_text.clear();
  }
  auto rows = read_copy_data(data, copy);
  if (!rows) return;
  std::string printed;
  for (const copy_fields& fields : *rows) {
    row r;
    for (const auto& f : fields) r.push_back(f ? value::text(*f) : value());
    printed += copy_line(r, copy);
  }
  auto again = read_copy_data(printed, copy);
  if (!again || *again != *rows) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  std::string_view text(reinterpret_cast<const char*>(data) + 1, size - 1);
  constexpr std::size_t round_trips = std::size(round_trip_types);
  std::size_t pick = data[0] % (round_trips + std::size(other_types) + 3);
  if (pick < round_trips) {
    check_round_trip(text, round_trip_types[pick]);
  } else if (pick < round_trips + std::size(other_types)) {
    try {
      cast_from_text(text, other_types[pick - round_trips]).to_text();
    } catch (const eval_error&) {
    }
  } else if (pick >= round_trips + std::size(other_types) + 1) {
    check_copy(text, pick == round_trips + std::size(other_types) + 2);
  } else {
    std::size_t bar = text.find('|');
    check_numeric_pair(text.substr(0, bar), bar == std::string_view::npos ? "0" : text.substr(bar + 1));
  }
  return 0;
}
