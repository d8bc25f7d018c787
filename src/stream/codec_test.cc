#include "stream/codec.h"

#include <gtest/gtest.h>

#include <random>

#include "stream/test_util.h"

namespace sluice::stream {
namespace {

using namespace testing;

TEST(Codec, EveryTypeRoundTrips) {
  sql::row r = {N(),
                B(true),
                B(false),
                I(-42),
                I(std::numeric_limits<std::int64_t>::min()),
                D(-0.5),
                D(1e300),
                T(std::string("a\0b", 3)),
                T(""),
                TS(-1),
                sql::value::timestamptz(123),
                sql::value::date(-3),
                sql::value::interval_of({1, -2, 3}),
                sql::value::jsonb("{\"a\":1}"),
                T(std::string("\0\0x\0", 4))};
  auto back = decode_row(encode_row(r));
  ASSERT_TRUE(back);
  ASSERT_EQ(back->size(), r.size());
  for (std::size_t i = 0; i < r.size(); ++i) {
    EXPECT_EQ((*back)[i].type(), r[i].type()) << i;
    EXPECT_EQ(compare((*back)[i], r[i]), 0) << i;
  }
  EXPECT_EQ((*back)[12].as_interval(), (sql::interval{1, -2, 3}));
}

TEST(Codec, TruncatedInputIsRejected) {
  std::string bytes = encode_row({I(7), T("hello")});
  for (std::size_t n = 0; n < bytes.size(); ++n) EXPECT_FALSE(decode_row(bytes.substr(0, n))) << n;
}

// Bytewise order of encodings equals compare_rows order, so range scans see rows in SQL order.
TEST(Codec, EncodingPreservesOrder) {
  std::mt19937_64 rng(7);
  std::uniform_int_distribution<int> kind(0, 3);
  auto random_value = [&](int k) -> sql::value {
    switch (k) {
      case 0:
        return I(static_cast<std::int64_t>(rng()) >> (rng() % 60));
      case 1:
        return D(
            std::ldexp(static_cast<double>(static_cast<std::int64_t>(rng())), -static_cast<int>(rng() % 80)));
      case 2: {
        std::string s;
        for (std::size_t i = rng() % 4; i > 0; --i) s.push_back("\0ab\xff"[rng() % 4]);
        return T(s);
      }
      default:
        return rng() % 4 == 0 ? N() : TS(static_cast<std::int64_t>(rng() % 1000) - 500);
    }
  };
  for (int i = 0; i < 20000; ++i) {
    int k = kind(rng);
    sql::row a = {random_value(k), random_value(3)};
    sql::row b = {random_value(k), random_value(3)};
    int expected = sql::compare_rows(a, b);
    int actual = encode_row(a).compare(encode_row(b));
    EXPECT_EQ(expected < 0, actual < 0) << row_text(a) << " vs " << row_text(b);
    EXPECT_EQ(expected == 0, actual == 0) << row_text(a) << " vs " << row_text(b);
  }
}

// Numerics order by value whatever their scales, and come back with the scale they had (1.50 stays
// 1.50). Equal values at different scales (1.5, 1.50) differ only in a last byte.
TEST(Codec, NumericsOrderByValueAndKeepTheirScale) {
  std::mt19937_64 rng(11);
  auto random_numeric = [&] {
    sql::int128 c = static_cast<std::int64_t>(rng()) >> (rng() % 64);
    if (rng() % 3 == 0) c *= static_cast<std::int64_t>(rng() >> 1);  // up to 38 digits
    int scale = static_cast<int>(rng() % 12);
    if (rng() % 4 == 0) c = 0;
    return sql::value::numeric_of({c, scale});
  };
  for (int i = 0; i < 20000; ++i) {
    sql::value a = random_numeric(), b = random_numeric();
    std::string ea = encode_row({a}), eb = encode_row({b});
    int expected = compare(a, b), actual = ea.compare(eb);
    if (expected != 0) {
      EXPECT_EQ(expected < 0, actual < 0) << a.to_text() << " vs " << b.to_text();
    } else {
      EXPECT_EQ(ea.substr(0, ea.size() - 2), eb.substr(0, eb.size() - 2));
    }
    auto back = decode_row(ea);
    ASSERT_TRUE(back);
    EXPECT_EQ((*back)[0].to_text(), a.to_text());
    for (std::size_t n = 0; n < ea.size(); ++n) EXPECT_FALSE(decode_row(ea.substr(0, n))) << n;
  }
  std::string short_scale = encode_row({sql::value::numeric_of(sql::numeric_from_text("1.5"))});
  std::string long_scale = encode_row({sql::value::numeric_of(sql::numeric_from_text("1.50"))});
  EXPECT_EQ(short_scale.substr(0, short_scale.size() - 2), long_scale.substr(0, long_scale.size() - 2));
  EXPECT_NE(short_scale, long_scale);
}

TEST(Codec, ShorterRowSortsFirst) {
  EXPECT_LT(encode_row({I(1)}), encode_row({I(1), I(0)}));
  EXPECT_LT(encode_row({T("a")}), encode_row({T(std::string("a\0", 2))}));
}

TEST(Codec, ArraysRoundTripAndOrderAsCompareDoes) {
  auto ints = [](std::vector<sql::value> v) {
    return sql::value::array(sql::data_type::bigint_array, std::move(v));
  };
  std::vector<sql::value> ordered = {ints({}),           ints({I(-1)}),     ints({I(1)}),
                                     ints({I(1), I(0)}), ints({I(1), N()}), ints({I(2)})};
  for (std::size_t i = 0; i + 1 < ordered.size(); ++i) {
    ASSERT_LT(compare(ordered[i], ordered[i + 1]), 0);
    EXPECT_LT(encode_row({ordered[i]}), encode_row({ordered[i + 1]}));
  }
  sql::row r = {ints({I(1), N()}), sql::value::array(sql::data_type::text_array, {T("a\0b"), T("")}),
                sql::value::array(sql::data_type::interval_array, {}), I(7)};
  auto back = decode_row(encode_row(r));
  ASSERT_TRUE(back.has_value());
  ASSERT_EQ(back->size(), r.size());
  for (std::size_t i = 0; i < r.size(); ++i) {
    EXPECT_EQ((*back)[i].type(), r[i].type());
    EXPECT_EQ((*back)[i], r[i]);
  }
}

}  // namespace
}  // namespace sluice::stream
