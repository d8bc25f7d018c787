// Runs every tests/sql/*.slt file against the reference batch session, one test per file.
#include "sql/slt.h"

#include <gtest/gtest.h>

#include <sstream>

#include "sql/front_lexer.h"

namespace sluice::sql {
namespace {

class Slt : public testing::TestWithParam<std::string> {};

TEST_P(Slt, File) {
  std::string text = read_slt_file(SLUICE_SLT_DIR, GetParam());
  // Watermarks, late events and upserts are the streaming engine's (src/engine runs those files).
  if (text.starts_with("# streaming only")) GTEST_SKIP() << "streaming semantics only";
  batch_session session;
  slt_outcome outcome = run_slt(text, session);
  EXPECT_GT(outcome.records, 0);
  for (const slt_failure& f : outcome.failures) {
    ADD_FAILURE() << GetParam() << ".slt:" << f.line << ": " << f.sql << "\n" << f.message;
  }
}

TEST(SltRunner, ReportsWrongRowsErrorsAndColumnCounts) {
  batch_session session;
  slt_outcome outcome = run_slt(
      "query I\nSELECT 1\n----\n2\n\n"                                          // wrong value
      "query II\nSELECT 1\n----\n1\n\n"                                         // wrong column count
      "statement ok\nSELECT 1/0\n\n"                                            // unexpected error
      "statement error 42P01\nSELECT 1\n\n"                                     // unexpected success
      "statement error 22012\nSELECT 1/0\n\n"                                   // passes
      "query T rowsort\nVALUES ('b'), (''), (NULL)\n----\nNULL\n(empty)\nb\n",  // passes
      session);
  EXPECT_EQ(outcome.records, 6);
  ASSERT_EQ(outcome.failures.size(), 4u);
  EXPECT_EQ(outcome.failures[0].line, 1);
  EXPECT_EQ(outcome.failures[3].line, 14);
}

// Each statement with one token deleted, doubled, or replaced by NULL, '(' or a huge number.
void run_mutations(batch_session& session, const std::string& sql) {
  std::vector<token> tokens = lex(sql);
  const char* replacements[] = {"", "NULL", "(", "9223372036854775808", "'x'"};
  for (std::size_t i = 0; i + 1 < tokens.size(); ++i) {
    std::string before = sql.substr(0, static_cast<std::size_t>(tokens[i].pos));
    std::string self = sql.substr(static_cast<std::size_t>(tokens[i].pos),
                                  static_cast<std::size_t>(tokens[i].end - tokens[i].pos));
    std::string after = sql.substr(static_cast<std::size_t>(tokens[i].end));
    (void)session.execute(before + self + " " + self + after);
    for (const char* r : replacements) (void)session.execute(before + r + after);
  }
}

// Every prefix and token mutation of every statement in the files, run in order: whatever a client sends, the
// session answers with a result or an error and never crashes (run under ASan/UBSan in CI). Cut short or
// mutated, a recursive query's bound or LIMIT often goes, so recursions stop early here.
TEST(SltRunner, EveryPrefixOfEveryStatementIsHandled) {
  for (const std::string& name : slt_file_names(SLUICE_SLT_DIR)) {
    std::istringstream in(read_slt_file(SLUICE_SLT_DIR, name));
    batch_session session(execute_limits{.max_recursive_rows = 1000});
    std::string sql;
    int statements = 0;
    bool in_rows = false;  // after ----, until a blank line
    for (std::string line; std::getline(in, line);) {
      bool header = line.starts_with("statement") || line.starts_with("query");
      in_rows = (in_rows || line == "----") && !line.empty();
      if (!header && !in_rows && !line.empty() && !line.starts_with("#")) sql += line + "\n";
      if (!line.empty() && !header && line != "----") continue;
      for (std::size_t n = 0; n <= sql.size(); ++n) (void)session.execute(std::string_view(sql).substr(0, n));
      run_mutations(session, sql);
      statements += sql.empty() ? 0 : 1;
      sql.clear();
    }
    EXPECT_GT(statements, 0) << name;
  }
}

TEST(BatchSession, RecursionStopsAtTheRowLimitUnlessALimitEndsItFirst) {
  batch_session session(execute_limits{.max_recursive_rows = 100});
  const char* endless = "WITH RECURSIVE t(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM t) ";
  auto runaway = session.execute(std::string(endless) + "SELECT count(*) FROM t");
  ASSERT_FALSE(runaway.has_value());
  EXPECT_EQ(runaway.error().code, "54000");
  EXPECT_NE(runaway.error().message.find("more than 100 rows"), std::string::npos) << runaway.error().message;

  auto limited = session.execute(std::string(endless) + "SELECT n FROM t LIMIT 100");
  ASSERT_TRUE(limited.has_value()) << limited.error().message;
  ASSERT_EQ(limited->rows.size(), 100u);
  EXPECT_EQ(limited->rows.back()[0].to_text(), "100");

  auto bounded = session.execute(
      "WITH RECURSIVE t(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM t WHERE n < 100) "
      "SELECT sum(n) FROM t");
  ASSERT_TRUE(bounded.has_value()) << bounded.error().message;
  EXPECT_EQ(bounded->rows.at(0)[0].to_text(), "5050");
}

INSTANTIATE_TEST_SUITE_P(Sql, Slt, testing::ValuesIn(slt_file_names(SLUICE_SLT_DIR)),
                         [](const testing::TestParamInfo<std::string>& file) { return file.param; });

}  // namespace
}  // namespace sluice::sql
