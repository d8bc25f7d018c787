// Runs every tests/sql/*.slt file against the reference batch session, one test per file.
#include "sql/slt.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

namespace sluice::sql {
namespace {

std::vector<std::string> slt_files() {
  std::vector<std::string> out;
  for (const auto& e : std::filesystem::directory_iterator(SLUICE_SLT_DIR)) {
    if (e.path().extension() == ".slt") out.push_back(e.path().stem().string());
  }
  std::sort(out.begin(), out.end());
  return out;
}

class Slt : public testing::TestWithParam<std::string> {};

TEST_P(Slt, File) {
  std::ifstream in(std::string(SLUICE_SLT_DIR) + "/" + GetParam() + ".slt");
  std::stringstream text;
  text << in.rdbuf();
  batch_session session;
  slt_outcome outcome = run_slt(text.str(), session);
  EXPECT_GT(outcome.records, 0);
  for (const slt_failure& f : outcome.failures) {
    ADD_FAILURE() << GetParam() << ".slt:" << f.line << ": " << f.sql << "\n" << f.message;
  }
}

INSTANTIATE_TEST_SUITE_P(Sql, Slt, testing::ValuesIn(slt_files()),
                         [](const testing::TestParamInfo<std::string>& file) { return file.param; });

}  // namespace
}  // namespace sluice::sql
