// app/serve_command.h — `sluice serve`: runs the server until SIGINT/SIGTERM.
#pragma once

#include <string>
#include <vector>

namespace CLI {
class App;
}

namespace sluice::app {

struct serve_options {
  std::string data_dir = "sluice-data";
  std::vector<std::string> topic_defaults;  // name=value, Kafka topic-config names
};

void add_serve_command(CLI::App& app, serve_options& options, int& exit_code);

}  // namespace sluice::app
