// stream/diagnostics.h — the events a pipeline does not turn into view rows, and why.
//
// Nothing is dropped silently: a malformed record or a row whose expression fails (division by zero)
// is counted and handed to the dead-letter callback with the error text; an event older than the
// watermark minus the allowed lateness is counted and handed to the late-event callback with the
// reason. The engine wires the callbacks to its dead-letter and late-events topics.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include "sql/error.h"
#include "stream/row_text.h"

namespace sluice::stream {

struct dead_letter {
  std::string relation;  // the source or the operator that rejected it
  std::string error;     // "invalid input syntax for type bigint: \"x\"", "division by zero", ...
  std::string payload;   // the record value as received, or the row's text form
  int partition = -1;
};

struct late_event {
  std::string relation;
  std::string reason;  // "event time … is before watermark … minus allowed lateness …"
  std::string payload;
  std::int64_t event_time = 0;  // microseconds
  std::int64_t watermark = 0;
  int partition = -1;
};

class diagnostics {
 public:
  std::function<void(const dead_letter&)> on_dead_letter;
  std::function<void(const late_event&)> on_late_event;

  void report(const dead_letter& d) {
    ++dead_letters_;
    if (on_dead_letter) on_dead_letter(d);
  }
  void report(const late_event& e) {
    ++late_events_;
    if (on_late_event) on_late_event(e);
  }
  std::uint64_t dead_letters() const { return dead_letters_; }
  std::uint64_t late_events() const { return late_events_; }

 private:
  std::uint64_t dead_letters_ = 0;
  std::uint64_t late_events_ = 0;
};

// Runs fn(); when it raises a data error (sql::eval_error) reports `r` as a dead letter of `where`
// and returns false. Costs nothing on the path without an error.
template <typename F>
bool run_guarded(diagnostics* diag, std::string_view where, const sql::row& r, F&& fn) {
  try {
    fn();
    return true;
  } catch (const sql::eval_error& e) {
    diag->report(dead_letter{std::string(where), e.what(), row_text(r), -1});
    return false;
  }
}

}  // namespace sluice::stream
