#include "broker/broker.h"
#include "broker/handlers/handlers.h"

namespace sluice::broker {

kafka::api_versions_response handle_api_versions(context&, const kafka::api_versions_request&, std::int16_t) {
  kafka::api_versions_response response;
  for (const auto& api : advertised_apis()) {
    response.api_keys.push_back({.api_key = static_cast<std::int16_t>(api.key),
                                 .min_version = api.min_version,
                                 .max_version = api.max_version});
  }
  return response;
}

}  // namespace sluice::broker
