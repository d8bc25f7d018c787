#include "sql/value.h"

#include <gtest/gtest.h>

#include "sql/cast.h"
#include "sql/civil_time.h"
#include "sql/error.h"
#include "sql/expr.h"
#include "sql/functions.h"

namespace sluice::sql {
namespace {

TEST(Value, TextFormatsFollowPostgres) {
  EXPECT_EQ(value::boolean(true).to_text(), "t");
  EXPECT_EQ(value::bigint(-42).to_text(), "-42");
  EXPECT_EQ(value::double_precision(0.1).to_text(), "0.1");
  EXPECT_EQ(value::double_precision(1.0 / 0.0).to_text(), "Infinity");
  EXPECT_EQ(value::timestamp(0).to_text(), "1970-01-01 00:00:00");
  EXPECT_EQ(value::timestamp(1'500'000).to_text(), "1970-01-01 00:00:01.5");
  EXPECT_EQ(value::timestamp(-1).to_text(), "1969-12-31 23:59:59.999999");
  EXPECT_EQ(value::timestamptz(days_from_civil({2024, 2, 29}) * micros_per_day).to_text(),
            "2024-02-29 00:00:00+00");
  EXPECT_EQ(value::date(0).to_text(), "1970-01-01");
  EXPECT_EQ(value::interval_of({14, 3, 4 * 3600 * micros_per_second}).to_text(),
            "1 year 2 mons 3 days 04:00:00");
  EXPECT_EQ(value::interval_of({}).to_text(), "00:00:00");
  EXPECT_EQ(value::interval_of({0, 0, -90 * micros_per_second}).to_text(), "-00:01:30");
}

TEST(Value, NumericTypesCompareAndHashAlike) {
  EXPECT_EQ(compare(value::bigint(5), value::double_precision(5.0)), 0);
  EXPECT_EQ(value::bigint(5).hash(), value::double_precision(5.0).hash());
  EXPECT_LT(compare(value::bigint(5), value::double_precision(5.5)), 0);
}

// Months of 30 days reach past int64 microseconds; intervals still compare exactly (found by the
// value fuzzer as an overflow).
TEST(Value, HugeIntervalsCompareWithoutOverflow) {
  value far = value::interval_of({INT32_MAX, 0, 0}), farther = value::interval_of({INT32_MAX, 1, 0});
  EXPECT_LT(compare(far, farther), 0);
  EXPECT_GT(compare(value::interval_of({INT32_MIN + 1, 0, 0}), value::interval_of({INT32_MIN, 0, 0})), 0);
  EXPECT_EQ(far.as_interval().approximate_micros(), INT64_MAX);  // clamped where an int64 is needed
}

TEST(Value, NullSortsLastAndEqualsItself) {
  EXPECT_GT(compare(value(), value::bigint(1)), 0);
  EXPECT_EQ(value(), value());
  EXPECT_LT(compare_rows({value::text("a"), value()}, {value::text("b"), value::bigint(0)}), 0);
}

TEST(CivilTime, RoundTripsAcrossEras) {
  for (std::int64_t days : {-719468LL, -1LL, 0LL, 11016LL, 2932896LL}) {
    EXPECT_EQ(days_from_civil(civil_from_days(days)), days);
  }
  EXPECT_EQ(floor_div(-1, micros_per_day), -1);
}

value divide(const value* args, std::size_t) {
  if (args[1].as_bigint() == 0) throw eval_error(sqlstate::division_by_zero, "division by zero");
  return value::bigint(args[0].as_bigint() / args[1].as_bigint());
}

TEST(Expr, StrictCallsReturnNullAndLogicIsThreeValued) {
  expr call;
  call.kind = expr_kind::call;
  call.fn = divide;
  call.name = "div";
  call.args = {expr::make_column(0, data_type::bigint, "a"), expr::make_column(1, data_type::bigint, "b")};
  EXPECT_EQ(evaluate(call, {value::bigint(7), value::bigint(2)}), value::bigint(3));
  EXPECT_TRUE(evaluate(call, {value(), value::bigint(0)}).is_null());
  EXPECT_THROW(evaluate(call, {value::bigint(1), value::bigint(0)}), eval_error);

  expr any;
  any.kind = expr_kind::or_op;
  any.args = {expr::make_constant(value(), data_type::boolean),
              expr::make_column(0, data_type::boolean, "x")};
  EXPECT_EQ(evaluate(any, {value::boolean(true)}), value::boolean(true));
  EXPECT_TRUE(evaluate(any, {value::boolean(false)}).is_null());
  EXPECT_FALSE(evaluate_predicate(any, {value::boolean(false)}));
}

TEST(Value, ArrayTextQuotesAsArrayOutDoes) {
  auto texts = [](std::vector<std::string> items) {
    std::vector<value> v;
    for (std::string& s : items) v.push_back(value::text(std::move(s)));
    return value::array(data_type::text_array, std::move(v)).to_text();
  };
  EXPECT_EQ(texts({"a", "b"}), "{a,b}");
  EXPECT_EQ(texts({""}), "{\"\"}");
  EXPECT_EQ(texts({"NULL", "Null", "nul"}), "{\"NULL\",\"Null\",nul}");
  EXPECT_EQ(texts({"a b", "a\tb", "x,y", "{", "}"}), "{\"a b\",\"a\tb\",\"x,y\",\"{\",\"}\"}");
  EXPECT_EQ(texts({"say \"hi\"", "back\\slash"}), "{\"say \\\"hi\\\"\",\"back\\\\slash\"}");
  EXPECT_EQ(value::array(data_type::bigint_array, {value::bigint(1), value(), value::bigint(-2)}).to_text(),
            "{1,NULL,-2}");
  EXPECT_EQ(value::array(data_type::bigint_array, {}).to_text(), "{}");
  EXPECT_EQ(value::array(data_type::timestamp_array, {value::timestamp(0)}).to_text(),
            "{\"1970-01-01 00:00:00\"}");
}

TEST(Value, ArrayTextReadsBackToTheSameArray) {
  for (const char* text : {"{}", "{1,NULL,-2}", "{\"a b\",\"\",\"NULL\",\"c\\\"d\",\"e\\\\f\"}"}) {
    data_type type = std::string_view(text).find('"') == std::string_view::npos ? data_type::bigint_array
                                                                                : data_type::text_array;
    EXPECT_EQ(cast_from_text(text, type).to_text(), text);
  }
  EXPECT_EQ(cast_from_text(" { a , \"b \" ,c\\,d } ", data_type::text_array).to_text(), "{a,\"b \",\"c,d\"}");
  EXPECT_TRUE(cast_from_text("{null}", data_type::text_array).as_array()[0].is_null());
  EXPECT_FALSE(cast_from_text("{\"null\"}", data_type::text_array).as_array()[0].is_null());
  for (const char* bad : {"", "1", "{1", "{1,}", "{,1}", "{1}x"}) {
    EXPECT_THROW(cast_from_text(bad, data_type::text_array), eval_error) << bad;
  }
}

TEST(Value, ArraysCopyCheaplyAndCompareElementwise) {
  value a = value::array(data_type::bigint_array, {value::bigint(1), value::bigint(2)});
  value copy = a;
  EXPECT_EQ(&copy.as_array(), &a.as_array());  // shared, not copied
  value moved = std::move(copy);
  EXPECT_TRUE(copy.is_null());  // NOLINT(bugprone-use-after-move): a moved-from array is NULL
  EXPECT_EQ(moved, a);
  value longer =
      value::array(data_type::bigint_array, {value::bigint(1), value::bigint(2), value::bigint(0)});
  value with_null = value::array(data_type::bigint_array, {value::bigint(1), value()});
  EXPECT_LT(compare(a, longer), 0);
  EXPECT_GT(compare(with_null, longer), 0);
  EXPECT_LT(compare(value::array(data_type::bigint_array, {}), a), 0);
  EXPECT_EQ(a.hash(), value::array(data_type::bigint_array, {value::bigint(1), value::bigint(2)}).hash());
}

// upper/lower map well-formed characters only: a stray byte (a truncated or Latin-1 one) is kept.
TEST(Value, CaseMappingKeepsBytesThatAreNotUtf8) {
  auto call = [](const char* name, std::string text) {
    for (const function_overload& f : find_overloads(name)) {
      if (f.args.size() == 1 && f.args[0] == data_type::text) {
        value arg = value::text(std::move(text));
        return f.fn(&arg, 1).as_text();
      }
    }
    return std::string("no overload");
  };
  const std::string latin1_e = "\xE9", stray = "\xFF";
  EXPECT_EQ(call("upper", "caf\xC3\xA9"), "CAF\xC3\x89");
  EXPECT_EQ(call("upper", "a" + latin1_e + "b"), "A" + latin1_e + "B");  // Latin-1 é: not a character here
  EXPECT_EQ(call("lower", "X\xC3"), "x\xC3");                            // truncated at the end
  EXPECT_EQ(call("initcap", "ab" + stray + "cd ef"), "Ab" + stray + "Cd Ef");  // the stray byte ends a word
}

}  // namespace
}  // namespace sluice::sql
