// pgwire/startup.h — the start of a connection once its startup packet is read: which protocol
// versions and parameters are accepted, and the greeting (AuthenticationOk, ParameterStatus,
// BackendKeyData) a client gets before its first ReadyForQuery.
//
// Authentication is trust: every user is accepted, as befits a listener that binds to localhost
// unless configured otherwise. The reported settings are the ones the engine actually has (UTF-8
// text, UTC, ISO dates, integer timestamps), which drivers check before they send a query.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "pgwire/messages.h"
#include "sql/error.h"

namespace sluice::pgwire {

// The version string drivers parse (psql, JDBC and psycopg2 pick features by it).
inline constexpr const char* server_version = "15.0";

// nullopt when the client may go on; otherwise the FATAL error to answer with: 0A000 for a major
// protocol version other than 3, 28000 when no user is named.
std::optional<sql::sql_error> check_startup(const startup_message& m);

// Everything after an accepted startup packet up to (not including) ReadyForQuery. A client asking
// for protocol 3.x (x > 0) or for "_pq_." options first gets NegotiateProtocolVersion for 3.0.
void write_greeting(std::vector<std::byte>& out, const startup_message& m, std::int32_t process_id,
                    std::int32_t secret_key);

}  // namespace sluice::pgwire
