// Runs every tests/sql/*.slt file against the streaming engine, one test per file: the same
// statements and expected rows the reference batch session passes, now through sources, topics,
// dataflows and view snapshots (INSERT appends to the topic and waits until the views caught up).
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "engine/engine.h"
#include "sql/slt.h"
#include "storage/log_manager.h"
#include "storage/test_util.h"

namespace sluice::engine {
namespace {

std::vector<std::string> slt_files() {
  std::vector<std::string> out;
  for (const auto& e : std::filesystem::directory_iterator(SLUICE_SLT_DIR)) {
    if (e.path().extension() == ".slt") out.push_back(e.path().stem().string());
  }
  std::sort(out.begin(), out.end());
  return out;
}

class EngineSlt : public testing::TestWithParam<std::string> {};

TEST_P(EngineSlt, File) {
  std::ifstream in(std::string(SLUICE_SLT_DIR) + "/" + GetParam() + ".slt");
  std::stringstream text;
  text << in.rdbuf();
  // Files that check the reference session's batch semantics (pull queries straight over
  // sources, windows without watermarks) say so on their first line.
  if (text.str().starts_with("# batch only")) GTEST_SKIP() << "batch semantics only";
  storage::test::temp_dir dir;
  storage::storage_options options;
  options.data_dir = dir / "data";
  options.background_housekeeping = false;
  auto logs = storage::test::must(storage::log_manager::open(io::file_system::posix(), options));
  auto e = storage::test::must(engine::open(*logs, engine_options{.state_dir = dir / "state"}));
  auto session = e->open_session();
  sql::slt_outcome outcome = sql::run_slt(text.str(), *session);
  EXPECT_GT(outcome.records, 0);
  for (const sql::slt_failure& f : outcome.failures) {
    ADD_FAILURE() << GetParam() << ".slt:" << f.line << ": " << f.sql << "\n" << f.message;
  }
  e->stop();
  ASSERT_TRUE(logs->close());
}

INSTANTIATE_TEST_SUITE_P(Sql, EngineSlt, testing::ValuesIn(slt_files()),
                         [](const testing::TestParamInfo<std::string>& file) { return file.param; });

}  // namespace
}  // namespace sluice::engine
