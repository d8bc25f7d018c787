// Runs every tests/sql/*.slt file against the streaming engine, one test per file: the same
// statements and expected rows the reference batch session passes, now through sources, topics,
// dataflows and view snapshots (INSERT appends to the topic and waits until the views caught up).
#include <gtest/gtest.h>

#include "engine/engine.h"
#include "sql/slt.h"
#include "storage/log_manager.h"
#include "storage/test_util.h"

namespace sluice::engine {
namespace {

class EngineSlt : public testing::TestWithParam<std::string> {};

TEST_P(EngineSlt, File) {
  std::string text = sql::read_slt_file(SLUICE_SLT_DIR, GetParam());
  // Files that check the reference session's batch semantics (pull queries straight over
  // sources, windows without watermarks) say so on their first line.
  if (text.starts_with("# batch only")) GTEST_SKIP() << "batch semantics only";
  storage::test::temp_dir dir;
  storage::storage_options options;
  options.data_dir = dir / "data";
  options.background_housekeeping = false;
  auto logs = storage::test::must(storage::log_manager::open(io::file_system::posix(), options));
  auto e = storage::test::must(engine::open(*logs, engine_options{.state_dir = dir / "state"}));
  auto session = e->open_session();
  sql::slt_outcome outcome = sql::run_slt(text, *session);
  EXPECT_GT(outcome.records, 0);
  for (const sql::slt_failure& f : outcome.failures) {
    ADD_FAILURE() << GetParam() << ".slt:" << f.line << ": " << f.sql << "\n" << f.message;
  }
  e->stop();
  ASSERT_TRUE(logs->close());
}

INSTANTIATE_TEST_SUITE_P(Sql, EngineSlt, testing::ValuesIn(sql::slt_file_names(SLUICE_SLT_DIR)),
                         [](const testing::TestParamInfo<std::string>& file) { return file.param; });

}  // namespace
}  // namespace sluice::engine
