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
// Every tick commits each view's operator state together with how far it has read each input (one
// write batch per view); every checkpoint interval the worker takes a checkpoint of that cut
// (engine/checkpoints.h) and only then releases the sinks' output it covers to their topics. A
// restart restores the newest valid checkpoint and replays the topics from its offsets, so views end
// as if nothing had happened and a sink topic holds each result once.
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
  std::chrono::milliseconds idle_timeout{30'000};       // a quiet partition stops holding the watermark back
  std::chrono::milliseconds tick_interval{200};         // how often idle watermarks are re-evaluated
  std::chrono::milliseconds checkpoint_interval{1000};  // and state is checkpointed (sinks wait for it)
  int checkpoints_kept = 3;
  std::size_t read_bytes_per_round = 1 << 20;  // per partition per worker round
  std::string dead_letter_topic = "__sluice_dead_letters";
  std::string late_events_topic = "__sluice_late_events";
};

class engine_session;
struct engine_state;
struct output_record;

// Every dataflow as it runs, for monitoring: the console's pipeline graph and the metrics. Counters
// are totals since the engine started (a restart rebuilds views, so they count the rebuild too).
// Watermarks are event-time microseconds; `no_watermark` (INT64_MIN) until one is known.
struct pipeline_graph {
  struct source {
    std::string name;
    std::string kind;  // "source" or "table"
    std::string topic, format;
    std::int64_t watermark = INT64_MIN;  // the most advanced over the views reading it
    std::uint64_t records_in = 0;        // records read from the topic (by the view that read most)
    std::uint64_t late_events = 0, dead_letters = 0;  // as the view that saw most counted them
  };
  struct node {
    int id = 0;
    std::string kind;    // "Filter", "Aggregate", "Inner Join", "Tumble", "Source", …
    std::string detail;  // the rest of EXPLAIN's line
    std::vector<int> inputs;
    std::uint64_t rows_in = 0, rows_out = 0;
    std::int64_t watermark = INT64_MIN;
  };
  struct view {
    std::string name, sql;
    std::vector<std::string> inputs;  // the relations its query names
    std::size_t rows = 0;
    std::uint64_t state_bytes = 0;  // approximate, in the state store
    std::vector<node> operators;
  };
  struct sink {
    std::string name, view, topic, format;
    std::uint64_t records_out = 0;
  };
  std::vector<source> sources;
  std::vector<view> views;
  std::vector<sink> sinks;
  std::uint64_t state_commits = 0;  // ticks whose state reached the store
  double last_commit_seconds = 0;   // how long the last tick's commit of every view took
  double commit_seconds_total = 0;
  std::uint64_t checkpoints = 0, checkpoint_failures = 0;  // taken by this run
  std::uint64_t last_checkpoint = 0;                       // its sequence (0: none yet)
  std::int64_t last_checkpoint_ms = 0;                     // wall clock when it was taken
  double last_checkpoint_seconds = 0, checkpoint_seconds_total = 0;
  std::uint64_t restored_from = 0;  // the checkpoint this run resumed from (0: built from the topics)
};

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

  pipeline_graph describe_pipelines();
  // Takes a checkpoint now (SQL: CHECKPOINT); its sequence number.
  sql::sql_result<std::uint64_t> checkpoint();

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
  sql::sql_result<sql::query_result> modify(const sql::modify_stmt& stmt);
  // The source or table a statement writes to; 42P01 or 42809 for anything else.
  sql::sql_result<sql::relation_info> writable_relation(const std::string& name, const char* verb,
                                                        int position);
  // Appends the records to the relation's topic and waits until every view has read them.
  sql::sql_result<void> write_and_wait(const sql::relation_info& info,
                                       const std::vector<output_record>& records);

  engine& engine_;
  sql::session_settings settings_;
};

}  // namespace sluice::engine
