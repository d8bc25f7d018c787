// cli/client_flags.h — what every client command shares: the connection flags (-b, -X, --timeout-ms)
// and how a failure becomes a one-line message and an exit code.
#pragma once

#include <string>

#include "base/result.h"

namespace CLI {
class App;
}

namespace sluice::cli {

struct client_options;

// Adds -b/--bootstrap-server (default 127.0.0.1:9092, env SLUICE_BOOTSTRAP), -X key=value
// (repeatable librdkafka properties) and --timeout-ms to `command`, writing into `options`.
void add_client_flags(CLI::App& command, client_options& options);

// Exit codes: 0 success, 1 the operation failed, 2 the command line or a setting is invalid.
constexpr int exit_failure = 1;
constexpr int exit_usage = 2;

// Prints "sluice <command>: <message>" on stderr; returns exit_usage for invalid_argument and
// invalid_config, exit_failure otherwise.
int report(const std::string& command, const error& e);

}  // namespace sluice::cli
