// cli/produce_command.h — `sluice produce TOPIC`: records from stdin, one per line (text, key-delimited
// text, or JSON objects), sent through librdkafka; waits for every delivery and reports them.
#pragma once

namespace CLI {
class App;
}

namespace sluice::cli {

// Adds `produce`; `exit_code` is 0 when every record was delivered, 1 when any failed, 2 for bad input.
void add_produce_command(CLI::App& app, int& exit_code);

}  // namespace sluice::cli
