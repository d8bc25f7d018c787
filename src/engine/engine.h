// engine/engine.h — the SQL engine as a running service: the catalog of sources, tables, views and
// sinks; one dataflow (stream::pipeline) per view, fed in-process from the partition logs; pull
// queries over views; sinks, dead letters and late events written back through the append path.
//
// Threading: one worker thread drives every pipeline (reads new records, ingests them, ticks
// watermarks) and sleeps until a source partition is appended to or the tick interval passes.
// Sessions (pgwire, HTTP) run statements on their own threads. mu_ guards the catalog and the
// pipelines' structure: the worker holds it while it processes a round of input, DDL holds it
// while it changes the catalog, and pull queries hold it only to find the views they read (a
// view's snapshot has its own lock and is consistent at a batch boundary).
//
// Durability: every CREATE/DROP is synced to the __sluice_catalog topic before it is acknowledged.
// Views are rebuilt from their topics at startup (operator state is not checkpointed yet), so after
// a restart every view again equals its query over what the topics hold.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "base/result.h"
#include "sql/catalog.h"
#include "sql/error.h"
#include "sql/session.h"
#include "sql/session_statements.h"
#include "sql/statement.h"

namespace sluice::storage {
class log_manager;
}

namespace sluice::engine {

struct engine_options {
  std::string state_dir;                // RocksDB directory for operator state
  std::int32_t default_partitions = 1;  // for topics the engine creates (sources, sinks)
  std::int64_t allowed_lateness_micros = 0;
  std::chrono::milliseconds idle_timeout{30'000};  // a quiet partition stops holding the watermark back
  std::chrono::milliseconds tick_interval{200};    // how often idle watermarks are re-evaluated
  std::size_t read_bytes_per_round = 1 << 20;      // per partition per worker round
  std::string dead_letter_topic = "__sluice_dead_letters";
  std::string late_events_topic = "__sluice_late_events";
};

class engine_session;
struct engine_state;

class engine {
 public:
  // Opens the catalog and starts every object it defines, then the worker.
  static result<std::unique_ptr<engine>> open(storage::log_manager& logs, engine_options options);
  ~engine();
  engine(const engine&) = delete;
  engine& operator=(const engine&) = delete;

  std::unique_ptr<engine_session> open_session();

  // Blocks until every pipeline has ingested everything its topics held when called (or `timeout`
  // passes; false then). INSERT uses it for read-your-writes; tests and tools use it to sync.
  bool wait_caught_up(std::chrono::milliseconds timeout);

  // The columns of a view or table; 42P01 if there is none by that name.
  sql::sql_result<sql::schema> view_columns(const std::string& name);
  // The view's current rows, with `fn` subscribed to every later batch of its changes, atomically
  // (no batch falls between). `fn` runs on the engine's worker thread and must be quick; returning
  // false unsubscribes it. 42P01 if there is no such view.
  sql::sql_result<std::vector<sql::row>> subscribe_view(const std::string& name,
                                                        std::function<bool(const sql::change_batch&)> fn);

  // Stops the worker; sessions answer with an error afterwards.
  void stop();

 private:
  friend class engine_session;
  explicit engine(std::unique_ptr<engine_state> state);
  void worker_loop();

  std::unique_ptr<engine_state> state_;
  std::thread worker_;
};

// One client's session: runs statements against the engine, with its own settings (SET/SHOW).
class engine_session final : public sql::sql_session {
 public:
  explicit engine_session(engine& owner) : engine_(owner) {}

  // The last statement's result; stops at the first error.
  sql::sql_result<sql::query_result> execute(std::string_view sql) override;
  // One result per statement run; on the first error that error is the last element.
  std::vector<sql::sql_result<sql::query_result>> execute_each(std::string_view sql);
  // The columns one statement would return, without running it (empty for statements without rows).
  sql::sql_result<sql::schema> describe_columns(std::string_view sql);

 private:
  sql::sql_result<sql::query_result> run(const sql::statement& stmt);
  sql::sql_result<sql::query_result> pull_query(const sql::query_tree& query);
  sql::sql_result<sql::query_result> insert(const sql::insert_stmt& stmt);

  engine& engine_;
  sql::session_settings settings_;
};

}  // namespace sluice::engine
