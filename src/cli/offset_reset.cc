#include "cli/offset_reset.h"

#include <algorithm>
#include <map>
#include <set>

namespace sluice::cli {
namespace {

// The topic's partitions, or only `chosen` (each must exist).
result<std::vector<partition_info>> only_chosen(std::vector<partition_info> all, const std::string& topic,
                                                const std::vector<std::int32_t>& chosen) {
  if (chosen.empty()) return all;
  std::set<std::int32_t> wanted(chosen.begin(), chosen.end());
  for (auto p : wanted)
    if (std::none_of(all.begin(), all.end(), [p](const auto& info) { return info.id == p; }))
      return fail(errc::not_found, "topic '" + topic + "' has no partition " + std::to_string(p) +
                                       " (it has " + std::to_string(all.size()) + ")");
  std::erase_if(all, [&](const auto& info) { return wanted.count(info.id) == 0; });
  return all;
}

}  // namespace

std::int64_t resolve_target(const reset_target& target, const partition_info& p, std::int64_t at_time) {
  switch (target.to) {
    case reset_target::kind::earliest:
      return p.low;
    case reset_target::kind::latest:
      return p.high;
    case reset_target::kind::offset:
      return std::clamp(target.value, p.low, std::max(p.low, p.high));
    case reset_target::kind::datetime:
      return at_time < 0 ? p.high : std::clamp(at_time, p.low, std::max(p.low, p.high));
  }
  return p.high;
}

result<void> require_no_members(rd_kafka_t* client, const client_options& options, const std::string& group) {
  SLUICE_ASSIGN_OR_RETURN(auto g, describe_group(client, options, group));
  if (g.members.empty()) return {};
  auto n = g.members.size();
  return fail(errc::io_error, "group '" + group + "' has " + std::to_string(n) +
                                  (n == 1 ? " member" : " members") + " (state " + g.state +
                                  "); offsets can only be reset while no consumer is in the group");
}

result<std::vector<reset_step>> plan_reset(rd_kafka_t* client, const client_options& options,
                                           const std::string& group, const std::string& topic,
                                           const std::vector<std::int32_t>& partitions,
                                           const reset_target& target) {
  SLUICE_ASSIGN_OR_RETURN(auto all, describe_partitions(client, options, topic));
  SLUICE_ASSIGN_OR_RETURN(auto chosen, only_chosen(std::move(all), topic, partitions));
  std::map<std::int32_t, std::int64_t> at_time;
  if (target.to == reset_target::kind::datetime) {
    std::vector<std::int32_t> ids;
    for (const auto& p : chosen) ids.push_back(p.id);
    SLUICE_ASSIGN_OR_RETURN(at_time,
                            offsets_for_time(client, options, topic, ids, target.value, "--to-datetime"));
  }
  SLUICE_ASSIGN_OR_RETURN(auto committed, list_group_offsets(client, options, group));
  std::vector<reset_step> out;
  for (const auto& p : chosen) {
    reset_step step{.partition = p.id, .current = std::nullopt, .next = 0};
    for (const auto& c : committed)
      if (c.where.topic == topic && c.where.partition == p.id) step.current = c.offset;
    auto found = at_time.find(p.id);
    step.next = resolve_target(target, p, found == at_time.end() ? -1 : found->second);
    out.push_back(step);
  }
  return out;
}

}  // namespace sluice::cli
