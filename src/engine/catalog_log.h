// engine/catalog_log.h — the persistent SQL catalog: each CREATE statement as the user wrote it, in
// the internal topic __sluice_catalog (key = object name, value = the statement; DROP writes a
// tombstone). Replaying the topic in offset order re-creates every source, table, view and sink
// after a restart, as ksqlDB's command topic does. Writes are synced before the DDL is acknowledged.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "base/result.h"
#include "engine/topic_writer.h"

namespace sluice::storage {
class log_manager;
}

namespace sluice::engine {

inline constexpr const char* catalog_topic = "__sluice_catalog";

struct catalog_entry {
  std::string name;
  std::string statement;
};

class catalog_log {
 public:
  explicit catalog_log(storage::log_manager& logs);

  result<void> record_create(const std::string& name, const std::string& statement);
  result<void> record_drop(const std::string& name);
  // The live objects, in the order they were (last) created: dependencies come before dependents.
  result<std::vector<catalog_entry>> load() const;

 private:
  result<void> append_synced(output_record record);

  storage::log_manager& logs_;
  topic_writer writer_;
};

}  // namespace sluice::engine
