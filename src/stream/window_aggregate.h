// stream/window_aggregate.h — GROUP BY window_start/window_end (and other keys) over TUMBLE or HOP.
//
// Emits each window once, after the watermark reaches its end (window [s, e) is final when
// watermark ≥ e), with weight +1; results are never retracted. Rows are not copied per window:
// each row updates one pane of width gcd(size, slide). A running state holds the merge of the panes
// of the next window to fire; sliding it takes the panes that leave back out (merge with weight −1)
// and adds the panes that enter, so neither a row nor a fired window costs more when the slide is
// small. Panes no unfired window needs are dropped. A row whose earliest window already fired is late: it
// goes to the late-event callback. State: 'g' [pane start][group key] → the running fields (and small
// min/max/DISTINCT multisets), 'v' [pane start][group key][call index][value] → weight for each entry
// of a large one (written only when its weight changed), and 'm' → the first window not yet emitted.
// A flush writes the groups changed since the last one; a dropped pane's groups are erased only if a
// flush wrote them (catching up, most panes live and go between two flushes and cost no writes).
#pragma once

#include <map>
#include <unordered_map>
#include <vector>

#include "sql/plan.h"
#include "stream/accumulator.h"
#include "stream/diagnostics.h"
#include "stream/operator.h"

namespace sluice::stream {

// Where an output group key comes from.
struct window_key {
  enum class kind : std::uint8_t { expr, window_start, window_end } source = kind::expr;
  sql::expr e;  // kind::expr: over the window's input row
};

class window_aggregate_operator final : public stream_operator {
 public:
  // `input_only_inserts`: no retraction ever arrives; a TUMBLE window's min/max then keep only the
  // extreme (a HOP window takes panes back out of its running state, which needs every value).
  window_aggregate_operator(sql::window_spec spec, sql::data_type time_type, std::vector<window_key> keys,
                            std::vector<sql::aggregate_call> calls, std::string prefix, diagnostics* diag,
                            bool input_only_inserts = false);
  void on_changes(int port, sql::change_batch& in, sql::change_batch& out) override;
  void on_watermark(std::int64_t watermark, sql::change_batch& out) override;
  void flush(write_batch& batch) override;
  result<void> restore(state_store& store) override;

  std::size_t pane_count() const { return panes_.size(); }

 private:
  using groups = std::unordered_map<sql::row, group_state, sql::row_hash, sql::row_equal>;
  struct pane_groups {
    groups by_key;
    // Groups kept inline (not values_apart) changed since the last flush. Node pointers stay valid
    // until the pane is dropped, which drops this list with them.
    std::vector<groups::value_type*> dirty;
  };
  groups::iterator find_or_make(groups& g, const sql::row& key) const;
  std::int64_t pane_of(std::int64_t t) const;
  // The first window start whose window contains the pane starting at `pane`.
  std::int64_t first_window_containing(std::int64_t pane) const;
  void fire(std::int64_t start, sql::change_batch& out);
  // Makes running_ the merge of the panes in [start, start + size).
  void slide_running_to(std::int64_t start);
  void merge_panes(std::int64_t from, std::int64_t to, std::int64_t sign);
  sql::row output_row(const sql::row& key, const group_state& state, std::int64_t start) const;
  void drop_panes_before(std::int64_t start);
  // Writes the group `k` of `pane` (erases it when `state` is null) and marks the state clean.
  void write_group(std::int64_t pane, const sql::row& k, group_state* state, dirty_group& dirty,
                   write_batch& batch);

  sql::window_spec spec_;
  sql::data_type time_type_;
  std::vector<window_key> keys_;
  aggregate_functions functions_;
  std::string prefix_;
  diagnostics* diag_;
  std::int64_t pane_width_;
  std::map<std::int64_t, pane_groups> panes_;
  groups running_;  // the merge of the panes in [run_lo_, run_hi_); not stored (rebuilt from panes)
  std::int64_t run_lo_ = no_watermark;
  std::int64_t run_hi_ = no_watermark;
  std::int64_t next_start_ = no_watermark;  // windows starting before this have fired
  std::int64_t flushed_next_start_ = no_watermark;
  struct pane_key_less {
    bool operator()(const std::pair<std::int64_t, sql::row>& a,
                    const std::pair<std::int64_t, sql::row>& b) const {
      return a.first != b.first ? a.first < b.first : sql::compare_rows(a.second, b.second) < 0;
    }
  };
  // To write at flush besides the panes' dirty lists: groups stored apart (with their changed
  // entries), and the stored groups of dropped panes (to erase).
  std::map<std::pair<std::int64_t, sql::row>, dirty_group, pane_key_less> dirty_;
};

}  // namespace sluice::stream
