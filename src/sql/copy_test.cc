// COPY's statement options and data formats, against what Postgres 15 reads and writes.
#include "sql/copy.h"

#include <gtest/gtest.h>

namespace sluice::sql {
namespace {

copy_statement must_parse(std::string_view sql) {
  auto copy = parse_copy(sql);
  EXPECT_TRUE(copy) << sql << ": " << (copy ? "" : copy.error().message);
  return copy ? *copy : copy_statement{};
}

std::vector<copy_fields> must_read(std::string_view data, const copy_statement& copy) {
  auto rows = read_copy_data(data, copy);
  EXPECT_TRUE(rows) << (rows ? "" : rows.error().message);
  return rows ? *rows : std::vector<copy_fields>{};
}

TEST(Copy, ReadsTheStatement) {
  EXPECT_TRUE(is_copy_statement("  copy t from stdin"));
  EXPECT_FALSE(is_copy_statement("copyright"));
  copy_statement in =
      must_parse("COPY t (a, b) FROM STDIN WITH (FORMAT csv, HEADER, DELIMITER ';', NULL 'x')");
  EXPECT_TRUE(in.from_client);
  EXPECT_EQ(in.table, "t");
  EXPECT_EQ(in.columns, (std::vector<std::string>{"a", "b"}));
  EXPECT_TRUE(in.csv);
  EXPECT_TRUE(in.header);
  EXPECT_EQ(in.delimiter, ';');
  EXPECT_EQ(in.null_text, "x");
  copy_statement legacy = must_parse("COPY t FROM STDIN CSV HEADER");
  EXPECT_TRUE(legacy.csv && legacy.header);
  EXPECT_EQ(legacy.delimiter, ',');
  EXPECT_EQ(legacy.null_text, "");
  copy_statement out = must_parse("COPY (SELECT a, ')' FROM t WHERE (a > 1)) TO STDOUT");
  EXPECT_FALSE(out.from_client);
  EXPECT_EQ(out.query, "SELECT a, ')' FROM t WHERE (a > 1)");
  EXPECT_EQ(out.delimiter, '\t');
  EXPECT_EQ(out.null_text, "\\N");
  EXPECT_EQ(parse_copy("COPY t FROM '/etc/passwd'").error().code, "0A000");
  EXPECT_EQ(parse_copy("COPY t TO STDOUT WITH (FORMAT binary)").error().code, "0A000");
  EXPECT_EQ(parse_copy("COPY t FROM STDIN WITH (DELIMITER '::')").error().code, "0A000");
}

TEST(Copy, ReadsTheTextFormat) {
  copy_statement copy = must_parse("COPY t FROM STDIN");
  auto rows = must_read("1\ta\\tb\\\\c\n2\t\\N\n3\t\\101\\x42\r\n\\.\nignored\n", copy);
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(rows[0], (copy_fields{"1", "a\tb\\c"}));
  EXPECT_EQ(rows[1], (copy_fields{"2", std::nullopt}));
  EXPECT_EQ(rows[2], (copy_fields{"3", "AB"}));
  EXPECT_EQ(must_read("", copy).size(), 0u);
}

TEST(Copy, ReadsCsv) {
  copy_statement copy = must_parse("COPY t FROM STDIN WITH (FORMAT csv, HEADER)");
  auto rows = must_read("a,b,c\n1,\"x, \"\"y\"\"\",\n2,\"\",\"two\nlines\"\n3,plain,last", copy);
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(rows[0], (copy_fields{"1", "x, \"y\"", std::nullopt}));
  EXPECT_EQ(rows[1], (copy_fields{"2", "", "two\nlines"}));
  EXPECT_EQ(rows[2], (copy_fields{"3", "plain", "last"}));
  auto unterminated = read_copy_data("1,\"open\n", copy);
  ASSERT_FALSE(unterminated);
  EXPECT_EQ(unterminated.error().code, "22P04");
}

TEST(Copy, WritesLinesAsPostgresDoes) {
  row r{value::bigint(1), value::text("a\tb\\c"), value(), value::boolean(true), value::text("")};
  EXPECT_EQ(copy_line(r, must_parse("COPY t TO STDOUT")), "1\ta\\tb\\\\c\t\\N\tt\t\n");
  copy_statement csv = must_parse("COPY t TO STDOUT WITH (FORMAT csv)");
  EXPECT_EQ(copy_line({value::text("x, \"y\""), value(), value::text(""), value::text("z")}, csv),
            "\"x, \"\"y\"\"\",,\"\",z\n");
  EXPECT_EQ(copy_header({{"id", data_type::bigint}, {"a,b", data_type::text}}, csv), "id,\"a,b\"\n");
}

}  // namespace
}  // namespace sluice::sql
