// cli/sql_command.h — `sluice sql`: an SQL shell over the Postgres wire protocol (libpq), for Sluice or
// any Postgres-compatible server. Runs -e statements, -f files, or reads statements from stdin
// (interactively with a prompt when stdin is a terminal), printing results as psql does.
#pragma once

namespace CLI {
class App;
}

namespace sluice::cli {

// Adds `sql`; `exit_code` is 0 when every statement succeeded (interactive sessions: always 0),
// 1 when a statement failed (the shell stops at the first failure outside interactive mode),
// 2 when the server cannot be reached.
void add_sql_command(CLI::App& app, int& exit_code);

}  // namespace sluice::cli
