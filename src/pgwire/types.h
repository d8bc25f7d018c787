// pgwire/types.h — how engine types and values look on the wire: type OIDs and sizes for
// RowDescription and ParameterDescription, the binary formats of values, and the engine type a
// client-declared parameter OID stands for.
//
// Text format is sql::value::to_text() (Postgres's output functions). Binary formats are
// Postgres's send/recv functions: big-endian integers, IEEE floats, timestamps as microseconds and
// dates as days since 2000-01-01 (the engine counts from 1970-01-01), intervals as (micros, days,
// months), jsonb as a version byte 1 then the JSON text, arrays as array_send writes them (dimensions,
// a has-NULLs flag, the element type, then each element with its length).
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "base/bytes.h"
#include "pgwire/messages.h"
#include "sql/error.h"
#include "sql/value.h"

namespace sluice::pgwire {

namespace oids {
inline constexpr oid boolean = 16;
inline constexpr oid bytea = 17;
inline constexpr oid name = 19;
inline constexpr oid int8 = 20;
inline constexpr oid int2 = 21;
inline constexpr oid int4 = 23;
inline constexpr oid text = 25;
inline constexpr oid json = 114;
inline constexpr oid float4 = 700;
inline constexpr oid float8 = 701;
inline constexpr oid unknown = 705;
inline constexpr oid bpchar = 1042;
inline constexpr oid varchar = 1043;
inline constexpr oid date = 1082;
inline constexpr oid time = 1083;
inline constexpr oid timestamp = 1114;
inline constexpr oid timestamptz = 1184;
inline constexpr oid interval = 1186;
inline constexpr oid numeric = 1700;
inline constexpr oid jsonb = 3802;
// Array types: Postgres's `_int8`, `_text`, … (the element type's typarray).
inline constexpr oid bool_array = 1000;
inline constexpr oid int2_array = 1005;
inline constexpr oid int4_array = 1007;
inline constexpr oid text_array = 1009;
inline constexpr oid varchar_array = 1015;
inline constexpr oid int8_array = 1016;
inline constexpr oid float4_array = 1021;
inline constexpr oid float8_array = 1022;
inline constexpr oid oid_array = 1028;
inline constexpr oid timestamp_array = 1115;
inline constexpr oid date_array = 1182;
inline constexpr oid time_array = 1183;
inline constexpr oid json_array = 199;
inline constexpr oid timestamptz_array = 1185;
inline constexpr oid interval_array = 1187;
inline constexpr oid jsonb_array = 3807;
inline constexpr oid numeric_array = 1231;
}  // namespace oids

// The OID a column or parameter of `type` is described with; unknown is described as text, as
// Postgres resolves an unknown-typed output column.
oid type_oid(sql::data_type type);
// The OID of an array of `element` (int8 → 1016).
oid array_type_oid(sql::data_type element);
// pg_type.typlen: the fixed binary size, or -1 for variable-length types.
std::int16_t type_size(sql::data_type type);

// The engine type for a parameter OID a client declared at Parse: 0 and unknown (705) leave the
// type to the engine; int2/int4 are bigint, float4 double precision, varchar, bpchar
// and name text, json jsonb. nullopt for a type the engine has no counterpart for.
std::optional<sql::data_type> type_of_oid(oid declared);

// Appends the binary form of `v`. REQUIRES: !v.is_null().
void append_binary(std::vector<std::byte>& out, const sql::value& v);

// Decodes a binary parameter by the type the client sent it as: `declared` if it gave one at Parse
// (int4 arrives as 4 bytes even when the engine widened the parameter to bigint), else the
// engine's `type`. A wrong length or an unsupported type is an error (22P03, 0A000).
sql::sql_result<sql::value> decode_binary(bytes_view bytes, oid declared, sql::data_type type);

}  // namespace sluice::pgwire
