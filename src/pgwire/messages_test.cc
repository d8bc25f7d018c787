// The codec alone: decoding malformed bodies, the error fields, and binary value round trips.
#include "pgwire/messages.h"

#include <gtest/gtest.h>

#include <string>

#include "pgwire/types.h"
#include "sql/numeric.h"

namespace sluice::pgwire {
namespace {

bytes_view view(const std::string& s) { return as_bytes(std::span(s.data(), s.size())); }
std::string text(const std::vector<std::byte>& b) {
  return std::string(reinterpret_cast<const char*>(b.data()), b.size());
}
std::string cstr(const std::string& s) { return s + '\0'; }

TEST(Messages, StartupParametersAndProtocolOptions) {
  std::string body("\0\3\0\0", 4);
  body += cstr("user") + cstr("ann") + cstr("_pq_.x") + cstr("1") + cstr("database") + cstr("d") + '\0';
  auto p = decode_startup(view(body));
  ASSERT_TRUE(p);
  const auto& m = std::get<startup_message>(*p);
  EXPECT_EQ(m.protocol, protocol_3_0);
  EXPECT_EQ(m.parameters, (startup_parameters{{"user", "ann"}, {"database", "d"}}));
  EXPECT_EQ(m.protocol_options, std::vector<std::string>{"_pq_.x"});
}

TEST(Messages, StartupWithBytesAfterTheTerminatorIsMalformed) {
  std::string body("\0\3\0\0", 4);
  body += cstr("user") + cstr("ann") + '\0' + "junk";
  auto p = decode_startup(view(body));
  ASSERT_FALSE(p);
  EXPECT_EQ(p.error().code, "08P01");
}

TEST(Messages, TruncatedBindIsMalformed) {
  std::string body = cstr("") + cstr("") + std::string("\0\0\0\1\0\0\0\x10", 8) + "short";
  auto m = decode_bind(view(body));
  ASSERT_FALSE(m);
  EXPECT_EQ(m.error().code, "08P01");
}

TEST(Messages, BindWithNullAndValue) {
  std::string body = cstr("p") + cstr("s") + std::string("\0\1\0\1", 4) + std::string("\0\2", 2) +
                     std::string("\xff\xff\xff\xff", 4) + std::string("\0\0\0\2", 4) + "hi" +
                     std::string("\0\0", 2);
  auto m = decode_bind(view(body));
  ASSERT_TRUE(m) << m.error().message;
  EXPECT_EQ(m->portal, "p");
  EXPECT_EQ(m->parameter_formats, std::vector<std::int16_t>{1});
  ASSERT_EQ(m->parameters.size(), 2u);
  EXPECT_FALSE(m->parameters[0]);
  EXPECT_EQ(*m->parameters[1], "hi");
}

TEST(Messages, DescribeOfAnUnknownKindIsMalformed) {
  EXPECT_FALSE(decode_describe(view("X" + cstr("name"))));
  EXPECT_TRUE(decode_describe(view("P" + cstr(""))));
}

TEST(Messages, ErrorResponseFieldsAndCharacterPosition) {
  std::vector<std::byte> out;
  write_error(out, sql::sql_error{"42703", "column \"x\" does not exist", 5, "the detail", "a hint"}, "ERROR",
              "é éx");
  auto s = text(out);
  EXPECT_EQ(s[0], 'E');
  EXPECT_EQ(load_be<std::int32_t>(out.data() + 1), static_cast<std::int32_t>(out.size() - 1));
  EXPECT_NE(s.find(cstr("SERROR")), std::string::npos);
  EXPECT_NE(s.find(cstr("VERROR")), std::string::npos);
  EXPECT_NE(s.find(cstr("C42703")), std::string::npos);
  EXPECT_NE(s.find(cstr("Dthe detail")), std::string::npos);
  EXPECT_NE(s.find(cstr("Ha hint")), std::string::npos);
  EXPECT_NE(s.find(cstr("P4")), std::string::npos);  // byte 5, the x, is the 4th character
}

TEST(Messages, DataRowTextAndNull) {
  std::vector<std::byte> out;
  write_data_row(out, {sql::value::bigint(12), sql::value{}}, {});
  EXPECT_EQ(text(out), std::string("D\0\0\0\x10\0\x02\0\0\0\x02"
                                   "12\xff\xff\xff\xff",
                                   17));
}

TEST(Types, OidsOfEngineTypes) {
  EXPECT_EQ(type_oid(sql::data_type::boolean), 16u);
  EXPECT_EQ(type_oid(sql::data_type::bigint), 20u);
  EXPECT_EQ(type_oid(sql::data_type::double_precision), 701u);
  EXPECT_EQ(type_oid(sql::data_type::text), 25u);
  EXPECT_EQ(type_oid(sql::data_type::timestamp), 1114u);
  EXPECT_EQ(type_oid(sql::data_type::timestamptz), 1184u);
  EXPECT_EQ(type_oid(sql::data_type::date), 1082u);
  EXPECT_EQ(type_oid(sql::data_type::interval), 1186u);
  EXPECT_EQ(type_oid(sql::data_type::jsonb), 3802u);
  EXPECT_EQ(type_oid(sql::data_type::unknown), 25u);
  EXPECT_EQ(type_of_oid(23), sql::data_type::bigint);
  EXPECT_EQ(type_of_oid(0), sql::data_type::unknown);
  EXPECT_EQ(type_of_oid(17), std::nullopt);  // bytea: no engine type
}

TEST(Types, BinaryRoundTrips) {
  const sql::value values[] = {sql::value::boolean(false),
                               sql::value::bigint(-1),
                               sql::value::double_precision(-0.5),
                               sql::value::text("x"),
                               sql::value::timestamp(123),
                               sql::value::timestamptz(-5),
                               sql::value::date(-3),
                               sql::value::interval_of(sql::interval{.months = -1, .days = 7, .micros = 9}),
                               sql::value::jsonb("[1]")};
  for (const auto& v : values) {
    std::vector<std::byte> out;
    append_binary(out, v);
    auto back = decode_binary(out, 0, v.type());
    ASSERT_TRUE(back) << back.error().message;
    EXPECT_EQ(back->type(), v.type());
    EXPECT_EQ(*back, v) << v.to_text();
  }
}

// numeric_send's form: base-10000 digits around the point after (count, weight, sign, scale).
TEST(Types, BinaryNumericsAsPostgresSendsThem) {
  auto num = [](const char* text) { return sql::value::numeric_of(sql::numeric_from_text(text)); };
  std::vector<std::byte> out;
  append_binary(out, num("-12345.50"));
  const std::uint8_t expected[] = {0, 3, 0, 1, 0x40, 0, 0, 2, 0, 1, 0x09, 0x29, 0x13, 0x88};  // 1 2345 5000
  ASSERT_EQ(out.size(), sizeof expected);
  for (std::size_t i = 0; i < out.size(); ++i) EXPECT_EQ(static_cast<std::uint8_t>(out[i]), expected[i]) << i;
  for (const char* text : {"0", "0.00", "1.50", "-0.0001", "12345678901234567890123456789012345678",
                           "0.00000000000000000000000000000000000001", "100000000", "-7"}) {
    out.clear();
    append_binary(out, num(text));
    auto back = decode_binary(out, 1700, sql::data_type::numeric);
    ASSERT_TRUE(back) << back.error().message;
    EXPECT_EQ(back->to_text(), text);
  }
  auto nan = decode_binary(view(std::string("\0\0\0\0\xc0\0\0\0", 8)), 1700, sql::data_type::numeric);
  ASSERT_FALSE(nan);
  EXPECT_EQ(nan.error().code, "0A000");
  EXPECT_FALSE(decode_binary(view(std::string("\0\1\0\0\0\0\0\0", 8)), 1700, sql::data_type::numeric));
}

TEST(Types, BinaryIntegersOfAnyWidthAndBadLengths) {
  std::string two("\xff\xfe", 2);
  auto v = decode_binary(view(two), 21, sql::data_type::bigint);
  ASSERT_TRUE(v);
  EXPECT_EQ(v->as_bigint(), -2);
  auto bad = decode_binary(view("abc"), 23, sql::data_type::bigint);
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().code, "22P03");
  auto overflow = decode_binary(view(std::string("\x7f\xff\xff\xff\xff\xff\xff\xff", 8)), 1114,
                                sql::data_type::timestamp);
  EXPECT_FALSE(overflow);
  EXPECT_FALSE(decode_binary(view("x"), 17, sql::data_type::text));  // bytea: not supported
}

}  // namespace
}  // namespace sluice::pgwire
