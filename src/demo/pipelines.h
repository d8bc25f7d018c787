// demo/pipelines.h — the demo's streaming SQL (pipelines.sql and pipelines_layered.sql, compiled
// into the binary) and running it through an engine session at startup.
//
// Every statement says IF NOT EXISTS, so applying them to a data directory that already holds the
// demo changes nothing. The layered part (views over views) is tried statement by statement and
// skipped while the engine refuses views over views (SQLSTATE 0A000) — or on any other error, with a
// warning: the extras never keep the demo from starting.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"

namespace sluice::engine {
class engine;
}

namespace sluice::demo {

std::string_view pipelines_sql();
std::string_view layered_pipelines_sql();

// The statements of a script: split at semicolons outside quotes, `--` comments dropped, trimmed.
std::vector<std::string> split_statements(std::string_view script);

struct pipelines_outcome {
  bool fresh = false;  // the demo's views did not exist before
  int layered_created = 0;
  int layered_skipped = 0;  // refused, as views over views or otherwise
};

// Runs both scripts; fails on the first error of the main script (naming the statement). A layered
// statement that fails is skipped (with a warning unless the error is 0A000).
result<pipelines_outcome> apply_pipelines(engine::engine& engine);

}  // namespace sluice::demo
