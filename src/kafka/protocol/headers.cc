#include "kafka/protocol/headers.h"

#include "kafka/protocol/api_key.h"

namespace sluice::kafka {

namespace {

bool is_flexible(std::int16_t api_key, std::int16_t api_version) {
  const api_version_range* api = find_api(api_key);
  return api != nullptr && api->first_flexible_version != never_flexible &&
         api_version >= api->first_flexible_version;
}

}  // namespace

std::int16_t request_header_version(std::int16_t api_key, std::int16_t api_version) {
  return is_flexible(api_key, api_version) ? 2 : 1;
}

std::int16_t response_header_version(std::int16_t api_key, std::int16_t api_version) {
  if (api_key == static_cast<std::int16_t>(api_key::api_versions)) return 0;
  return is_flexible(api_key, api_version) ? 1 : 0;
}

bool is_supported(std::int16_t api_key, std::int16_t api_version) {
  const api_version_range* api = find_api(api_key);
  return api != nullptr && api_version >= api->min_version && api_version <= api->max_version;
}

result<request_header> read_request_header(reader& r) {
  reader peek = r;
  SLUICE_ASSIGN_OR_RETURN(const std::int16_t api_key, peek.read_int16());
  SLUICE_ASSIGN_OR_RETURN(const std::int16_t api_version, peek.read_int16());
  request_header header;
  SLUICE_RETURN_IF_ERROR(header.decode(r, request_header_version(api_key, api_version)));
  return header;
}

void write_response_header(writer& w, std::int16_t api_key, std::int16_t api_version,
                           std::int32_t correlation_id) {
  response_header header;
  header.correlation_id = correlation_id;
  header.encode(w, response_header_version(api_key, api_version));
}

}  // namespace sluice::kafka
