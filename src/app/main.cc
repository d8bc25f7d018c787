// sluice — one binary, subcommands. main only wires commands together.
#include <spdlog/spdlog.h>

#include <CLI/CLI.hpp>

#include "app/demo_command.h"
#include "app/serve_command.h"
#include "cli/consume_command.h"
#include "cli/group_command.h"
#include "cli/produce_command.h"
#include "cli/sql_command.h"
#include "cli/topic_command.h"
#include "perf/bench_command.h"

int main(int argc, char** argv) {
  spdlog::set_pattern("%Y-%m-%dT%H:%M:%S.%e %^%l%$ %v");
  CLI::App app{"Sluice: a stream-first event platform in one binary"};
  app.set_version_flag("--version", "sluice 0.1.0");
  app.require_subcommand(1);
  int exit_code = 0;
  sluice::app::serve_options serve;
  sluice::app::add_serve_command(app, serve, exit_code);
  sluice::app::add_demo_command(app, exit_code);
  sluice::cli::add_topic_command(app, exit_code);
  sluice::cli::add_group_command(app, exit_code);
  sluice::cli::add_produce_command(app, exit_code);
  sluice::cli::add_consume_command(app, exit_code);
  sluice::cli::add_sql_command(app, exit_code);
  sluice::perf::add_bench_command(app, exit_code);
  CLI11_PARSE(app, argc, argv);
  return exit_code;
}
