#include "cli/sql_output.h"

#include <gtest/gtest.h>

namespace sluice::cli {
namespace {

TEST(SqlOutput, AlignedTableLooksLikePsql) {
  sql_table table{{"name", "count"}, {{"apples", "3"}, {std::nullopt, "12"}}, {false, true}};
  EXPECT_EQ(format_aligned(table),
            "  name  | count \n"
            "--------+-------\n"
            " apples |     3\n"
            "        |    12\n"
            "(2 rows)\n");
}

TEST(SqlOutput, CsvQuotesOnlyWhatNeedsIt) {
  sql_table table{{"a", "b"}, {{"x,y", std::nullopt}, {"say \"hi\"", "plain"}}, {}};
  EXPECT_EQ(format_csv(table), "a,b\n\"x,y\",\n\"say \"\"hi\"\"\",plain\n");
}

TEST(SqlOutput, JsonLinesKeepNulls) {
  sql_table table{{"k", "v"}, {{"1", std::nullopt}}, {}};
  EXPECT_EQ(format_json_lines(table), "{\"k\":\"1\",\"v\":null}\n");
}

TEST(SqlOutput, ErrorCaretPointsAtTheCharacterOnItsLine) {
  EXPECT_EQ(format_error("ERROR", "column \"x\" does not exist", "SELECT a,\n  x FROM t", 13),
            "ERROR:  column \"x\" does not exist\n"
            "LINE 2:   x FROM t\n"
            "          ^\n");
  EXPECT_EQ(format_error("ERROR", "boom", "SELECT 1", 0), "ERROR:  boom\n");
}

TEST(SqlOutput, StatementEndsOnlyOutsideQuotesAndComments) {
  EXPECT_TRUE(ends_statement("SELECT 1;\n"));
  EXPECT_FALSE(ends_statement("SELECT ';'"));
  EXPECT_FALSE(ends_statement("SELECT 1 -- done;"));
  EXPECT_FALSE(ends_statement("SELECT /* ; */ 1"));
  EXPECT_TRUE(ends_statement("SELECT 'it''s'; "));
  EXPECT_FALSE(ends_statement("SELECT 1; SELECT"));
}

}  // namespace
}  // namespace sluice::cli
