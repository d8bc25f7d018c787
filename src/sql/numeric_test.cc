// The expected texts are what Postgres 15 prints for the same expressions.
#include "sql/numeric.h"

#include <gtest/gtest.h>

#include "sql/error.h"

namespace sluice::sql {
namespace {

numeric n(const char* text) { return numeric_from_text(text); }
std::string t(numeric x) { return numeric_text(x); }

std::string code_of(auto&& f) {
  try {
    f();
  } catch (const eval_error& e) {
    return e.code();
  }
  return "none";
}

TEST(Numeric, TextKeepsTheScaleItWasWrittenWith) {
  EXPECT_EQ(t(n("1.50")), "1.50");
  EXPECT_EQ(t(n(" -0.05 ")), "-0.05");
  EXPECT_EQ(t(n("+007")), "7");
  EXPECT_EQ(t(n(".5")), "0.5");
  EXPECT_EQ(t(n("5.")), "5");
  EXPECT_EQ(t(n("1e3")), "1000");
  EXPECT_EQ(t(n("1.5e-3")), "0.0015");
  EXPECT_EQ(t(n("-0")), "0");
  EXPECT_EQ(t(n("1_000")), "1000");
  EXPECT_EQ(t(n("12345678901234567890123456789012345678")), "12345678901234567890123456789012345678");
  EXPECT_EQ(code_of([] { n("abc"); }), "22P02");
  EXPECT_EQ(code_of([] { n("1.2.3"); }), "22P02");
  EXPECT_EQ(code_of([] { n(""); }), "22P02");
  EXPECT_EQ(code_of([] { n("1e"); }), "22P02");
  EXPECT_EQ(code_of([] { n("NaN"); }), "0A000");
  EXPECT_EQ(code_of([] { n("123456789012345678901234567890123456789"); }), "22003");
}

TEST(Numeric, SumsAndProductsAreExact) {
  EXPECT_EQ(t(numeric_add(n("0.1"), n("0.2"))), "0.3");
  EXPECT_EQ(t(numeric_add(n("1.5"), n("2.25"))), "3.75");
  EXPECT_EQ(t(numeric_sub(n("1.50"), n("1.5"))), "0.00");
  EXPECT_EQ(t(numeric_mul(n("1.5"), n("2"))), "3.0");
  EXPECT_EQ(t(numeric_mul(n("0.1"), n("0.1"))), "0.01");
  EXPECT_EQ(t(numeric_mul(n("-12345678901234567890"), n("1000000000000000000"))),
            "-12345678901234567890000000000000000000");
  EXPECT_EQ(code_of([] { numeric_mul(n("1e37"), n("100")); }), "22003");
  // Too many digits after the point: the last ones are rounded away, as a wider numeric would print.
  EXPECT_EQ(t(numeric_mul(n("0.00000000000000000001"), n("0.000000000000000000015"))),
            "0.00000000000000000000000000000000000000");
}

TEST(Numeric, QuotientsHaveAtLeastSixteenSignificantDigits) {
  EXPECT_EQ(t(numeric_div(n("10"), n("4.0"))), "2.5000000000000000");
  EXPECT_EQ(t(numeric_div(n("3"), n("2"))), "1.5000000000000000");
  EXPECT_EQ(t(numeric_div(n("1"), n("3"))), "0.33333333333333333333");
  EXPECT_EQ(t(numeric_div(n("2"), n("3"))), "0.66666666666666666667");
  EXPECT_EQ(t(numeric_div(n("100"), n("3"))), "33.3333333333333333");
  EXPECT_EQ(t(numeric_div(n("1"), n("7"))), "0.14285714285714285714");
  EXPECT_EQ(t(numeric_div(n("123456"), n("2"))), "61728.000000000000");
  EXPECT_EQ(t(numeric_div(n("1.000"), n("0.001"))), "1000.0000000000000000");
  EXPECT_EQ(t(numeric_div(n("-7"), n("2"))), "-3.5000000000000000");
  EXPECT_EQ(code_of([] { numeric_div(n("1"), n("0.00")); }), "22012");
}

TEST(Numeric, ModuloTakesTheDividendsSign) {
  EXPECT_EQ(t(numeric_mod(n("10.5"), n("3"))), "1.5");
  EXPECT_EQ(t(numeric_mod(n("-7"), n("3"))), "-1");
  EXPECT_EQ(t(numeric_mod(n("7"), n("-3"))), "1");
  EXPECT_EQ(code_of([] { numeric_mod(n("1"), n("0")); }), "22012");
}

TEST(Numeric, RoundingIsHalfAwayFromZero) {
  EXPECT_EQ(t(numeric_round(n("2.5"), 0)), "3");
  EXPECT_EQ(t(numeric_round(n("-2.5"), 0)), "-3");
  EXPECT_EQ(t(numeric_round(n("2.345"), 2)), "2.35");
  EXPECT_EQ(t(numeric_round(n("1.5"), 3)), "1.500");
  EXPECT_EQ(t(numeric_round(n("1250.5"), -2)), "1300");
  EXPECT_EQ(t(numeric_round(n("5"), -1)), "10");
  EXPECT_EQ(t(numeric_trunc(n("-1.99"), 0)), "-1");
  EXPECT_EQ(t(numeric_trunc(n("1.999"), 2)), "1.99");
  EXPECT_EQ(t(numeric_ceil(n("-1.5"))), "-1");
  EXPECT_EQ(t(numeric_ceil(n("1.2"))), "2");
  EXPECT_EQ(t(numeric_floor(n("-1.5"))), "-2");
  EXPECT_EQ(t(numeric_floor(n("1.00"))), "1");
  EXPECT_EQ(numeric_to_bigint(n("2.5")), 3);
  EXPECT_EQ(numeric_to_bigint(n("-2.5")), -3);
  EXPECT_EQ(code_of([] { numeric_to_bigint(n("9223372036854775808")); }), "22003");
}

TEST(Numeric, TypmodRoundsAndBoundsTheIntegerDigits) {
  EXPECT_EQ(t(numeric_with_typmod(n("1"), 10, 2)), "1.00");
  EXPECT_EQ(t(numeric_with_typmod(n("3.14159"), 5, 3)), "3.142");
  EXPECT_EQ(t(numeric_with_typmod(n("99999999.994"), 10, 2)), "99999999.99");
  EXPECT_EQ(code_of([] { numeric_with_typmod(n("99999999.995"), 10, 2); }), "22003");
  EXPECT_EQ(code_of([] { numeric_with_typmod(n("1"), 2, 2); }), "22003");
}

TEST(Numeric, DoublesConvertThroughFifteenDigits) {
  EXPECT_EQ(t(numeric_from_double(0.1)), "0.1");
  EXPECT_EQ(t(numeric_from_double(1e20)), "100000000000000000000");
  EXPECT_EQ(t(numeric_from_double(-2.5)), "-2.5");
  EXPECT_EQ(numeric_to_double(n("0.1")), 0.1);
  EXPECT_EQ(numeric_to_double(n("12345678901234567890.5")), 12345678901234567890.5);
  EXPECT_EQ(code_of([] { numeric_from_double(1.0 / 0.0); }), "0A000");
}

TEST(Numeric, EqualNumbersCompareAndHashAlikeAtAnyScale) {
  EXPECT_EQ(numeric_compare(n("1.0"), n("1.00")), 0);
  EXPECT_EQ(numeric_hash(n("1.0")), numeric_hash(n("1")));
  EXPECT_EQ(numeric_hash(n("2.50")), numeric_hash(n("2.5")));
  EXPECT_LT(numeric_compare(n("-1"), n("0.5")), 0);
  EXPECT_GT(numeric_compare(n("10000000000000000000000000000000000000"),
                            n("0.00000000000000000000000000000000000001")),
            0);
  EXPECT_LT(numeric_compare(n("0.00000000000000000000000000000000000001"),
                            n("10000000000000000000000000000000000000")),
            0);
}

}  // namespace
}  // namespace sluice::sql
