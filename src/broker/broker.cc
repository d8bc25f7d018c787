#include "broker/broker.h"

#include <spdlog/spdlog.h>

#include <array>
#include <chrono>

#include "broker/handlers/handlers.h"
#include "group/kafka_api.h"
#include "kafka/protocol/headers.h"
#include "metrics/registry.h"
#include "net/asio.h"

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

// Per advertised API: requests and their latency (decode to reply, long polls included), kept in one
// array built once, so a request costs two relaxed atomic adds and one histogram observation.
struct api_meter {
  std::shared_ptr<metrics::counter> requests;
  std::shared_ptr<metrics::histogram> duration;
};

const std::array<api_meter, advertised.size()>& api_meters() {
  static const auto meters = [] {
    const metrics::family_info requests{
        "sluice_kafka_requests_total", "Kafka requests received, by API.", {"api"}};
    const metrics::family_info duration{
        "sluice_kafka_request_duration_seconds",
        "Time from a Kafka request's arrival to its reply, by API (long-polling fetches included).",
        {"api"}};
    std::array<api_meter, advertised.size()> out;
    auto& r = metrics::default_registry();
    for (std::size_t i = 0; i < advertised.size(); ++i) {
      std::string api(kafka::api_name(advertised[i].key));
      out[i] = api_meter{r.counter(requests, {api}), r.histogram(duration, {api})};
    }
    return out;
  }();
  return meters;
}

net::reply_fn timed(const api_meter& meter, net::reply_fn respond) {
  meter.requests->inc();
  return [&meter, start = std::chrono::steady_clock::now(), respond = std::move(respond)](net::reply r) {
    meter.duration->observe(std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
    respond(std::move(r));
  };
}

// Errors are rare: a lookup in the registry per error is fine.
void count_error(kafka::api_key api, std::int16_t error) {
  static const metrics::family_info errors{"sluice_kafka_request_errors_total",
                                           "Partitions answered with a Kafka error code, by API and error "
                                           "(Produce and Fetch).",
                                           {"api", "error"}};
  metrics::default_registry()
      .counter(errors, {std::string(kafka::api_name(api)),
                        std::string(kafka::error_code_name(static_cast<kafka::error_code>(error)))})
      ->inc();
}

// Writes the size prefix, the response header and `response`; false (logged) when it cannot be encoded.
template <typename Response>
bool encode_frame(kafka::writer& w, const kafka::request_header& header, std::int16_t body_version,
                  const Response& response) {
  auto at = w.reserve(4);
  kafka::write_response_header(w, header.request_api_key, header.request_api_version, header.correlation_id);
  response.encode(w, body_version);
  if (w.failed()) {
    spdlog::error("kafka: cannot encode {} response: {}", kafka::api_name(Response::api_key),
                  w.status().error().describe());
    return false;
  }
  w.patch_int32(at, static_cast<std::int32_t>(w.size() - 4));
  return true;
}

template <typename Response>
net::reply encode_response(const kafka::request_header& header, std::int16_t body_version,
                           const Response& response) {
  kafka::writer w;
  if (!encode_frame(w, header, body_version, response)) return close_connection();
  return net::reply{.frame = w.take_bytes()};
}

// Record buffers at least this large go to the socket as they are, in a gathered write; smaller
// ones are cheaper to copy into the encoded bytes than to send as one more iovec.
constexpr std::size_t zero_copy_threshold = 1024;

// A Fetch response's record batches are not copied into the frame: the writer references them, and
// the reply keeps the response (which owns them) and the encoded bytes alive until they are written.
net::reply encode_fetch_response(const kafka::request_header& header, kafka::fetch_response response) {
  struct encoded {
    kafka::fetch_response response;
    kafka::writer w{zero_copy_threshold};
  };
  auto out = std::make_shared<encoded>();
  out->response = std::move(response);
  if (!encode_frame(out->w, header, header.request_api_version, out->response)) return close_connection();
  auto gather = out->w.fragments();
  // Nothing referenced (small or no batches): the encoded bytes are the whole frame.
  if (gather.size() == 1) return net::reply{.frame = out->w.take_bytes()};
  return net::reply{.frame = {}, .gather = std::move(gather), .keep_alive = std::move(out), .close = false};
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

// Runs `work` (handle and encode) on the blocking pool, which replies. A handler that throws there
// closes the connection, as the connection's own catch-all would.
template <typename Request, typename Work>
void on_pool(context& ctx, boost::asio::thread_pool& pool, const kafka::request_header& header,
             Request request, Work work, net::reply_fn respond) {
  boost::asio::post(
      pool, [&ctx, header, request = std::move(request), work, respond = std::move(respond)]() mutable {
        net::reply reply;
        try {
          reply = work(ctx, request, header);
        } catch (const std::exception& e) {
          spdlog::error("kafka: {} failed: {}", kafka::api_name(Request::api_key), e.what());
          reply = close_connection();
        }
        respond(std::move(reply));
      });
}

// Decodes on the calling (loop) thread, then runs `work` on the blocking pool.
template <typename Request, typename Work>
void post_blocking(context& ctx, boost::asio::thread_pool& pool, kafka::reader& r,
                   const kafka::request_header& header, Work work, net::reply_fn respond) {
  Request request;
  if (!decode_body(r, header, request)) return respond(close_connection());
  on_pool(ctx, pool, header, std::move(request), work, std::move(respond));
}

// The usual shape: on the blocking pool, handle with `Handle` and encode at the request's version.
template <typename Request, auto Handle>
void run_blocking(context& ctx, boost::asio::thread_pool& pool, kafka::reader& r,
                  const kafka::request_header& header, net::reply_fn respond) {
  auto work = [](context& c, Request& request, const kafka::request_header& h) {
    return encode_response(h, h.request_api_version, Handle(c, request, h.request_api_version));
  };
  post_blocking<Request>(ctx, pool, r, header, work, std::move(respond));
}

// Produce keeps its own shape: the handler may move the batches out of the request, and acks=0
// expects no response at all.
net::reply produce(context& ctx, kafka::produce_request& request, const kafka::request_header& header) {
  auto response = handle_produce(ctx, request, header.request_api_version);
  for (const auto& topic : response.responses)
    for (const auto& p : topic.partition_responses)
      if (p.error_code != 0) count_error(api_key::produce, p.error_code);
  if (request.acks == 0) return net::reply{};
  return encode_response(header, header.request_api_version, response);
}

// Whether a Metadata request would create a topic (auto-creation of one that does not exist), the
// only case in which it touches the disk. A refresh of known topics, the common case, is answered
// on the loop. (A topic deleted between this check and the handler is created on the loop: rare,
// and only slow, not wrong.)
bool metadata_creates_topics(const context& ctx, const kafka::metadata_request& request,
                             std::int16_t version) {
  if (!ctx.config.auto_create_topics || !request.topics) return false;
  if (version >= 4 && !request.allow_auto_topic_creation) return false;
  for (const auto& topic : *request.topics)
    if (!ctx.logs.describe_topic(topic.name.value_or(""))) return true;
  return false;
}

// Consumer groups: decode, run the group API (group/kafka_api.h), encode. In memory: on the loop.
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

// Consumer group APIs that write the offsets topic (and wait for its fdatasync): on the blocking pool.
template <typename Request, typename Response>
void run_group_blocking(context& ctx, boost::asio::thread_pool& pool, kafka::reader& r,
                        const kafka::request_header& header, net::reply_fn respond,
                        Response (*handler)(group::group_coordinator&, const Request&, std::int16_t)) {
  if (ctx.groups == nullptr) return respond(close_connection());
  auto work = [handler](context& c, const Request& request, const kafka::request_header& h) {
    return encode_response(h, h.request_api_version, handler(*c.groups, request, h.request_api_version));
  };
  post_blocking<Request>(ctx, pool, r, header, work, std::move(respond));
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

broker::broker(storage::log_manager& logs, broker_config config, boost::asio::thread_pool& blocking)
    : ctx_{.logs = logs, .config = std::move(config)}, blocking_(blocking) {
  auto now = std::chrono::system_clock::now().time_since_epoch();
  // Milliseconds since the epoch times 1000 leaves room for a thousand producers per millisecond.
  ctx_.next_producer_id = std::chrono::duration_cast<std::chrono::milliseconds>(now).count() * 1000;
}

void broker::handle(shared_bytes frame, boost::asio::io_context& loop, net::reply_fn respond) {
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
  respond = timed(api_meters()[static_cast<std::size_t>(api - advertised.data())], std::move(respond));
  switch (api->key) {
    // In memory: answered on the loop.
    case api_key::api_versions:
      return respond(run<kafka::api_versions_request>(ctx_, r, header, handle_api_versions));
    case api_key::init_producer_id:
      return respond(run<kafka::init_producer_id_request>(ctx_, r, header, handle_init_producer_id));
    case api_key::describe_cluster:
      return respond(run<kafka::describe_cluster_request>(ctx_, r, header, handle_describe_cluster));
    case api_key::offset_for_leader_epoch:
      return respond(
          run<kafka::offset_for_leader_epoch_request>(ctx_, r, header, handle_offset_for_leader_epoch));
    case api_key::describe_configs:
      return respond(run<kafka::describe_configs_request>(ctx_, r, header, handle_describe_configs));
    // Reads of the log: on the loop, like Fetch (see handlers/fetch.cc).
    case api_key::list_offsets:
      return respond(run<kafka::list_offsets_request>(ctx_, r, header, handle_list_offsets));
    case api_key::fetch: {
      kafka::fetch_request request;
      if (!decode_body(r, header, request)) return respond(close_connection());
      return handle_fetch(ctx_, std::move(request), version, loop,
                          [header, respond = std::move(respond)](kafka::fetch_response response) {
                            for (const auto& topic : response.responses)
                              for (const auto& p : topic.partitions)
                                if (p.error_code != 0) count_error(api_key::fetch, p.error_code);
                            respond(encode_fetch_response(header, std::move(response)));
                          });
    }
    // Metadata: on the loop, unless it is about to create a topic.
    case api_key::metadata: {
      kafka::metadata_request request;
      if (!decode_body(r, header, request)) return respond(close_connection());
      auto work = [](context& c, const kafka::metadata_request& m, const kafka::request_header& h) {
        return encode_response(h, h.request_api_version, handle_metadata(c, m, h.request_api_version));
      };
      if (!metadata_creates_topics(ctx_, request, version)) return respond(work(ctx_, request, header));
      return on_pool(ctx_, blocking_, header, std::move(request), work, std::move(respond));
    }
    // Writes to the disk: on the blocking pool.
    case api_key::create_topics:
      return run_blocking<kafka::create_topics_request, handle_create_topics>(ctx_, blocking_, r, header,
                                                                              std::move(respond));
    case api_key::delete_topics:
      return run_blocking<kafka::delete_topics_request, handle_delete_topics>(ctx_, blocking_, r, header,
                                                                              std::move(respond));
    case api_key::alter_configs:
      return run_blocking<kafka::alter_configs_request, handle_alter_configs>(ctx_, blocking_, r, header,
                                                                              std::move(respond));
    case api_key::incremental_alter_configs:
      return run_blocking<kafka::incremental_alter_configs_request, handle_incremental_alter_configs>(
          ctx_, blocking_, r, header, std::move(respond));
    case api_key::delete_records:
      return run_blocking<kafka::delete_records_request, handle_delete_records>(ctx_, blocking_, r, header,
                                                                                std::move(respond));
    case api_key::create_partitions:
      return run_blocking<kafka::create_partitions_request, handle_create_partitions>(
          ctx_, blocking_, r, header, std::move(respond));
    case api_key::produce:
      return post_blocking<kafka::produce_request>(ctx_, blocking_, r, header, produce, std::move(respond));
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
      return run_group_blocking(ctx_, blocking_, r, header, std::move(respond), group::handle_offset_commit);
    case api_key::offset_fetch:
      return respond(run_group(ctx_, r, header, group::handle_offset_fetch));
    case api_key::list_groups:
      return respond(run_group(ctx_, r, header, group::handle_list_groups));
    case api_key::describe_groups:
      return respond(run_group(ctx_, r, header, group::handle_describe_groups));
    case api_key::delete_groups:
      return run_group_blocking(ctx_, blocking_, r, header, std::move(respond), group::handle_delete_groups);
    case api_key::offset_delete:
      return run_group_blocking(ctx_, blocking_, r, header, std::move(respond), group::handle_offset_delete);
    default:
      break;
  }
  respond(close_connection());
}

}  // namespace sluice::broker
