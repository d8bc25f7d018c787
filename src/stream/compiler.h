// stream/compiler.h — sql::plan to a running pipeline that keeps a view equal to the plan's result.
//
// scan → a source reader (one per relation; a relation scanned twice feeds both scans), filter,
// project, window (TUMBLE/HOP rows), aggregate (incremental, with retractions), join (inner and left
// outer on the plan's equality keys), distinct, values. An aggregate grouping by the window_start or
// window_end of a window node becomes one windowed aggregate over the window's input (panes; emitted
// when the watermark passes the window's end). Refused with SQLSTATE 0A000: ORDER BY / LIMIT in a
// view, RIGHT and FULL joins, a window over a column that carries no watermark (it would never
// fire), and window aggregates whose arguments use window_start/window_end.
//
// The event-time column is tracked through operators (event_time_column) so windows can be checked
// against the source's WATERMARK column; watermarks flow along every edge regardless.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "sql/catalog.h"
#include "sql/error.h"
#include "sql/plan.h"
#include "stream/join.h"
#include "stream/pipeline.h"

namespace sluice::stream {

// `store` must outlive the pipeline. The pipeline is started (on_start run, state committed), or with
// `resume`, continues from the state the store holds for the same plan (after a restart).
sql::sql_result<std::unique_ptr<pipeline>> compile(const sql::plan& plan, const sql::catalog_reader& catalog,
                                                   state_store* store, const source_options& options = {},
                                                   bool resume = false);

// The columns that identify a row of the view, for the JSON sink's record key: the group keys of an
// aggregate, a table's primary key, or empty (the whole row) when the plan has no key.
std::vector<int> view_key_columns(const sql::plan& plan, const sql::catalog_reader& catalog);

// True when the dataflow of `plan` can only insert rows into the view (filters and projections of
// SOURCEs, windowed aggregates, inner joins of such inputs): the view then uses its append-only layout.
bool only_inserts(const sql::plan& plan, const sql::catalog_reader& catalog);

// For the join `plan`, the rule by which rows of `side` (0 left, 1 right) can be forgotten: a conjunct
// of its condition `own timestamp column >= (or >) the other side's event time ± a constant`, or an
// equality key `own timestamp column = the other side's event time`, when
// that event time bounds the other side's future rows (join.h). Valid only if both inputs only insert.
std::optional<join_expiry> join_expiry_for(const sql::plan& plan, int side,
                                           const sql::catalog_reader& catalog);

// Which columns (true) the dataflow reads of each relation `plan` scans — what the source must decode;
// the others it only validates. A relation scanned twice reads the union; each scan node's own
// columns are what its consumer is given (a self-join's other scan may read more).
struct read_columns {
  std::map<std::string, std::vector<bool>> relations;
  std::map<const sql::plan*, std::vector<bool>> scans;
};
read_columns columns_read(const sql::plan& plan);

// The output column of `plan` that carries event time with a watermark, if any.
std::optional<int> event_time_column(const sql::plan& plan, const sql::catalog_reader& catalog);

}  // namespace sluice::stream
