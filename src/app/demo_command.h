// app/demo_command.h — `sluice demo`: an embedded server with a small online shop trading on it
// (src/demo), running until SIGINT/SIGTERM.
#pragma once

namespace CLI {
class App;
}

namespace sluice::app {

// Adds `demo`; `exit_code` is 0 after a clean stop, 2 for a bad flag, 1 if something failed.
void add_demo_command(CLI::App& app, int& exit_code);

}  // namespace sluice::app
