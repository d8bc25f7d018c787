// engine::describe_pipelines over a real engine: sources, views over views, a sink, and the
// counters they report after events went through.
#include <gtest/gtest.h>

#include <algorithm>

#include "engine/engine.h"
#include "storage/log_manager.h"
#include "storage/test_util.h"

namespace sluice::engine {
namespace {

template <typename T>
const T& named(const std::vector<T>& items, const std::string& name) {
  auto it = std::find_if(items.begin(), items.end(), [&](const T& x) { return x.name == name; });
  if (it == items.end()) throw std::runtime_error("no " + name);
  return *it;
}

TEST(EngineMonitor, DescribesEveryDataflow) {
  storage::test::temp_dir dir;
  storage::storage_options options;
  options.data_dir = dir / "data";
  options.background_housekeeping = false;
  auto logs = storage::test::must(storage::log_manager::open(io::file_system::posix(), options));
  auto e = storage::test::must(engine::open(*logs, engine_options{.state_dir = dir / "state"}));
  auto session = e->open_session();
  for (const char* sql : {
           "CREATE SOURCE clicks (user_id bigint, ts timestamp, WATERMARK FOR ts AS ts - INTERVAL '1' "
           "SECOND)",
           "CREATE MATERIALIZED VIEW real_clicks AS SELECT user_id, ts FROM clicks WHERE user_id > 0",
           "CREATE MATERIALIZED VIEW per_user AS SELECT user_id, count(*) AS n FROM real_clicks GROUP BY "
           "user_id",
           "CREATE SINK per_user_out FROM per_user WITH (topic = 'per_user_out')",
           "INSERT INTO clicks VALUES (1, '2024-01-01 00:00:01'), (2, '2024-01-01 00:00:02'), "
           "(0, '2024-01-01 00:00:03'), (1, '2024-01-01 00:00:10')",
       }) {
    auto r = session->execute(sql);
    ASSERT_TRUE(r) << sql << ": " << r.error().message;
  }
  ASSERT_TRUE(e->wait_caught_up(std::chrono::seconds(10)));
  ASSERT_TRUE(e->checkpoint());  // sinks release their output with a checkpoint

  pipeline_graph g = e->describe_pipelines();
  const auto& clicks = named(g.sources, "clicks");
  EXPECT_EQ(clicks.kind, "source");
  EXPECT_EQ(clicks.topic, "clicks");
  EXPECT_EQ(clicks.records_in, 4u);
  EXPECT_EQ(clicks.watermark, 1704067209000000);  // 00:00:10 − 1 s, in microseconds

  const auto& per_user = named(g.views, "per_user");
  EXPECT_EQ(per_user.inputs, std::vector<std::string>{"real_clicks"});
  EXPECT_EQ(per_user.rows, 2u);
  // The view over a view runs the upstream filter itself: source → filter → project → aggregate.
  std::vector<std::string> kinds;
  for (const auto& op : per_user.operators) kinds.push_back(op.kind);
  EXPECT_NE(std::find(kinds.begin(), kinds.end(), "Filter"), kinds.end());
  EXPECT_NE(std::find(kinds.begin(), kinds.end(), "Aggregate"), kinds.end());
  auto source = std::find_if(per_user.operators.begin(), per_user.operators.end(),
                             [](const auto& op) { return op.kind == "Source"; });
  ASSERT_NE(source, per_user.operators.end());
  EXPECT_EQ(source->detail, "clicks");
  EXPECT_EQ(source->rows_in, 4u);
  auto filter = std::find_if(per_user.operators.begin(), per_user.operators.end(),
                             [](const auto& op) { return op.kind == "Filter"; });
  EXPECT_EQ(filter->rows_in, 4u);
  EXPECT_EQ(filter->rows_out, 3u);
  EXPECT_FALSE(filter->inputs.empty());

  const auto& sink = named(g.sinks, "per_user_out");
  EXPECT_EQ(sink.view, "per_user");
  EXPECT_EQ(sink.topic, "per_user_out");
  EXPECT_EQ(sink.records_out, 2u);  // one record per user, each written once
  EXPECT_GE(g.checkpoints, 1u);

  // The same numbers as rows, for psql.
  auto checkpoints = session->execute("SHOW CHECKPOINTS");
  ASSERT_TRUE(checkpoints) << checkpoints.error().message;
  ASSERT_EQ(checkpoints->rows.size(), 1u);
  EXPECT_EQ(checkpoints->columns[0].name, "last_checkpoint");
  EXPECT_GE(checkpoints->rows[0][0].to_text(), "1");
  auto pipelines = session->execute("SHOW PIPELINES");
  ASSERT_TRUE(pipelines) << pipelines.error().message;
  std::vector<std::string> views;
  for (const auto& row : pipelines->rows) views.push_back(row[0].to_text() + ":" + row[1].to_text());
  std::sort(views.begin(), views.end());
  EXPECT_EQ(views, (std::vector<std::string>{"per_user:2", "real_clicks:3"}));
  auto columns = session->describe_columns("SHOW PIPELINES");
  ASSERT_TRUE(columns);
  EXPECT_EQ(columns->size(), 6u);
  e->stop();
  ASSERT_TRUE(logs->close());
}

}  // namespace
}  // namespace sluice::engine
