// Checkpoints over a real engine, RocksDB and disk: a restart resumes views from the newest valid
// checkpoint (not from the topics' start), a corrupted or half-written newest checkpoint is skipped
// for the one before it, and either way every view ends equal to its query over the topics.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "engine/engine.h"
#include "sql/query_result.h"
#include "storage/log_manager.h"
#include "storage/test_util.h"

namespace sluice::engine {
namespace {

namespace fs = std::filesystem;

class EngineCheckpoint : public testing::Test {
 protected:
  void open() {
    storage::storage_options options;
    options.data_dir = dir_ / "data";
    options.background_housekeeping = false;
    logs_ = storage::test::must(storage::log_manager::open(io::file_system::posix(), options));
    // Checkpoints only when asked (or at stop), so the test knows which exist.
    engine_ = storage::test::must(engine::open(
        *logs_, engine_options{.state_dir = dir_ / "state", .checkpoint_interval = std::chrono::hours(1)}));
  }
  void close() {
    engine_->stop();
    engine_.reset();
    ASSERT_TRUE(logs_->close());
    logs_.reset();
  }
  std::vector<sql::row> run(const std::string& sql) {
    auto r = engine_->open_session()->execute(sql);
    EXPECT_TRUE(r) << sql << ": " << (r ? "" : r.error().message);
    return r ? r->rows : std::vector<sql::row>{};
  }
  std::string totals() {
    std::string out;
    for (const auto& row : run("SELECT k, n FROM totals ORDER BY k"))
      out += row[0].to_text() + "=" + row[1].to_text() + " ";
    return out;
  }
  std::string checkpoint_dir(std::uint64_t sequence) {
    char name[32];
    std::snprintf(name, sizeof name, "%020llu", static_cast<unsigned long long>(sequence));
    return (checkpoints_root() / name).string();
  }

  fs::path checkpoints_root() { return fs::path(dir_ / "state") / "checkpoints"; }

  storage::test::temp_dir dir_;
  std::unique_ptr<storage::log_manager> logs_;
  std::unique_ptr<engine> engine_;
};

TEST_F(EngineCheckpoint, RestartResumesFromTheNewestValidCheckpoint) {
  open();
  run("CREATE SOURCE events (k text, v bigint)");
  run("CREATE MATERIALIZED VIEW totals AS SELECT k, count(*) AS n FROM events GROUP BY k");
  run("INSERT INTO events VALUES ('a', 1), ('b', 2), ('a', 3)");
  auto first = engine_->checkpoint();
  ASSERT_TRUE(first);
  run("INSERT INTO events VALUES ('c', 4)");
  auto second = engine_->checkpoint();
  ASSERT_TRUE(second);
  EXPECT_EQ(*second, *first + 1);
  run("INSERT INTO events VALUES ('a', 5)");
  EXPECT_EQ(totals(), "a=3 b=1 c=1 ");
  close();  // takes a last checkpoint

  open();
  auto graph = engine_->describe_pipelines();
  EXPECT_EQ(graph.restored_from, *second + 1);
  EXPECT_EQ(totals(), "a=3 b=1 c=1 ");
  // Resumed, not rebuilt: the view's source read nothing again.
  for (const auto& v : graph.views) {
    for (const auto& op : v.operators) {
      if (op.kind == "Source") {
        EXPECT_EQ(op.rows_in, 0u) << v.name;
      }
    }
  }
  close();
}

TEST_F(EngineCheckpoint, CorruptedOrHalfWrittenCheckpointsAreSkipped) {
  open();
  run("CREATE SOURCE events (k text, v bigint)");
  run("CREATE MATERIALIZED VIEW totals AS SELECT k, count(*) AS n FROM events GROUP BY k");
  run("INSERT INTO events VALUES ('a', 1), ('b', 2)");
  auto first = engine_->checkpoint();
  ASSERT_TRUE(first);
  run("INSERT INTO events VALUES ('a', 3)");
  close();  // the last checkpoint: first + 1
  std::uint64_t last = *first + 1;

  // A flipped byte in the newest checkpoint's marker: its CRC no longer matches.
  {
    std::fstream marker(checkpoint_dir(last) + "/CHECKPOINT",
                        std::ios::in | std::ios::out | std::ios::binary);
    ASSERT_TRUE(marker);
    marker.seekp(25);
    marker.put('#');
  }
  open();
  EXPECT_EQ(engine_->describe_pipelines().restored_from, *first);
  // Restored to the older cut, then the topic replayed from its offsets: the same answer.
  EXPECT_EQ(totals(), "a=2 b=1 ");
  run("INSERT INTO events VALUES ('b', 4)");
  close();

  // A half-written checkpoint: a file shorter than its marker says. (Not an SST file: those are hard
  // links shared with older checkpoints.)
  std::uint64_t newest = 0;
  for (const auto& entry : fs::directory_iterator(checkpoints_root())) {
    auto name = entry.path().filename().string();
    if (name.find_first_not_of("0123456789") == std::string::npos)
      newest = std::max<std::uint64_t>(newest, std::stoull(name));
  }
  ASSERT_GT(newest, last);
  bool truncated = false;
  for (const auto& entry : fs::directory_iterator(checkpoint_dir(newest))) {
    if (entry.path().filename().string().starts_with("MANIFEST")) {
      fs::resize_file(entry.path(), fs::file_size(entry.path()) / 2);
      truncated = true;
      break;
    }
  }
  ASSERT_TRUE(truncated);
  open();
  EXPECT_LT(engine_->describe_pipelines().restored_from, newest);
  EXPECT_EQ(totals(), "a=2 b=2 ");
  close();
}

// An insert-only view keeps its rows in a log file: a restart truncates away what no checkpoint
// covered, and a log lost or cut short makes the view rebuild from its topic instead of vanishing.
TEST_F(EngineCheckpoint, InsertOnlyViewsRowLogsSurviveRestartsTruncationAndLoss) {
  auto logs_dir = fs::path(dir_ / "state") / "logs";
  auto only_log = [&](int line) {
    SCOPED_TRACE(line);
    std::vector<fs::path> files;
    for (const auto& entry : fs::directory_iterator(logs_dir)) files.push_back(entry.path());
    EXPECT_EQ(files.size(), 1u);
    return files.empty() ? fs::path() : files[0];
  };
  auto bids = [&] {
    std::string out;
    for (const auto& row : run("SELECT k, v FROM big ORDER BY v"))
      out += row[0].to_text() + row[1].to_text() + " ";
    return out;
  };
  open();
  run("CREATE SOURCE events (k text, v bigint)");
  run("CREATE MATERIALIZED VIEW big AS SELECT k, v FROM events WHERE v > 1");
  run("CREATE MATERIALIZED VIEW gone AS SELECT k FROM events");
  run("DROP MATERIALIZED VIEW gone");
  run("INSERT INTO events VALUES ('a', 1), ('b', 2), ('c', 3)");
  ASSERT_TRUE(engine_->checkpoint());
  close();
  fs::path log = only_log(__LINE__);  // the dropped view's log went with it
  auto checkpointed = fs::file_size(log);
  ASSERT_GT(checkpointed, 0u);

  // Bytes after the checkpointed length (a checkpoint that appended, then died) are cut away.
  { std::ofstream(log, std::ios::app | std::ios::binary) << "torn bytes"; }
  open();
  EXPECT_EQ(bids(), "b2 c3 ");
  EXPECT_EQ(fs::file_size(only_log(__LINE__)), checkpointed);
  run("INSERT INTO events VALUES ('d', 4)");
  close();

  // A log shorter than its checkpoint says: the view is rebuilt from the topic, and still right.
  fs::resize_file(only_log(__LINE__), 3);
  open();
  EXPECT_EQ(bids(), "b2 c3 d4 ");
  close();
  open();  // the rebuilt view's checkpoint holds its offsets too: nothing is read twice
  EXPECT_EQ(bids(), "b2 c3 d4 ");
  close();
  fs::remove(only_log(__LINE__));
  open();
  EXPECT_EQ(bids(), "b2 c3 d4 ");
  close();
}

}  // namespace
}  // namespace sluice::engine
