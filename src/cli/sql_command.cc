#include "cli/sql_command.h"

#include <libpq-fe.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <memory>
#include <sstream>

#include "cli/client_flags.h"
#include "cli/sql_output.h"

namespace sluice::cli {
namespace {

struct sql_options {
  std::string pg_addr = "127.0.0.1:4566";
  std::string database = "sluice";
  std::string user = "sluice";
  std::vector<std::string> commands;
  std::vector<std::string> files;
  std::string format = "aligned";
};

struct connection_closer {
  void operator()(PGconn* c) const { PQfinish(c); }
};
using connection = std::unique_ptr<PGconn, connection_closer>;
struct result_clearer {
  void operator()(PGresult* r) const { PQclear(r); }
};
using query_result = std::unique_ptr<PGresult, result_clearer>;

// Type OIDs psql right-aligns: int2, int4, int8, float4, float8, numeric, oid.
bool is_numeric_oid(Oid oid) {
  return oid == 21 || oid == 23 || oid == 20 || oid == 700 || oid == 701 || oid == 1700 || oid == 26;
}

sql_table table_of(PGresult* r) {
  sql_table table;
  int columns = PQnfields(r);
  for (int c = 0; c < columns; ++c) {
    table.columns.emplace_back(PQfname(r, c));
    table.numeric.push_back(is_numeric_oid(PQftype(r, c)));
  }
  for (int i = 0; i < PQntuples(r); ++i) {
    auto& row = table.rows.emplace_back();
    for (int c = 0; c < columns; ++c) {
      if (PQgetisnull(r, i, c)) {
        row.emplace_back(std::nullopt);
      } else {
        row.emplace_back(std::string(PQgetvalue(r, i, c), static_cast<std::size_t>(PQgetlength(r, i, c))));
      }
    }
  }
  return table;
}

void print_rows(PGresult* r, const std::string& format) {
  sql_table table = table_of(r);
  if (format == "csv") {
    std::cout << format_csv(table);
  } else if (format == "json") {
    std::cout << format_json_lines(table);
  } else {
    std::cout << format_aligned(table) << "\n";
  }
}

void print_error(PGresult* r, const std::string& statement) {
  const char* severity = PQresultErrorField(r, PG_DIAG_SEVERITY);
  const char* message = PQresultErrorField(r, PG_DIAG_MESSAGE_PRIMARY);
  const char* position = PQresultErrorField(r, PG_DIAG_STATEMENT_POSITION);
  const char* hint = PQresultErrorField(r, PG_DIAG_MESSAGE_HINT);
  std::cerr << format_error(severity ? severity : "ERROR", message ? message : PQresultErrorMessage(r),
                            statement, position ? std::atoi(position) : 0);
  if (hint) std::cerr << "HINT:  " << hint << "\n";
}

// Sends `text` (one or more statements) and prints every result; false if any statement failed.
bool run(PGconn* conn, const std::string& text, const std::string& format) {
  if (!PQsendQuery(conn, text.c_str())) {
    std::cerr << "sluice sql: " << PQerrorMessage(conn);
    return false;
  }
  bool ok = true;
  while (query_result r{PQgetResult(conn)}) {
    switch (PQresultStatus(r.get())) {
      case PGRES_TUPLES_OK:
        print_rows(r.get(), format);
        break;
      case PGRES_COMMAND_OK:
        if (format == "aligned") std::cout << PQcmdStatus(r.get()) << "\n";
        break;
      case PGRES_EMPTY_QUERY:
        break;
      default:
        print_error(r.get(), text);
        ok = false;
    }
  }
  return ok;
}

std::string read_file(const std::string& path, bool& ok) {
  std::ifstream in(path);
  ok = static_cast<bool>(in);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// Statements from stdin, each sent once it ends with `;`.
bool run_stdin(PGconn* conn, const std::string& format) {
  bool interactive = ::isatty(STDIN_FILENO) != 0;
  bool ok = true;
  std::string pending, line;
  while (true) {
    if (interactive) std::cout << (pending.empty() ? "sluice=> " : "sluice-> ") << std::flush;
    if (!std::getline(std::cin, line)) break;
    if (pending.empty() && (line == "\\q" || line == "quit" || line == "exit")) break;
    pending += line + "\n";
    if (!ends_statement(pending)) continue;
    bool succeeded = run(conn, pending, format);
    pending.clear();
    if (!succeeded && !interactive) return false;
    ok = ok && succeeded;
  }
  if (pending.find_first_not_of(" \t\r\n") != std::string::npos) ok = run(conn, pending, format) && ok;
  return interactive || ok;
}

int run_sql(const sql_options& options) {
  auto colon = options.pg_addr.rfind(':');
  if (colon == std::string::npos) {
    std::cerr << "sluice sql: --pg-addr expects HOST:PORT, got '" << options.pg_addr << "'\n";
    return exit_usage;
  }
  std::string conninfo = "host=" + options.pg_addr.substr(0, colon) +
                         " port=" + options.pg_addr.substr(colon + 1) + " dbname=" + options.database +
                         " user=" + options.user + " application_name=sluice-sql";
  connection conn{PQconnectdb(conninfo.c_str())};
  if (PQstatus(conn.get()) != CONNECTION_OK) {
    std::cerr << "sluice sql: cannot connect to " << options.pg_addr << ": " << PQerrorMessage(conn.get());
    return exit_usage;
  }
  for (const auto& command : options.commands) {
    if (!run(conn.get(), command, options.format)) return exit_failure;
  }
  for (const auto& path : options.files) {
    bool readable = false;
    std::string text = read_file(path, readable);
    if (!readable) {
      std::cerr << "sluice sql: cannot read " << path << "\n";
      return exit_usage;
    }
    if (!run(conn.get(), text, options.format)) return exit_failure;
  }
  if (options.commands.empty() && options.files.empty())
    return run_stdin(conn.get(), options.format) ? 0 : exit_failure;
  return 0;
}

}  // namespace

void add_sql_command(CLI::App& app, int& exit_code) {
  auto options = std::make_shared<sql_options>();
  auto* command =
      app.add_subcommand("sql", "An SQL shell: run statements against Sluice's Postgres endpoint");
  command->add_option("--pg-addr", options->pg_addr, "Postgres wire address HOST:PORT")
      ->envname("SLUICE_PG_ADDR")
      ->capture_default_str();
  command->add_option("-e,--command", options->commands, "Run these statements and exit (repeatable)");
  command->add_option("-f,--file", options->files, "Run the statements in this file and exit (repeatable)");
  command
      ->add_option("--format", options->format, "Output: aligned (psql's), csv or json (one object per row)")
      ->check(CLI::IsMember({"aligned", "csv", "json"}))
      ->capture_default_str();
  command->add_option("-d,--dbname", options->database, "Database name sent at connect")
      ->capture_default_str();
  command->add_option("-U,--user", options->user, "User name sent at connect")->capture_default_str();
  command->callback([options, &exit_code] { exit_code = run_sql(*options); });
}

}  // namespace sluice::cli
