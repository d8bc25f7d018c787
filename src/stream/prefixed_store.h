// stream/prefixed_store.h — one pipeline's part of a shared state store: every key gets `prefix` in
// front, so several pipelines (whose operators number their own prefixes from 0) share one RocksDB
// database without their keys meeting.
#pragma once

#include <memory>
#include <string>

#include "stream/state_store.h"

namespace sluice::stream {

// `base` must outlive the result.
std::unique_ptr<state_store> make_prefixed_store(state_store& base, std::string prefix);

}  // namespace sluice::stream
