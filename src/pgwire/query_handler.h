// pgwire/query_handler.h — the boundary between the Postgres wire protocol and the SQL engine.
//
// pgwire owns the protocol (framing, startup, the simple and extended query flows, type OIDs and
// value formats); the engine implements the two interfaces below and never sees a byte of the wire.
//
// - One query_session per client connection, made by a session_factory when the client starts up.
// - Every call is synchronous and may take as long as the query does: pgwire runs each call on a
//   blocking pool, never on an event loop. The calls of one session never overlap (a connection
//   handles one message at a time), but consecutive calls may come from different threads.
// - Errors are sql::sql_error values. `position` is a 0-based byte offset into the SQL text the call
//   was given (for simple_query: the whole string, not the one statement), -1 when there is none;
//   pgwire turns it into the 1-based character position psql underlines.
// - An exception that escapes a call is a bug: pgwire answers it with SQLSTATE XX000 and closes the
//   connection, and the server goes on.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "sql/error.h"
#include "sql/value.h"

namespace sluice::pgwire {

// The outcome of one statement. `columns` is empty for statements that return no rows (CREATE, SET,
// INSERT), which then send no RowDescription. `command_tag` is what CommandComplete carries:
// "SELECT 3", "CREATE SOURCE", "SET", "INSERT 0 1". An empty command_tag means the statement was
// empty (only whitespace or comments): the client gets EmptyQueryResponse.
// `notices` are sent as NoticeResponse before the rows, e.g. "relation \"v\" already exists, skipping"
// for IF NOT EXISTS (code 42P07, severity NOTICE; `position` as for errors).
// COPY: `copy_in_columns` set means COPY … FROM STDIN is waiting for the client's data: pgwire answers
// CopyInResponse, collects the CopyData messages and hands them to query_session::copy_in at CopyDone.
// `copy_out` set means COPY … TO STDOUT: pgwire sends its lines as CopyData between CopyOutResponse
// (with columns.size() columns) and CopyDone, then the command tag.
struct query_result {
  sql::schema columns;
  std::vector<sql::row> rows;
  std::string command_tag;
  std::vector<sql::sql_error> notices;
  std::optional<std::size_t> copy_in_columns = std::nullopt;
  std::optional<std::vector<std::string>> copy_out = std::nullopt;
};

// One parameter bound to a prepared statement (Bind): a value pgwire decoded from the client's
// binary format (NULL is a NULL sql::value), or the text the client sent in text format, which the
// engine parses for the parameter's type as Postgres's input functions do (sql::cast_from_text).
using parameter = std::variant<sql::value, std::string>;

// A statement parsed, bound and planned once (Parse) and executed any number of times (Execute).
// pgwire owns it until the client closes it, the unnamed statement is replaced, or the session ends.
class prepared_statement {
 public:
  virtual ~prepared_statement() = default;

  // The type of each $n placeholder, $1 first: the types the client gave at Parse where it gave
  // one (data_type::unknown in the call to prepare), otherwise what the engine inferred. A
  // placeholder whose type cannot be inferred should be text, as Postgres resolves unknown.
  virtual const std::vector<sql::data_type>& parameter_types() const = 0;
  // The columns the statement returns; empty when it returns no rows.
  virtual const sql::schema& columns() const = 0;
  // Runs the statement with one value per placeholder (pgwire checks the count). Rows must match
  // columns(). pgwire sends a portal's rows in pieces when the client asks for a row limit, so the
  // statement always returns all of its rows.
  virtual sql::sql_result<query_result> execute(const std::vector<parameter>& parameters) = 0;
};

class query_session {
 public:
  virtual ~query_session() = default;

  // The Simple Query flow: `sql` holds zero or more statements separated by semicolons. Runs them in
  // order and returns one element per statement run; on the first error it stops, and that error is
  // the last element. An empty vector (no statements at all) answers EmptyQueryResponse.
  virtual std::vector<sql::sql_result<query_result>> simple_query(std::string_view sql) = 0;

  // The extended flow's Parse: one statement with $1, $2, ... placeholders. `parameter_types` holds
  // the types the client declared, by position (unknown where it declared none or declared type 0);
  // it may be shorter than the number of placeholders.
  virtual sql::sql_result<std::unique_ptr<prepared_statement>> prepare(
      std::string_view sql, const std::vector<sql::data_type>& parameter_types) = 0;

  // The data of the COPY … FROM STDIN that simple_query left waiting (every CopyData, concatenated);
  // `data` is nullopt when the client gave up (CopyFail). Returns the statement's outcome.
  virtual sql::sql_result<query_result> copy_in(std::optional<std::string_view> data) {
    (void)data;
    return sql::sql_fail("08P01", "no COPY is in progress");
  }
};

// What the client sent in its startup packet: "user", "database", "application_name", "options", ...
using startup_parameters = std::vector<std::pair<std::string, std::string>>;

// Makes the session of a new connection; an error refuses the connection (a FATAL ErrorResponse
// with its SQLSTATE, e.g. 3D000 for a database that does not exist). Called on the blocking pool,
// possibly from several threads at once.
class session_factory {
 public:
  virtual ~session_factory() = default;
  virtual sql::sql_result<std::unique_ptr<query_session>> open_session(const startup_parameters& startup) = 0;
};

}  // namespace sluice::pgwire
