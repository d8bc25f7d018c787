#include "storage/traffic.h"

#include "metrics/registry.h"

namespace sluice::storage {
namespace {

const metrics::family_info records_in{
    "sluice_topic_records_in_total", "Records appended to the topic.", {"topic"}};
const metrics::family_info bytes_in{
    "sluice_topic_bytes_in_total", "Bytes of record batches appended to the topic.", {"topic"}};
const metrics::family_info records_out{
    "sluice_topic_records_out_total", "Records served from the topic by Fetch.", {"topic"}};
const metrics::family_info bytes_out{
    "sluice_topic_bytes_out_total", "Bytes of record batches served from the topic by Fetch.", {"topic"}};

}  // namespace

topic_traffic traffic_of(const std::string& topic) {
  auto& r = metrics::default_registry();
  return topic_traffic{.records_in = r.counter(records_in, {topic}),
                       .bytes_in = r.counter(bytes_in, {topic}),
                       .records_out = r.counter(records_out, {topic}),
                       .bytes_out = r.counter(bytes_out, {topic})};
}

void forget_traffic(const std::string& topic) {
  auto& r = metrics::default_registry();
  for (const auto* f : {&records_in, &bytes_in, &records_out, &bytes_out}) r.remove(f->name, {topic});
}

void observe_fsync(std::chrono::steady_clock::duration took) {
  static const auto histogram =
      metrics::default_registry().histogram({"sluice_log_fsync_duration_seconds",
                                             "Time of one fdatasync of a partition log (a group commit).",
                                             {}});
  histogram->observe(std::chrono::duration<double>(took).count());
}

void count_served(const topic_traffic& traffic, std::uint64_t records, std::uint64_t bytes) {
  if (traffic.records_out) traffic.records_out->inc(records);
  if (traffic.bytes_out) traffic.bytes_out->inc(bytes);
}

}  // namespace sluice::storage
