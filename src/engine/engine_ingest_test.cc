// The engine reading source topics in process: a view created over records already in a topic of
// several partitions judges lateness against every partition, not only the ones it read first; a
// pull query reads a source's topic itself.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include "engine/engine.h"
#include "engine/topic_writer.h"
#include "sql/query_result.h"
#include "storage/log_manager.h"
#include "storage/test_util.h"

namespace sluice::engine {
namespace {

class EngineIngest : public testing::Test {
 protected:
  void SetUp() override {
    storage::storage_options options;
    options.data_dir = dir_ / "data";
    options.background_housekeeping = false;
    logs_ = storage::test::must(storage::log_manager::open(io::file_system::posix(), options));
    engine_ = storage::test::must(engine::open(*logs_, engine_options{.state_dir = dir_ / "state"}));
  }
  void TearDown() override {
    engine_->stop();
    engine_.reset();
    ASSERT_TRUE(logs_->close());
  }
  std::vector<sql::row> run(const std::string& sql) {
    auto r = engine_->open_session()->execute(sql);
    EXPECT_TRUE(r) << sql << ": " << (r ? "" : r.error().message);
    return r ? r->rows : std::vector<sql::row>{};
  }

  storage::test::temp_dir dir_;
  std::unique_ptr<storage::log_manager> logs_;
  std::unique_ptr<engine> engine_;
};

TEST_F(EngineIngest, EveryPartitionOfASourceHoldsTheWatermarkBackFromTheStart) {
  ASSERT_TRUE(logs_->create_topic("events", 2, {}));
  run("CREATE SOURCE events (i bigint, t timestamp, WATERMARK FOR t AS t - INTERVAL '1' SECOND)"
      " WITH (topic = 'events')");
  // Unkeyed rows alternate between the partitions: each partition spans the whole 200 seconds.
  std::string values;
  for (int i = 0; i < 200; ++i) {
    values +=
        fmt::format("{}({}, TIMESTAMP '2024-01-01 00:00:00' + INTERVAL '{} seconds')", i ? ", " : "", i, i);
  }
  run("INSERT INTO events VALUES " + values);
  // The view reads what is there: all of one partition, then the other. Read first, partition 0
  // alone must not move the watermark past partition 1's events.
  run("CREATE MATERIALIZED VIEW per_window AS SELECT window_start, count(*) AS n"
      " FROM TUMBLE(events, t, INTERVAL '10' SECOND) GROUP BY window_start, window_end");
  ASSERT_TRUE(engine_->wait_caught_up(std::chrono::seconds(30)));
  auto graph = engine_->describe_pipelines();
  ASSERT_EQ(graph.sources.size(), 1u);
  EXPECT_EQ(graph.sources[0].late_events, 0u);
  EXPECT_EQ(graph.sources[0].records_in, 200u);
  // Windows up to the watermark (199 s − 1 s) have fired, each with its 10 rows.
  auto rows = run("SELECT count(*), sum(n), min(n), max(n) FROM per_window");
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0][0].to_text(), "19");
  EXPECT_EQ(rows[0][1].to_text(), "190");
  EXPECT_EQ(rows[0][2].to_text(), "10");
  EXPECT_EQ(rows[0][3].to_text(), "10");
}

// A pull query may name a source: it reads the source's topic, every partition, decoding events as a
// view would. A malformed record is left out and not reported to the dead letters a second time.
TEST_F(EngineIngest, APullQueryReadsASourceFromItsTopic) {
  ASSERT_TRUE(logs_->create_topic("clicks", 2, {}));
  run("CREATE SOURCE clicks (user_id bigint, page text, amount numeric(6,2)) WITH (topic = 'clicks')");
  auto empty = run("SELECT count(*) FROM clicks");
  ASSERT_EQ(empty.size(), 1u);
  EXPECT_EQ(empty[0][0].to_text(), "0");
  run("INSERT INTO clicks VALUES (1, 'home', 1.5), (2, 'cart', 2.25), (1, 'cart', 0.125)");
  topic_writer raw(*logs_, "clicks", 2);
  ASSERT_TRUE(
      raw.write({{std::nullopt, std::string("{\"user_id\": \"not a number\"}"), wall_clock_ms(), {}},
                 {std::nullopt, std::string("{\"user_id\": 3, \"page\": \"home\"}"), wall_clock_ms(), {}}}));
  auto rows = run("SELECT page, count(*), sum(amount) FROM clicks GROUP BY page ORDER BY page");
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0][0].to_text() + " " + rows[0][1].to_text() + " " + rows[0][2].to_text(), "cart 2 2.38");
  EXPECT_EQ(rows[1][0].to_text() + " " + rows[1][1].to_text() + " " + rows[1][2].to_text(), "home 2 1.50");
  auto dead = logs_->describe_topic("__sluice_dead_letters");
  EXPECT_FALSE(dead) << "no view reads clicks, so nothing reported the malformed record";
}

// What a client's Describe of INSERT … RETURNING learns: RETURNING's columns, and nothing is written.
TEST_F(EngineIngest, DescribingReturningGivesItsColumnsAndWritesNothing) {
  run("CREATE TABLE items (id bigint PRIMARY KEY, name text)");
  auto session = engine_->open_session();
  auto columns =
      session->describe_columns("INSERT INTO items VALUES (1, 'a') RETURNING id, upper(name) AS shout");
  ASSERT_TRUE(columns) << columns.error().message;
  ASSERT_EQ(columns->size(), 2u);
  EXPECT_EQ((*columns)[0].name, "id");
  EXPECT_EQ((*columns)[0].type, sql::data_type::bigint);
  EXPECT_EQ((*columns)[1].name, "shout");
  EXPECT_EQ(run("SELECT count(*) FROM items"), (std::vector<sql::row>{{sql::value::bigint(0)}}));
  auto wrong = session->describe_columns("DELETE FROM items RETURNING nope");
  ASSERT_FALSE(wrong);
  EXPECT_EQ(wrong.error().code, "42703");
}

}  // namespace
}  // namespace sluice::engine
