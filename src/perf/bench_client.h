// perf/bench_client.h — how `sluice bench` uses the client wrapper in cli/kafka_client.h: the client
// options from the bench flags, and the one exception the runs fail with. The wrapper reports
// errors as result<T>; the runs unwrap them with value_or_throw (they fail from several threads and
// nested loops), and the command prints the error and exits 1.
// Include it from .cc files only; it pulls in rdkafka.h.
#pragma once

#include <stdexcept>
#include <utility>

#include "base/result.h"
#include "cli/kafka_client.h"
#include "perf/perf_options.h"

namespace sluice::perf {

// Thrown for failures that end the run (bad -X, unreachable broker); the command prints it and exits 1.
struct client_error : std::runtime_error {
  using std::runtime_error::runtime_error;
};

template <typename T>
T value_or_throw(result<T> r) {
  if (!r) throw client_error(r.error().message);
  return std::move(r).value();
}

inline void value_or_throw(const result<void>& r) {
  if (!r) throw client_error(r.error().message);
}

// Where to connect, the -X properties, and the timeout of metadata and admin requests (10 s).
inline cli::client_options client_options_for(const perf_options& o) {
  return {.bootstrap = o.bootstrap, .properties = o.client_configs};
}

// librdkafka logs to stderr at its default level here; the CLI's configurations turn that off.
inline const cli::property default_logging{"log_level", "6"};

}  // namespace sluice::perf
