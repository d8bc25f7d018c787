// cli/consume_command.h — `sluice consume TOPIC`: reads partitions from chosen start points (beginning,
// end, offsets, a timestamp) without a consumer group and prints records as text or JSON lines.
#pragma once

namespace CLI {
class App;
}

namespace sluice::cli {

// Adds `consume`; `exit_code` is 0 after --count records, the end (--exit-at-end) or SIGINT/SIGTERM.
void add_consume_command(CLI::App& app, int& exit_code);

}  // namespace sluice::cli
