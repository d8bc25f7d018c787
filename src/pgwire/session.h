// pgwire/session.h — one client connection's protocol state after startup: the simple query flow,
// the extended flow (prepared statements, portals, error recovery at Sync), and what to answer.
//
// A session is a plain object with no I/O: the listener hands it one message at a time (type byte
// and body) and writes what it appended to `out`. handle() of a message for which calls_engine() is
// true may block in the engine, so the listener runs it on the blocking pool; a session is never
// used by two threads at once.
//
// Invariants:
// - Between an error in the extended flow and the next Sync every message but Sync is discarded,
//   as Postgres does, so a pipelined batch stops at its first failure.
// - Portals live until the next Sync (the end of the implicit transaction) or Close; statements
//   until Close or the end of the session. The unnamed statement and portal are replaced by the
//   next unnamed Parse and Bind, and dropped by a Simple Query.
#pragma once

#include <cstddef>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "base/bytes.h"
#include "pgwire/messages.h"
#include "pgwire/query_handler.h"

namespace sluice::pgwire {

// What the listener does after a message.
enum class after_message {
  read_more,  // keep reading; output may stay buffered (the client will send Sync or Flush)
  flush,      // send what is buffered, then keep reading
  close,      // send what is buffered, then close the connection
};

class session {
 public:
  explicit session(std::unique_ptr<query_session> engine);
  ~session();
  session(const session&) = delete;
  session& operator=(const session&) = delete;

  // Handles one frontend message. A malformed or unknown message appends a FATAL 08P01 and closes.
  after_message handle(char type, bytes_view body, std::vector<std::byte>& out);

  // Whether handling a message of this type may call the engine (and block).
  static bool calls_engine(char type);

 private:
  struct statement;
  struct portal;

  after_message simple_query(bytes_view body, std::vector<std::byte>& out);
  after_message parse(bytes_view body, std::vector<std::byte>& out);
  after_message bind(bytes_view body, std::vector<std::byte>& out);
  after_message describe(bytes_view body, std::vector<std::byte>& out);
  after_message execute(bytes_view body, std::vector<std::byte>& out);
  after_message close(bytes_view body, std::vector<std::byte>& out);
  after_message sync(std::vector<std::byte>& out);
  after_message copy_message(char type, bytes_view body, std::vector<std::byte>& out);

  // An error in the extended flow: answer it and discard messages until Sync.
  after_message fail(const sql::sql_error& error, std::vector<std::byte>& out, std::string_view sql = {});
  sql::sql_result<std::vector<parameter>> bind_parameters(const bind_message& m, const statement& s) const;
  void send_rows(portal& p, std::int32_t max_rows, std::vector<std::byte>& out);

  std::unique_ptr<query_session> engine_;
  std::map<std::string, std::shared_ptr<statement>> statements_;
  std::map<std::string, std::unique_ptr<portal>> portals_;
  bool skipping_until_sync_ = false;
  bool copying_in_ = false;  // COPY … FROM STDIN: CopyData is collected until CopyDone or CopyFail
  std::string copy_data_;
};

// The FATAL 08P01 answer to a malformed message; the connection closes after it.
void write_protocol_violation(std::vector<std::byte>& out, const std::string& message);

}  // namespace sluice::pgwire
