#include "app/serve_command.h"

#include <signal.h>
#include <spdlog/spdlog.h>

#include <CLI/CLI.hpp>
#include <chrono>

#include "storage/log_manager.h"

namespace sluice::app {
namespace {

result<storage::log_config> server_defaults(const std::vector<std::string>& assignments) {
  storage::config_overrides overrides;
  for (const auto& a : assignments) {
    auto eq = a.find('=');
    if (eq == std::string::npos || eq == 0)
      return fail(errc::invalid_config, "--topic-default expects name=value, got '" + a + "'");
    overrides[a.substr(0, eq)] = a.substr(eq + 1);
  }
  return storage::resolve_config(storage::log_config{}, overrides);
}

// Blocks SIGINT and SIGTERM in every thread started after this, so the main
// thread can wait for them synchronously.
sigset_t block_stop_signals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  return set;
}

int serve(const serve_options& options) {
  auto started = std::chrono::steady_clock::now();
  auto elapsed_ms = [&] {
    return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started)
        .count();
  };
  auto defaults = server_defaults(options.topic_defaults);
  if (!defaults) {
    spdlog::error("{}", defaults.error().describe());
    return 2;
  }
  auto stop_signals = block_stop_signals();
  spdlog::info("starting sluice; data directory {}", options.data_dir);
  storage::storage_options storage{.data_dir = options.data_dir, .defaults = *defaults};
  auto logs = storage::log_manager::open(io::file_system::posix(), storage);
  if (!logs) {
    spdlog::error("cannot open the data directory: {}", logs.error().describe());
    return 1;
  }
  spdlog::info("storage ready: {} topics, {} start, cluster id {} ({} ms)", (*logs)->list_topics().size(),
               (*logs)->recovered_cleanly() ? "clean" : "recovered", (*logs)->cluster_id(), elapsed_ms());
  spdlog::info("sluice is running; press Ctrl-C to stop");
  int signal = 0;
  sigwait(&stop_signals, &signal);
  spdlog::info("received {}, shutting down", signal == SIGINT ? "SIGINT" : "SIGTERM");
  if (auto closed = (*logs)->close(); !closed) {
    spdlog::error("shutdown: {}", closed.error().describe());
    return 1;
  }
  spdlog::info("stopped");
  return 0;
}

}  // namespace

void add_serve_command(CLI::App& app, serve_options& options, int& exit_code) {
  auto* cmd = app.add_subcommand("serve", "Run the Sluice server on a local data directory");
  cmd->add_option("-d,--data-dir", options.data_dir, "Directory holding topics and their logs")
      ->capture_default_str();
  cmd->add_option("--topic-default", options.topic_defaults,
                  "Server-wide default for a topic config, e.g. flush.messages=1 (repeatable)");
  cmd->callback([&options, &exit_code] { exit_code = serve(options); });
}

}  // namespace sluice::app
