#include "broker/broker.h"

#include <spdlog/spdlog.h>

#include <array>
#include <chrono>

#include "broker/handlers/handlers.h"
#include "group/kafka_api.h"
#include "kafka/protocol/headers.h"

namespace sluice::broker {
namespace {

using kafka::api_key;

// Record batch v2 is the only message format Sluice stores, so Produce v0-2 (message sets v0/v1)
// are advertised but answered with UNSUPPORTED_FOR_MESSAGE_FORMAT: librdkafka (2.0) enables gzip and
// snappy only when the broker's Produce range includes v0, and clients pick the highest common version
// (v3+) anyway. Fetch starts at v4 (record batches only). Fetch 13+ names topics by id, which Sluice
// does not have yet. The group APIs stop below the versions of the new consumer protocol (KIP-848:
// OffsetCommit/OffsetFetch v9) and of share groups (FindCoordinator v6).
constexpr std::array<kafka::api_version_range, 26> advertised{{
    {api_key::produce, 0, 9, 9},
    {api_key::fetch, 4, 12, 12},
    {api_key::list_offsets, 0, 10, 6},
    {api_key::metadata, 0, 12, 9},
    {api_key::api_versions, 0, 4, 3},
    {api_key::create_topics, 0, 7, 5},
    {api_key::delete_topics, 0, 6, 4},
    {api_key::delete_records, 0, 2, 2},
    {api_key::init_producer_id, 0, 5, 2},
    {api_key::offset_for_leader_epoch, 0, 4, 4},
    {api_key::describe_configs, 0, 4, 4},
    {api_key::alter_configs, 0, 2, 2},
    {api_key::create_partitions, 0, 3, 2},
    {api_key::incremental_alter_configs, 0, 1, 1},
    {api_key::describe_cluster, 0, 1, 0},
    // Consumer groups (src/group).
    {api_key::find_coordinator, 0, 4, 3},
    {api_key::join_group, 0, 9, 6},
    {api_key::sync_group, 0, 5, 4},
    {api_key::heartbeat, 0, 4, 4},
    {api_key::leave_group, 0, 5, 4},
    {api_key::offset_commit, 0, 8, 8},
    {api_key::offset_fetch, 0, 8, 6},
    {api_key::list_groups, 0, 4, 3},
    {api_key::describe_groups, 0, 5, 5},
    {api_key::delete_groups, 0, 2, 2},
    {api_key::offset_delete, 0, 0, kafka::never_flexible},
}};

const kafka::api_version_range* find_advertised(std::int16_t key) {
  for (const auto& a : advertised)
    if (static_cast<std::int16_t>(a.key) == key) return &a;
  return nullptr;
}

net::reply close_connection() { return net::reply{.frame = {}, .close = true}; }

template <typename Response>
net::reply encode_response(const kafka::request_header& header, std::int16_t body_version,
                           const Response& response) {
  kafka::writer w;
  auto at = w.reserve(4);
  kafka::write_response_header(w, header.request_api_key, header.request_api_version, header.correlation_id);
  response.encode(w, body_version);
  if (w.failed()) {
    spdlog::error("kafka: cannot encode {} response: {}", kafka::api_name(Response::api_key),
                  w.status().error().describe());
    return close_connection();
  }
  w.patch_int32(at, static_cast<std::int32_t>(w.size() - 4));
  return net::reply{.frame = w.take_bytes(), .close = false};
}

// Decodes the body as `Request`, or logs and returns false.
template <typename Request>
bool decode_body(kafka::reader& r, const kafka::request_header& header, Request& request) {
  auto decoded = request.decode(r, header.request_api_version);
  if (decoded) return true;
  spdlog::warn("kafka: closing connection of client '{}': malformed {} v{} request: {}",
               kafka::or_empty(header.client_id), kafka::api_name(Request::api_key),
               header.request_api_version, decoded.error().describe());
  return false;
}

// Decode, handle, encode, for the APIs whose handlers answer at once.
template <typename Request, typename Handler>
net::reply run(context& ctx, kafka::reader& r, const kafka::request_header& header, Handler handler) {
  Request request;
  if (!decode_body(r, header, request)) return close_connection();
  return encode_response(header, header.request_api_version,
                         handler(ctx, request, header.request_api_version));
}

// Consumer groups: decode, run the group API (group/kafka_api.h), encode.
template <typename Request, typename Response>
net::reply run_group(context& ctx, kafka::reader& r, const kafka::request_header& header,
                     Response (*handler)(group::group_coordinator&, const Request&, std::int16_t)) {
  Request request;
  if (ctx.groups == nullptr || !decode_body(r, header, request)) return close_connection();
  return encode_response(header, header.request_api_version,
                         handler(*ctx.groups, request, header.request_api_version));
}

// JoinGroup and SyncGroup answer once the rebalance gets there, from whichever thread completes it.
template <typename Request, typename Response>
void run_group_later(context& ctx, kafka::reader& r, const kafka::request_header& header,
                     net::reply_fn respond,
                     void (*handler)(group::group_coordinator&, Request, const group::request_info&,
                                     std::function<void(Response)>)) {
  Request request;
  if (ctx.groups == nullptr || !decode_body(r, header, request)) return respond(close_connection());
  group::request_info info{.version = header.request_api_version,
                           .client_id = std::string(kafka::or_empty(header.client_id))};
  handler(*ctx.groups, std::move(request), info, [header, respond = std::move(respond)](Response response) {
    respond(encode_response(header, header.request_api_version, response));
  });
}

// A newer client's ApiVersions: answer at v0 with UNSUPPORTED_VERSION and the supported list, so it can
// retry with a version both sides know (KIP-511).
net::reply unsupported_api_versions(const kafka::request_header& header, context& ctx) {
  auto response = handle_api_versions(ctx, {}, 0);
  response.error_code = code(kafka::error_code::unsupported_version);
  kafka::writer w;
  auto at = w.reserve(4);
  kafka::write_response_header(w, header.request_api_key, 0, header.correlation_id);
  response.encode(w, 0);
  w.patch_int32(at, static_cast<std::int32_t>(w.size() - 4));
  return net::reply{.frame = w.take_bytes(), .close = false};
}

}  // namespace

std::span<const kafka::api_version_range> advertised_apis() { return advertised; }

broker::broker(storage::log_manager& logs, broker_config config, boost::asio::io_context* io)
    : ctx_{.logs = logs, .config = std::move(config), .io = io} {
  auto now = std::chrono::system_clock::now().time_since_epoch();
  // Milliseconds since the epoch times 1000 leaves room for a thousand producers per millisecond.
  ctx_.next_producer_id = std::chrono::duration_cast<std::chrono::milliseconds>(now).count() * 1000;
}

void broker::handle(std::vector<std::byte> frame, net::reply_fn respond) {
  kafka::reader r(frame);
  auto parsed = kafka::read_request_header(r);
  if (!parsed) {
    spdlog::warn("kafka: closing connection: malformed request header: {}", parsed.error().describe());
    return respond(close_connection());
  }
  const auto& header = *parsed;
  auto version = header.request_api_version;
  const auto* api = find_advertised(header.request_api_key);
  if (api == nullptr) {
    spdlog::warn("kafka: closing connection of client '{}': unsupported api key {}",
                 kafka::or_empty(header.client_id), header.request_api_key);
    return respond(close_connection());
  }
  if (version < api->min_version || version > api->max_version) {
    if (api->key == api_key::api_versions) return respond(unsupported_api_versions(header, ctx_));
    spdlog::warn("kafka: closing connection of client '{}': {} v{} is not supported (v{}-{})",
                 kafka::or_empty(header.client_id), kafka::api_name(api->key), version, api->min_version,
                 api->max_version);
    return respond(close_connection());
  }
  switch (api->key) {
    case api_key::api_versions:
      return respond(run<kafka::api_versions_request>(ctx_, r, header, handle_api_versions));
    case api_key::metadata:
      return respond(run<kafka::metadata_request>(ctx_, r, header, handle_metadata));
    case api_key::create_topics:
      return respond(run<kafka::create_topics_request>(ctx_, r, header, handle_create_topics));
    case api_key::delete_topics:
      return respond(run<kafka::delete_topics_request>(ctx_, r, header, handle_delete_topics));
    case api_key::list_offsets:
      return respond(run<kafka::list_offsets_request>(ctx_, r, header, handle_list_offsets));
    case api_key::init_producer_id:
      return respond(run<kafka::init_producer_id_request>(ctx_, r, header, handle_init_producer_id));
    case api_key::describe_cluster:
      return respond(run<kafka::describe_cluster_request>(ctx_, r, header, handle_describe_cluster));
    case api_key::offset_for_leader_epoch:
      return respond(
          run<kafka::offset_for_leader_epoch_request>(ctx_, r, header, handle_offset_for_leader_epoch));
    case api_key::describe_configs:
      return respond(run<kafka::describe_configs_request>(ctx_, r, header, handle_describe_configs));
    case api_key::alter_configs:
      return respond(run<kafka::alter_configs_request>(ctx_, r, header, handle_alter_configs));
    case api_key::incremental_alter_configs:
      return respond(
          run<kafka::incremental_alter_configs_request>(ctx_, r, header, handle_incremental_alter_configs));
    case api_key::delete_records:
      return respond(run<kafka::delete_records_request>(ctx_, r, header, handle_delete_records));
    case api_key::create_partitions:
      return respond(run<kafka::create_partitions_request>(ctx_, r, header, handle_create_partitions));
    case api_key::produce: {
      kafka::produce_request request;
      if (!decode_body(r, header, request)) return respond(close_connection());
      auto response = handle_produce(ctx_, request, version);
      // acks=0: the client expects no response at all.
      if (request.acks == 0) return respond(net::reply{});
      return respond(encode_response(header, version, response));
    }
    case api_key::fetch: {
      kafka::fetch_request request;
      if (!decode_body(r, header, request)) return respond(close_connection());
      return handle_fetch(ctx_, std::move(request), version,
                          [header, respond = std::move(respond)](kafka::fetch_response response) {
                            respond(encode_response(header, header.request_api_version, response));
                          });
    }
    // Consumer groups (src/group).
    case api_key::find_coordinator:
      return respond(run<kafka::find_coordinator_request>(ctx_, r, header, handle_find_coordinator));
    case api_key::join_group:
      return run_group_later(ctx_, r, header, std::move(respond), group::handle_join_group);
    case api_key::sync_group:
      return run_group_later(ctx_, r, header, std::move(respond), group::handle_sync_group);
    case api_key::heartbeat:
      return respond(run_group(ctx_, r, header, group::handle_heartbeat));
    case api_key::leave_group:
      return respond(run_group(ctx_, r, header, group::handle_leave_group));
    case api_key::offset_commit:
      return respond(run_group(ctx_, r, header, group::handle_offset_commit));
    case api_key::offset_fetch:
      return respond(run_group(ctx_, r, header, group::handle_offset_fetch));
    case api_key::list_groups:
      return respond(run_group(ctx_, r, header, group::handle_list_groups));
    case api_key::describe_groups:
      return respond(run_group(ctx_, r, header, group::handle_describe_groups));
    case api_key::delete_groups:
      return respond(run_group(ctx_, r, header, group::handle_delete_groups));
    case api_key::offset_delete:
      return respond(run_group(ctx_, r, header, group::handle_offset_delete));
    default:
      break;
  }
  respond(close_connection());
}

}  // namespace sluice::broker
