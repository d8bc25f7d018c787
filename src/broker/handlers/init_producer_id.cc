// InitProducerId: hands out increasing producer ids from an in-memory counter (see context.h).
// Idempotent producers get an id; sequence numbers are not checked yet, so a retried batch may be
// stored twice. Transactions are not supported.
#include "broker/handlers/handlers.h"

namespace sluice::broker {

kafka::init_producer_id_response handle_init_producer_id(context& ctx,
                                                         const kafka::init_producer_id_request& request,
                                                         std::int16_t) {
  kafka::init_producer_id_response response;
  if (request.transactional_id && !request.transactional_id->empty()) {
    response.error_code = code(kafka::error_code::unsupported_version);
    return response;
  }
  response.producer_id = ctx.next_producer_id.fetch_add(1);
  response.producer_epoch = 0;
  return response;
}

}  // namespace sluice::broker
