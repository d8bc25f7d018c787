// Produce: appends each partition's record batches as received. acks=1 answers after the append
// (the batches are readable); acks=-1 also waits for partition_log::flush, so an acknowledged batch
// survives a crash — Sluice has no replicas, so "all in-sync replicas have it" becomes "it is on disk".
// Whatever flush.messages / flush.ms say, acks=-1 syncs (group commit shares one fdatasync between
// concurrent producers); acks=1 leaves durability to that policy. acks=0 gets no response at all
// (the dispatcher drops it).
//
// Idempotent producers: the log recognises a retried batch (same producer, epoch and sequence range
// as one of the producer's last five) and answers with the original offsets, which is what the
// client gets here; a sequence gap is OUT_OF_ORDER_SEQUENCE_NUMBER, an older epoch
// INVALID_PRODUCER_EPOCH. Produce v3+ carries exactly one batch per partition, as Kafka requires.
#include <spdlog/spdlog.h>

#include "broker/handlers/handlers.h"
#include "model/record_batch.h"

namespace sluice::broker {
namespace {

using partition_response = kafka::produce_response::partition_produce_response;

// True when `records` is one batch by its framing (the append validates the rest).
bool holds_one_batch(bytes_view records) {
  if (records.size() < model::batch_log_overhead) return true;
  auto length = load_be<std::int32_t>(records.data() + model::batch_length_offset);
  return length < 0 || records.size() <= model::batch_log_overhead + static_cast<std::size_t>(length);
}

// The set's bytes as one span the append may stamp offsets into: where they lie in the request frame
// (a decoded request), or, for a set built otherwise, its buffers joined into one.
mutable_bytes appendable_bytes(kafka::record_set& records) {
  if (records.buffers.empty()) return records.shared;
  if (records.buffers.size() > 1 || !records.shared.empty()) {
    std::vector<std::byte> joined;
    for (auto piece : records.pieces()) joined.insert(joined.end(), piece.begin(), piece.end());
    records = kafka::record_set(std::move(joined));
  }
  return records.buffers.front();
}

partition_response produce_one(context& ctx, const std::string& topic,
                               kafka::produce_request::partition_produce_data& data, std::int16_t acks) {
  partition_response out;
  out.index = data.index;
  auto failed = [&](kafka::error_code c, std::string message) {
    out.error_code = code(c);
    out.base_offset = -1;
    out.error_message = std::move(message);
    return out;
  };
  auto log = ctx.logs.partition(topic, data.index);
  if (!log) return failed(kafka::error_code::unknown_topic_or_partition, "no such partition");
  if (!data.records || data.records->size() == 0)
    return failed(kafka::error_code::corrupt_message, "no record batches");
  auto batch = appendable_bytes(*data.records);
  if (!holds_one_batch(batch))
    return failed(kafka::error_code::invalid_record, "Produce requests must have exactly one record batch");
  auto appended = log->append(batch);
  if (!appended) return failed(to_kafka_error(appended.error().code), appended.error().message);
  if (acks == -1) {
    if (auto flushed = log->flush(appended->last_offset + 1); !flushed)
      return failed(to_kafka_error(flushed.error().code), flushed.error().message);
  }
  out.base_offset = appended->base_offset;
  out.log_start_offset = log->log_start_offset();
  return out;
}

}  // namespace

kafka::produce_response handle_produce(context& ctx, kafka::produce_request& request, std::int16_t version) {
  kafka::produce_response response;
  bool acks_ok = request.acks == 0 || request.acks == 1 || request.acks == -1;
  for (auto& topic : request.topic_data) {
    kafka::produce_response::topic_produce_response topic_out;
    topic_out.name = topic.name;
    auto topic_error = acks_ok ? kafka::error_code::none : kafka::error_code::invalid_required_acks;
    // Produce v0-2 carry message sets v0/v1, which Sluice does not store (see broker.cc).
    if (version < 3) topic_error = kafka::error_code::unsupported_for_message_format;
    if (topic_error == kafka::error_code::none) topic_error = ensure_topic(ctx, topic.name);
    for (auto& partition : topic.partition_data) {
      if (topic_error != kafka::error_code::none) {
        partition_response out;
        out.index = partition.index;
        out.error_code = code(topic_error);
        out.base_offset = -1;
        topic_out.partition_responses.push_back(std::move(out));
        continue;
      }
      topic_out.partition_responses.push_back(produce_one(ctx, topic.name, partition, request.acks));
    }
    response.responses.push_back(std::move(topic_out));
  }
  return response;
}

}  // namespace sluice::broker
