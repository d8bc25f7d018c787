// engine/engine_state.h — the engine's insides, shared by its files (not for other components).
//
// Every named object is in `relations` (what the binder sees). Views and tables have a
// materialization: a pipeline whose view_sink holds their rows (a table's is `SELECT * FROM t`, so
// tables answer pull queries too). Sinks subscribe to the view they read and append its changes to
// their topic. REQUIRES for everything here: mu held, unless a comment says otherwise.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <future>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "engine/catalog_log.h"
#include "engine/checkpoints.h"
#include "engine/engine.h"
#include "engine/topic_writer.h"
#include "model/record_batch.h"
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
  std::set<std::string> depends_on;           // the relations its query names (DROP … CASCADE)
  std::map<std::string, std::string> inputs;  // source or table it reads (views expanded) → its topic
  std::map<std::pair<std::string, int>, std::int64_t> next_offset;   // (relation, partition) → offset
  std::map<std::pair<std::string, int>, std::int64_t> saved_offset;  // as last staged for commit
  // Relation → the partition count its source was told: every partition holds the watermark back
  // from the start, not only those read so far.
  std::map<std::string, int> declared_partitions;
  bool resumed = false;  // restored from a checkpoint rather than built from the topics' start
  std::map<std::string, std::uint64_t> late_events, dead_letters;  // per relation it reads
};

struct sink_object {
  std::string name;
  std::string view;        // the materialization it reads
  bool owns_view = false;  // CREATE SINK … AS SELECT: the view is the sink's own, dropped with it
  std::unique_ptr<topic_writer> writer;
  std::unique_ptr<stream::json_sink_encoder> encoder;
  // The view's subscriber checks it: dropping a sink silences it while its view lives on.
  std::shared_ptr<bool> active = std::make_shared<bool>(true);
  std::uint64_t records_out = 0;  // appended to the topic
  // Exactly-once: the view's changes become records here, and reach the topic only once a checkpoint
  // that holds them (and the state that produced them) is durable — see engine_checkpoint.cc.
  struct pending_record {
    std::int32_t partition;
    output_record record;
  };
  std::shared_ptr<std::vector<pending_record>> pending = std::make_shared<std::vector<pending_record>>();
};

// The topic behind a source, table or sink: WITH (topic = …), else its name.
std::string topic_of(const sql::relation_info& info);

// Where each object's state lives in the engine's store (engine_checkpoint.cc): a view's (or table's)
// under its own prefix, by name, so a restart finds it again; a sink's waiting output under another.
std::string view_store_prefix(const std::string& name);
std::string sink_store_prefix(const std::string& name);
// In a view's store: the definition that made its state (a changed definition starts afresh).
std::string definition_key();
// What definition_key holds for `definition`: the text with the operators' state format version in
// front, so state written in an older format is rebuilt from the topics rather than misread.
std::string stored_definition(const std::string& definition);

// Records of one read, with their bytes copied out of the log's buffers (which the reader frees), and
// padding after the last, so that every value can be parsed where it lies.
struct record_buffer {
  std::string bytes;
  struct span {
    std::size_t key_at, key_size, value_at, value_size;
    bool has_key, has_value;
  };
  std::vector<span> spans;

  void add(const model::record_view& r);
  // The records added, valid until the next clear(); adds the padding, so call it once per read.
  const std::vector<stream::record>& records(int partition);
  void clear();  // keeps the memory

 private:
  std::vector<stream::record> records_;
};

// A source's rows for a pull query that names it: every event its topic holds, decoded as a view over
// it decodes them (malformed records and events past the allowed lateness left out, and not reported
// again: the views report them). It reads the whole topic each time, as a sequential scan would.
sql::sql_result<std::vector<sql::row>> scan_source(const storage::log_manager& logs,
                                                   const sql::relation_info& info);

struct engine_state final : sql::catalog_reader {
  engine_state(storage::log_manager& l, engine_options o);

  const sql::relation_info* find(std::string_view name) const override;
  std::vector<const sql::relation_info*> list() const override;  // in creation order; REQUIRES: mu held

  // DDL (engine_ddl.cc). `record` says whether to write the catalog topic (false while replaying it).
  sql::sql_result<sql::query_result> create_source(sql::relation_info info, bool if_not_exists, bool record);
  sql::sql_result<sql::query_result> create_view(const sql::create_view_stmt& stmt, bool record);
  sql::sql_result<sql::query_result> create_sink(const sql::create_sink_stmt& stmt, bool record);
  sql::sql_result<sql::query_result> drop(const sql::drop_stmt& stmt);
  // Replays the catalog topic at startup.
  result<void> restore_catalog();

  // Ingestion (engine_ingest.cc): one round over every materialization; true if anything was read.
  bool pump_all();
  record_buffer read_buffer;  // one partition's read at a time, reused: its memory stays faulted in
  // Re-evaluates every view's watermarks (partitions may have gone idle).
  void tick_all();
  // Each view's state changed since the last collection, with its input offsets, as a write batch
  // for its store. Only checkpoints collect (begin_checkpoint): a restart restores a checkpoint, never
  // the live store, so writing between them would only write keys that change again before the next.
  std::vector<std::pair<stream::state_store*, stream::write_batch>> collect_changes();
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
  struct {
    std::chrono::steady_clock::duration last{}, total{};
    std::uint64_t count = 0;
  } commit_stats;  // collecting state changes (collect_changes), the views' only pause for checkpoints

  // Checkpoints (engine_checkpoint.cc).
  std::unique_ptr<checkpoint_dir> checkpoints;
  std::uint64_t next_checkpoint = 1;
  std::optional<checkpoint_info> last_checkpoint;  // the newest durable one (restored or taken)
  std::uint64_t restored_from = 0;                 // the checkpoint this run started from (0: none)
  struct {
    std::chrono::steady_clock::duration last{}, total{};
    std::uint64_t count = 0, failures = 0;
  } checkpoint_stats;
  // Opens the state store from the newest valid checkpoint (live/ is rebuilt from it).
  result<void> open_store();
  // Takes a checkpoint of every view's state and input offsets, then releases the sinks' output it
  // covers to their topics; waits for one in flight first. REQUIRES: checkpoint_mu and mu held.
  result<checkpoint_info> checkpoint();
  // The worker's checkpoints run in two halves so that views keep consuming while RocksDB takes the
  // writes and the copy (flushing the memtable takes a while): begin_checkpoint() collects every
  // view's changes and the sinks' output, and hands them to another thread, which writes them to the
  // store and checkpoints it. Nothing else writes view state until finish_checkpoint() (DDL waits
  // for it: settle_checkpoint), so the copy is exactly the cut begun. REQUIRES: mu held.
  result<void> begin_checkpoint();
  // Finishes a checkpoint in flight, if any: before DDL touches the store or drops a view.
  void settle_checkpoint();
  bool checkpoint_done() const;
  result<checkpoint_info> finish_checkpoint();  // waits for the copy if it is still running
  std::mutex checkpoint_mu;                     // one synchronous checkpoint at a time; taken before mu
  struct checkpoint_job {
    std::uint64_t sequence = 0;
    std::chrono::steady_clock::time_point started;
    // How many of each sink's pending records the checkpoint holds, keyed by the pending list itself
    // (kept alive here), so a sink dropped and created again meanwhile is not mistaken for the one staged.
    std::map<std::string, std::pair<std::shared_ptr<std::vector<sink_object::pending_record>>, std::size_t>>
        covered;
    std::future<result<checkpoint_info>> copy;
  };
  std::optional<checkpoint_job> checkpoint_in_flight;
  // A write to the state store failed: the store may lack changes the operators think written, so no
  // later checkpoint can be trusted; checkpoints (and sink output) stop until a restart restores the
  // last good one.
  bool store_failed = false;
  std::atomic<bool> store_write_failed{false};  // set by the checkpoint's thread, read after it ends
  // After restoring: appends sink output a checkpoint holds that had not reached its topic.
  void recover_sink_output();

  pipeline_graph describe_pipelines();

  // Helpers of the above.
  // `definition` identifies the view's state: a restored store resumes it when it matches.
  sql::sql_result<std::unique_ptr<materialization>> materialize(const std::string& name, sql::plan plan,
                                                                const std::string& definition);
  result<void> load_offsets(materialization& m);
  void stage_offsets(materialization& m);
  bool sink_was_checkpointed(const std::string& name, const std::string& definition);
  sql::plan expand_views(sql::plan p) const;
  sql::sql_result<void> ensure_topic(const std::string& topic);
  void wire_diagnostics(materialization& m);
  // `resumed`: the view was restored, and the sink already sent its rows up to the checkpoint.
  sql::sql_result<void> subscribe_sink(sink_object& sink, bool resumed);
  std::vector<std::string> dependents(const std::string& name) const;
  void drop_object(const std::string& name);
  // Registers an append listener on a source partition once, so the worker wakes on new records.
  void listen_for_appends(const std::string& topic, int partition);
  void remove_listeners();

  std::map<std::pair<std::string, int>, std::pair<std::shared_ptr<storage::partition_log>, std::uint64_t>>
      append_listeners;
};

}  // namespace sluice::engine
