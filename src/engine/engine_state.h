// engine/engine_state.h — the engine's insides, shared by its files (not for other components).
//
// Every named object is in `relations` (what the binder sees). Views and tables have a
// materialization: a pipeline whose view_sink holds their rows (a table's is `SELECT * FROM t`, so
// tables answer pull queries too). Sinks subscribe to the view they read and append its changes to
// their topic. REQUIRES for everything here: mu held, unless a comment says otherwise.
#pragma once

#include <chrono>
#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "engine/catalog_log.h"
#include "engine/engine.h"
#include "engine/topic_writer.h"
#include "sql/plan.h"
#include "sql/statement.h"
#include "stream/json_sink.h"
#include "stream/pipeline.h"
#include "stream/state_store.h"

namespace sluice::storage {
class partition_log;
}

namespace sluice::engine {

// A view (or a table's materialization) and where each of its inputs has been read up to.
struct materialization {
  std::string name;
  sql::plan plan;
  std::unique_ptr<stream::state_store> store;  // this pipeline's part of the engine's store
  std::unique_ptr<stream::pipeline> pipeline;
  std::map<std::string, std::string> inputs;                        // scanned relation → its topic
  std::map<std::pair<std::string, int>, std::int64_t> next_offset;  // (relation, partition) → offset
};

struct sink_object {
  std::string name;
  std::string view;        // the materialization it reads
  bool owns_view = false;  // CREATE SINK … AS SELECT: the view is the sink's own, dropped with it
  std::unique_ptr<topic_writer> writer;
  std::unique_ptr<stream::json_sink_encoder> encoder;
  // The view's subscriber checks it: dropping a sink silences it while its view lives on.
  std::shared_ptr<bool> active = std::make_shared<bool>(true);
};

// The topic behind a source, table or sink: WITH (topic = …), else its name.
std::string topic_of(const sql::relation_info& info);

struct engine_state final : sql::catalog_reader {
  engine_state(storage::log_manager& l, engine_options o);

  const sql::relation_info* find(std::string_view name) const override;

  // DDL (engine_ddl.cc). `record` says whether to write the catalog topic (false while replaying it).
  sql::sql_result<sql::query_result> create_source(sql::relation_info info, bool if_not_exists, bool record);
  sql::sql_result<sql::query_result> create_view(const sql::create_view_stmt& stmt, bool record);
  sql::sql_result<sql::query_result> create_sink(const sql::create_sink_stmt& stmt, bool record);
  sql::sql_result<sql::query_result> drop(const sql::drop_stmt& stmt);
  // Replays the catalog topic at startup.
  result<void> restore_catalog();

  // Ingestion (engine_ingest.cc): one round over every materialization; true if anything was read.
  bool pump_all();
  void tick_all();
  // True when every materialization has read everything its topics held when asked.
  bool caught_up();
  // Where each input partition of the named views ends now, and whether the views have read that far
  // (a view dropped meanwhile counts as done).
  struct read_target {
    std::string view;
    std::string relation;
    int partition;
    std::int64_t end_offset;
  };
  std::vector<read_target> end_offsets(const std::vector<std::string>& view_names);
  bool reached(const std::vector<read_target>& targets) const;

  storage::log_manager& logs;
  engine_options options;
  catalog_log catalog;
  std::unique_ptr<stream::state_store> store;
  topic_writer dead_letters;
  topic_writer late_events;

  std::mutex mu;
  std::condition_variable progress;  // with mu: the worker finished a round (wait_caught_up)

  // The worker's wake-up, apart from mu: append listeners run on appending threads — also the
  // worker's own, when a sink appends while mu is held — so they must never take mu.
  std::mutex wake_mu;
  std::condition_variable work;  // with wake_mu: appends, new objects, stop
  bool work_pending = false;     // guarded by wake_mu
  bool stopping = false;         // guarded by wake_mu
  void wake_worker();

  std::map<std::string, sql::relation_info, std::less<>> relations;
  std::vector<std::string> creation_order;
  std::map<std::string, std::unique_ptr<materialization>, std::less<>> views;
  std::map<std::string, std::unique_ptr<sink_object>, std::less<>> sinks;
  int next_store_prefix = 1;

  // Helpers of the above.
  sql::sql_result<std::unique_ptr<materialization>> materialize(const std::string& name, sql::plan plan);
  sql::sql_result<void> ensure_topic(const std::string& topic);
  void wire_diagnostics(materialization& m);
  sql::sql_result<void> subscribe_sink(sink_object& sink);
  std::vector<std::string> dependents(const std::string& name) const;
  void drop_object(const std::string& name);
  // Registers an append listener on a source partition once, so the worker wakes on new records.
  void listen_for_appends(const std::string& topic, int partition);
  void remove_listeners();

  std::map<std::pair<std::string, int>, std::pair<std::shared_ptr<storage::partition_log>, std::uint64_t>>
      append_listeners;
};

}  // namespace sluice::engine
