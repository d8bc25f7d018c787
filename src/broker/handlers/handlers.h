// broker/handlers/handlers.h — one function per Kafka API, each in its own file. A handler gets the
// decoded request and the version it came in, and returns the response to encode at that version.
#pragma once

#include <cstdint>
#include <functional>

#include "broker/context.h"
#include "kafka/protocol/generated/all.h"

namespace boost::asio {
class io_context;
}

namespace sluice::broker {

kafka::api_versions_response handle_api_versions(context& ctx, const kafka::api_versions_request& request,
                                                 std::int16_t version);
kafka::metadata_response handle_metadata(context& ctx, const kafka::metadata_request& request,
                                         std::int16_t version);
kafka::create_topics_response handle_create_topics(context& ctx, const kafka::create_topics_request& request,
                                                   std::int16_t version);
kafka::delete_topics_response handle_delete_topics(context& ctx, const kafka::delete_topics_request& request,
                                                   std::int16_t version);
kafka::produce_response handle_produce(context& ctx, kafka::produce_request& request, std::int16_t version);
kafka::list_offsets_response handle_list_offsets(context& ctx, const kafka::list_offsets_request& request,
                                                 std::int16_t version);
kafka::init_producer_id_response handle_init_producer_id(context& ctx,
                                                         const kafka::init_producer_id_request& request,
                                                         std::int16_t version);
kafka::describe_cluster_response handle_describe_cluster(context& ctx,
                                                         const kafka::describe_cluster_request& request,
                                                         std::int16_t version);
kafka::offset_for_leader_epoch_response handle_offset_for_leader_epoch(
    context& ctx, const kafka::offset_for_leader_epoch_request& request, std::int16_t version);
kafka::describe_configs_response handle_describe_configs(context& ctx,
                                                         const kafka::describe_configs_request& request,
                                                         std::int16_t version);
kafka::alter_configs_response handle_alter_configs(context& ctx, const kafka::alter_configs_request& request,
                                                   std::int16_t version);
kafka::incremental_alter_configs_response handle_incremental_alter_configs(
    context& ctx, const kafka::incremental_alter_configs_request& request, std::int16_t version);
kafka::delete_records_response handle_delete_records(context& ctx,
                                                     const kafka::delete_records_request& request,
                                                     std::int16_t version);
kafka::create_partitions_response handle_create_partitions(context& ctx,
                                                           const kafka::create_partitions_request& request,
                                                           std::int16_t version);
kafka::find_coordinator_response handle_find_coordinator(context& ctx,
                                                         const kafka::find_coordinator_request& request,
                                                         std::int16_t version);

// Fetch may wait (long polling) on `loop`, the connection's event loop: its timer and wake-ups run
// there, and `done` is called once, now or later on that loop's thread.
void handle_fetch(context& ctx, kafka::fetch_request request, std::int16_t version,
                  boost::asio::io_context& loop, std::function<void(kafka::fetch_response)> done);

}  // namespace sluice::broker
