// stream/pipeline.h — one compiled dataflow: sources → operators → the view, and how it is driven.
//
// The engine calls ingest() with records of one relation; the pipeline decodes them, pushes the
// changes through the operators to the view, advances watermarks (each operator sees the minimum
// over its inputs; an operator's emitted changes reach its consumer before the watermark that
// completed them), and commits every operator's state to the store in one write batch. So the store
// always holds the state at a batch boundary. With commit_each_batch off, the driver calls commit()
// itself (the engine does, at each checkpoint): operators keep their dirty keys meanwhile, so a key changed
// by many batches is written once — the store then holds the state as of the last commit, still a
// batch boundary. A pipeline is driven by one thread; only view().snapshot() may be called
// concurrently.
#pragma once

#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "stream/diagnostics.h"
#include "stream/operator.h"
#include "stream/source.h"
#include "stream/view.h"

namespace sluice::stream {

class pipeline {
 public:
  // `append_only`: the dataflow only ever inserts, so the view may use its append-only layout.
  pipeline(state_store* store, sql::schema view_schema, bool append_only = false);
  // Operators point at diag_: a pipeline stays where it was built.
  pipeline(const pipeline&) = delete;
  pipeline& operator=(const pipeline&) = delete;

  // Decodes and processes `records` of `relation`, then commits. Unknown relations are ignored.
  result<void> ingest(std::string_view relation, std::span<const record> records);
  // Re-evaluates every source's watermark (a partition may have gone idle) and commits.
  result<void> tick();
  // For tests and benchmarks: changes and a watermark for `relation`, bypassing decoding.
  result<void> inject(std::string_view relation, sql::change_batch batch,
                      std::int64_t watermark = no_watermark);

  // Writes every operator's dirty state to the store in one write batch.
  result<void> commit();
  // What commit() would write, for a driver that writes it to the store itself (later, or on
  // another thread): the operators' state now counts as written.
  write_batch take_changes();
  // Writes of the driver's own (e.g. how far it has read each input) that the next commit() makes
  // atomically with the operators' state. Keys must not collide with the pipeline's: the state
  // prefixes of operators, sources and the view (see compiler.h); state_prefix(0x7f00) and above
  // below 0x8000 are the driver's.
  write_batch& staged_writes() { return pending_; }
  // Whether ingest(), tick() and inject() commit before returning (the default) or leave it to the
  // driver's commit().
  void set_commit_each_batch(bool on) { commit_each_batch_ = on; }

  view_sink& view() { return view_; }
  diagnostics& diag() { return diag_; }
  std::int64_t watermark(std::string_view relation) const;
  // The topic of `relation` has `count` partitions; each holds the watermark back until it delivers
  // an event or goes idle. Unknown relations are ignored.
  void declare_partitions(std::string_view relation, int count);

  // What each operator and source has done since the pipeline was built, for monitoring. Operators
  // are numbered by node id; sources follow them (id = operator count + source index). `inputs` are
  // the ids feeding an operator.
  struct node_stats {
    int id = 0;
    std::string label;  // EXPLAIN's line for the operator; "Source: relation" for a source
    std::vector<int> inputs;
    std::uint64_t rows_in = 0;   // changes received (a source: records read)
    std::uint64_t rows_out = 0;  // changes emitted
    std::int64_t watermark = no_watermark;
  };
  std::vector<node_stats> stats() const;

  // Construction, used by the compiler. Node ids are dense from 0; -1 is the view. `label` describes
  // the operator in stats().
  int add_node(std::unique_ptr<stream_operator> op, int consumer, int port, std::string label = {});
  int add_source(std::unique_ptr<source_reader> reader);
  int find_source(std::string_view relation) const;
  // `columns`: those the target reads (empty: all); when a source feeds several targets, the copies
  // the others get leave the rest NULL.
  void add_source_target(int source, int node, int port, std::vector<bool> columns = {});
  // Runs every operator's on_start and commits; call once after construction.
  result<void> start();
  // Instead of start(), after a restart: reloads every operator's, table's and the view's state
  // from the store, as of the last committed batch.
  result<void> restore();
  // Removes what the pipeline keeps outside the store's keys (its view's row log): for DROP, before
  // the caller erases the keys.
  result<void> remove_logs() { return view_.remove_log(*store_); }

 private:
  struct node_state {
    std::unique_ptr<stream_operator> op;
    int consumer = -1;
    int port = 0;
    std::vector<std::int64_t> input_watermarks;
    std::int64_t watermark = no_watermark;
    std::string label;
    std::uint64_t rows_in = 0, rows_out = 0;
  };
  struct source_state {
    std::unique_ptr<source_reader> reader;
    struct target {
      int node;
      int port;
      std::vector<bool> columns;
    };
    std::vector<target> targets;
    std::int64_t watermark = no_watermark;
    std::uint64_t records_in = 0, rows_out = 0;
    std::size_t widest = 0;  // the target that reads the most columns
  };

  void deliver(int node, int port, sql::change_batch& batch);
  void advance(int node, int port, std::int64_t watermark);
  void dispatch(source_state& s, sql::change_batch& batch, std::int64_t watermark);
  source_state* lookup(std::string_view relation);

  state_store* store_;
  diagnostics diag_;
  std::vector<node_state> nodes_;
  std::vector<source_state> sources_;
  view_sink view_;
  write_batch pending_;
  bool commit_each_batch_ = true;
};

}  // namespace sluice::stream
