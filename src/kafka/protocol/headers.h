// kafka/protocol/headers.h — the request and response headers around every message body.
//
// A request frame is: int32 size, request header, body. The header's version is not on the wire:
// it follows from the api key and version the header starts with (flexible API versions use request
// header v2, which adds tagged fields, and response header v1). ApiVersions responses always use
// response header v0, because a client parses them before it knows what the broker supports.
#pragma once

#include <cstdint>

#include "base/result.h"
#include "kafka/protocol/generated/request_header.h"
#include "kafka/protocol/generated/response_header.h"
#include "kafka/protocol/wire.h"

namespace sluice::kafka {

// The request header version (1 or 2) for a request of this api key and version. Versions above
// an API's maximum count as flexible when the API has flexible versions, so a newer client's
// ApiVersions request still parses. Unknown api keys get 1: enough to read the correlation id and
// client id and answer or close.
std::int16_t request_header_version(std::int16_t api_key, std::int16_t api_version);

// The response header version (0 or 1) for a response to a request of this api key and version.
std::int16_t response_header_version(std::int16_t api_key, std::int16_t api_version);

// True when the codec implements this api key at this version.
bool is_supported(std::int16_t api_key, std::int16_t api_version);

// Reads the request header at the start of a request (the bytes after the size prefix), choosing
// its version from the api key and version it starts with; leaves `r` at the body.
result<request_header> read_request_header(reader& r);

// Writes the response header for a response to a request of this api key and version.
void write_response_header(writer& w, std::int16_t api_key, std::int16_t api_version,
                           std::int32_t correlation_id);

}  // namespace sluice::kafka
