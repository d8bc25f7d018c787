#include "stream/window_assign.h"

namespace sluice::stream {

std::int64_t event_time_micros(const sql::value& v) {
  if (v.type() == sql::data_type::date) return static_cast<std::int64_t>(v.as_date()) * sql::micros_per_day;
  return v.as_micros();
}

sql::value time_value(sql::data_type type, std::int64_t micros) {
  return type == sql::data_type::timestamptz ? sql::value::timestamptz(micros)
                                             : sql::value::timestamp(micros);
}

void window_assign_operator::on_changes(int /*port*/, sql::change_batch& in, sql::change_batch& out) {
  const auto time_col = static_cast<std::size_t>(spec_.time_column);
  for (sql::change& c : in) {
    const sql::value& tv = c.values[time_col];
    if (tv.is_null()) {
      diag_->report(dead_letter{"window", "event time is NULL", row_text(c.values), -1});
      continue;
    }
    std::int64_t t = event_time_micros(tv);
    for_each_window(spec_, t, [&](std::int64_t start) {
      sql::row r;
      r.reserve(c.values.size() + 2);
      r = c.values;
      r.push_back(time_value(time_type_, start));
      r.push_back(time_value(time_type_, start + spec_.size_micros));
      out.push_back({std::move(r), c.weight});
    });
  }
}

}  // namespace sluice::stream
