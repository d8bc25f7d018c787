// cli/topic_command.h — `sluice topic create|list|describe|alter|delete`: topic administration
// through librdkafka, against any Kafka-compatible broker.
#pragma once

namespace CLI {
class App;
}

namespace sluice::cli {

// Adds `topic` and its subcommands; `exit_code` receives the result of the one that runs.
void add_topic_command(CLI::App& app, int& exit_code);

}  // namespace sluice::cli
