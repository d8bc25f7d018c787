// pgwire/messages.h — the Postgres v3 wire format: decoding what clients send and encoding what the
// server answers. Pure functions over bytes; no sockets, no state.
//
// Framing: every message after startup is a type byte, then an int32 length that counts itself and
// the body but not the type byte. The startup packet (and SSLRequest, GSSENCRequest,
// CancelRequest) has no type byte: an int32 length counting itself, then the body, whose first
// int32 says which of them it is. Decoders take the body only; the listener does the framing.
//
// Decoding never trusts the client: every malformed body is a sql_error with SQLSTATE 08P01
// (protocol_violation), never an assertion.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "base/bytes.h"
#include "pgwire/query_handler.h"
#include "sql/error.h"

namespace sluice::pgwire {

using oid = std::uint32_t;

inline constexpr std::int32_t protocol_3_0 = 196608;  // major 3 << 16 | minor 0
inline constexpr std::int32_t ssl_request_code = 80877103;
inline constexpr std::int32_t gssenc_request_code = 80877104;
inline constexpr std::int32_t cancel_request_code = 80877102;
// Postgres's own bound (MAX_STARTUP_PACKET_LENGTH): a startup packet is a few names and values.
inline constexpr std::int32_t max_startup_bytes = 10000;
inline constexpr const char* protocol_violation = "08P01";

// ---- frontend: startup ----

struct startup_message {
  std::int32_t protocol = 0;  // major << 16 | minor
  startup_parameters parameters;
  std::vector<std::string> protocol_options;  // "_pq_.*" names, which we do not support
};
struct ssl_request {};
struct gssenc_request {};
struct cancel_request {
  std::int32_t process_id = 0;
  std::int32_t secret_key = 0;
};
using startup_packet = std::variant<startup_message, ssl_request, gssenc_request, cancel_request>;

// `body`: the packet after its int32 length.
sql::sql_result<startup_packet> decode_startup(bytes_view body);

// ---- frontend: after startup ----

struct parse_message {
  std::string statement;
  std::string query;
  std::vector<oid> parameter_types;
};
struct bind_message {
  std::string portal;
  std::string statement;
  std::vector<std::int16_t> parameter_formats;         // empty: all text; one: for all
  std::vector<std::optional<std::string>> parameters;  // raw bytes; nullopt is NULL
  std::vector<std::int16_t> result_formats;            // empty: all text; one: for all
};
struct describe_message {
  char kind = 'S';  // 'S' statement or 'P' portal (also Close's kinds)
  std::string name;
};
struct execute_message {
  std::string portal;
  std::int32_t max_rows = 0;  // 0: no limit
};

sql::sql_result<std::string> decode_query(bytes_view body);
sql::sql_result<parse_message> decode_parse(bytes_view body);
sql::sql_result<bind_message> decode_bind(bytes_view body);
sql::sql_result<describe_message> decode_describe(bytes_view body);  // Describe and Close alike
sql::sql_result<execute_message> decode_execute(bytes_view body);

// ---- backend ----
// Each appends one whole message (type, length, body) to `out`.

void write_authentication_ok(std::vector<std::byte>& out);
void write_parameter_status(std::vector<std::byte>& out, std::string_view name, std::string_view value);
void write_backend_key_data(std::vector<std::byte>& out, std::int32_t process_id, std::int32_t secret_key);
void write_negotiate_protocol_version(std::vector<std::byte>& out, std::int32_t newest_minor,
                                      const std::vector<std::string>& unsupported_options);
// 'I' idle, 'T' in a transaction block, 'E' in a failed one.
void write_ready_for_query(std::vector<std::byte>& out, char transaction_status);

// `formats` as Bind gave them (empty: all text; one: for all); sent with each field.
void write_row_description(std::vector<std::byte>& out, const sql::schema& columns,
                           const std::vector<std::int16_t>& formats);
// Values must be NULL or of the type their column says (see types.h for the formats).
void write_data_row(std::vector<std::byte>& out, const sql::row& row,
                    const std::vector<std::int16_t>& formats);
void write_command_complete(std::vector<std::byte>& out, std::string_view tag);
void write_empty_query_response(std::vector<std::byte>& out);
void write_parse_complete(std::vector<std::byte>& out);
void write_bind_complete(std::vector<std::byte>& out);
void write_close_complete(std::vector<std::byte>& out);
void write_no_data(std::vector<std::byte>& out);
// CopyInResponse (`in`) or CopyOutResponse: text format, `columns` columns.
void write_copy_response(std::vector<std::byte>& out, bool in, std::size_t columns);
void write_copy_data(std::vector<std::byte>& out, std::string_view data);
void write_copy_done(std::vector<std::byte>& out);
void write_portal_suspended(std::vector<std::byte>& out);
void write_parameter_description(std::vector<std::byte>& out, const std::vector<oid>& types);

// ErrorResponse ('E') or NoticeResponse ('N', severity NOTICE) with fields S, V, C, M and, when set,
// D, H and P.
// `severity`: "ERROR", "FATAL", "NOTICE", "WARNING". `sql_text` is the text error.position is a
// byte offset into; P is sent as Postgres does, a 1-based character (not byte) position.
void write_error(std::vector<std::byte>& out, const sql::sql_error& error, std::string_view severity,
                 std::string_view sql_text = {});
void write_notice(std::vector<std::byte>& out, const sql::sql_error& notice, std::string_view sql_text = {});

// The format code for result column `i`: Bind's list may be empty (text), one code, or one per column.
std::int16_t format_of(const std::vector<std::int16_t>& formats, std::size_t i);

}  // namespace sluice::pgwire
