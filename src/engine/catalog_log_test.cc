#include "engine/catalog_log.h"

#include <gtest/gtest.h>

#include "storage/log_manager.h"
#include "storage/test_util.h"

namespace sluice::engine {
namespace {

using storage::test::must;

std::unique_ptr<storage::log_manager> open_logs(const std::string& dir) {
  storage::storage_options options;
  options.data_dir = dir;
  options.background_housekeeping = false;
  return must(storage::log_manager::open(io::file_system::posix(), options));
}

TEST(CatalogLog, ReplaysLiveObjectsInCreationOrderAfterReopen) {
  storage::test::temp_dir dir;
  {
    auto logs = open_logs(dir.path());
    catalog_log catalog(*logs);
    EXPECT_TRUE(must(catalog.load()).empty());
    ASSERT_TRUE(catalog.record_create("orders", "CREATE SOURCE orders (id bigint) WITH (topic = 'o')"));
    ASSERT_TRUE(catalog.record_create("v1", "CREATE MATERIALIZED VIEW v1 AS SELECT 1"));
    ASSERT_TRUE(catalog.record_create("v2", "CREATE MATERIALIZED VIEW v2 AS SELECT 2"));
    ASSERT_TRUE(catalog.record_drop("v1"));
    ASSERT_TRUE(catalog.record_create("v1", "CREATE MATERIALIZED VIEW v1 AS SELECT 3"));
    ASSERT_TRUE(logs->close());
  }
  auto logs = open_logs(dir.path());
  auto entries = must(catalog_log(*logs).load());
  ASSERT_EQ(entries.size(), 3U);
  EXPECT_EQ(entries[0].name, "orders");
  EXPECT_EQ(entries[1].name, "v2");
  EXPECT_EQ(entries[2].name, "v1");
  EXPECT_EQ(entries[2].statement, "CREATE MATERIALIZED VIEW v1 AS SELECT 3");
}

}  // namespace
}  // namespace sluice::engine
