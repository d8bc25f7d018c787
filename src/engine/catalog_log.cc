#include "engine/catalog_log.h"

#include <map>

#include "storage/log_manager.h"
#include "storage/record_reader.h"

namespace sluice::engine {
namespace {

std::string text_of(bytes_view bytes) { return {reinterpret_cast<const char*>(bytes.data()), bytes.size()}; }

}  // namespace

catalog_log::catalog_log(storage::log_manager& logs) : logs_(logs), writer_(logs, catalog_topic, 1) {}

result<void> catalog_log::append_synced(output_record record) {
  SLUICE_RETURN_IF_ERROR(writer_.write({std::move(record)}));
  auto log = logs_.partition(catalog_topic, 0);
  if (!log) return fail(errc::not_found, std::string(catalog_topic) + " has no partition 0");
  return log->flush();
}

result<void> catalog_log::record_create(const std::string& name, const std::string& statement) {
  return append_synced({name, statement, wall_clock_ms(), {}});
}

result<void> catalog_log::record_drop(const std::string& name) {
  return append_synced({name, std::nullopt, wall_clock_ms(), {}});
}

result<std::vector<catalog_entry>> catalog_log::load() const {
  auto log = logs_.partition(catalog_topic, 0);
  if (!log) return std::vector<catalog_entry>{};
  std::map<std::string, std::pair<std::int64_t, std::string>> live;  // name → (offset, statement)
  std::int64_t offset = log->log_start_offset();
  while (offset < log->end_offset()) {
    SLUICE_ASSIGN_OR_RETURN(std::int64_t next,
                            storage::read_records(*log, offset, 1 << 20, [&](const auto& rec) {
                              if (!rec.key) return true;
                              if (rec.value) {
                                live[text_of(*rec.key)] = {rec.offset, text_of(*rec.value)};
                              } else {
                                live.erase(text_of(*rec.key));
                              }
                              return true;
                            }));
    if (next <= offset) break;
    offset = next;
  }
  std::map<std::int64_t, catalog_entry> ordered;
  for (auto& [name, entry] : live) ordered[entry.first] = {name, std::move(entry.second)};
  std::vector<catalog_entry> out;
  for (auto& [offset_of, entry] : ordered) out.push_back(std::move(entry));
  return out;
}

}  // namespace sluice::engine
