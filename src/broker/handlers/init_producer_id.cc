// InitProducerId: hands out increasing producer ids from an in-memory counter (see context.h), each
// with epoch 0; the partitions' producer state (storage/producer_state.h) then deduplicates the
// producer's retries. Every call gets a fresh id, which is what a non-transactional producer that
// asks again (after an unrecoverable sequence error) needs. Transactions are not supported.
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
