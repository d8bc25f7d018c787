// cli/group_command.h — `sluice group list|describe|reset-offsets|delete`: consumer group administration
// (members, committed offsets and lag, offset resets) through librdkafka, against any Kafka broker.
#pragma once

namespace CLI {
class App;
}

namespace sluice::cli {

// Adds `group` and its subcommands; `exit_code` receives the result of the one that runs.
void add_group_command(CLI::App& app, int& exit_code);

}  // namespace sluice::cli
