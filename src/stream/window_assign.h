// stream/window_assign.h — TUMBLE / HOP as a relation: each row goes to every window containing its
// event time, with window_start and window_end appended (stateless; a HOP of size/slide = n copies a
// row n times). Windows are [start, end) with start = offset + k * slide. A row whose event time is
// NULL belongs to no window and goes to the dead-letter callback. Aggregates over windows do not use
// this operator (window_aggregate.h assigns rows to panes instead); it serves views that select
// window columns without grouping.
#pragma once

#include <cstdint>

#include "sql/plan.h"
#include "stream/diagnostics.h"
#include "stream/operator.h"

namespace sluice::stream {

// Calls fn(start) for every window containing `t`, earliest first.
template <typename F>
void for_each_window(const sql::window_spec& w, std::int64_t t, F&& fn);

class window_assign_operator final : public stream_operator {
 public:
  window_assign_operator(sql::window_spec spec, sql::data_type time_type, diagnostics* diag)
      : spec_(spec), time_type_(time_type), diag_(diag) {}
  void on_changes(int port, sql::change_batch& in, sql::change_batch& out) override;

 private:
  sql::window_spec spec_;
  sql::data_type time_type_;
  diagnostics* diag_;
};

// The event time of a timestamp, timestamptz or date value in microseconds.
std::int64_t event_time_micros(const sql::value& v);
sql::value time_value(sql::data_type type, std::int64_t micros);

template <typename F>
void for_each_window(const sql::window_spec& w, std::int64_t t, F&& fn) {
  std::int64_t rel = t - w.offset_micros;
  std::int64_t q = rel / w.slide_micros;
  if (rel % w.slide_micros != 0 && rel < 0) --q;
  std::int64_t last = w.offset_micros + q * w.slide_micros;
  std::int64_t first = last;
  while (first - w.slide_micros > t - w.size_micros) first -= w.slide_micros;
  for (std::int64_t s = first; s <= last; s += w.slide_micros) fn(s);
}

}  // namespace sluice::stream
