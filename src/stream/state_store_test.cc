#include "stream/state_store.h"

#include <gtest/gtest.h>

#include "io/file.h"
#include "stream/codec.h"
#include "stream/test_util.h"

namespace sluice::stream {
namespace {

using testing::temp_dir;

std::vector<std::string> keys_with_prefix(state_store& s, std::string_view prefix) {
  std::vector<std::string> out;
  EXPECT_TRUE(s.scan_prefix(prefix, [&](std::string_view k, std::string_view) {
    out.emplace_back(k);
    return true;
  }));
  return out;
}

void exercise(state_store& s) {
  ASSERT_TRUE(s.put("a1", "x"));
  ASSERT_TRUE(s.put("a2", "y"));
  ASSERT_TRUE(s.put("b1", "z"));
  EXPECT_EQ(*s.get("a2").value(), "y");
  EXPECT_FALSE(s.get("zz").value().has_value());
  ASSERT_TRUE(s.erase("a2"));
  EXPECT_FALSE(s.get("a2").value().has_value());
  EXPECT_EQ(keys_with_prefix(s, "a"), std::vector<std::string>{"a1"});

  write_batch wb;
  wb.put("a3", "p");
  wb.put("a4", "q");
  wb.erase("a1");
  wb.put("a4", "r");  // later ops win
  ASSERT_TRUE(s.write(wb));
  EXPECT_EQ(keys_with_prefix(s, "a"), (std::vector<std::string>{"a3", "a4"}));
  EXPECT_EQ(*s.get("a4").value(), "r");

  // Windows by end time: keys [prefix][end][group] scanned in end order, stopping early.
  std::string p = state_prefix(3);
  for (std::int64_t end : {300, -100, 200, 100}) {
    std::string k = p;
    append_i64(k, end);
    ASSERT_TRUE(s.put(k, ""));
  }
  std::vector<std::int64_t> ends;
  std::string upto = p;
  append_i64(upto, 250);
  ASSERT_TRUE(s.scan(p, upto, [&](std::string_view k, std::string_view) {
    decoder d(k.substr(p.size()));
    std::int64_t e = 0;
    EXPECT_TRUE(d.read_i64(e));
    ends.push_back(e);
    return true;
  }));
  EXPECT_EQ(ends, (std::vector<std::int64_t>{-100, 100, 200}));
}

TEST(StateStore, MemoryStore) {
  auto s = make_memory_store();
  exercise(*s);
}

TEST(StateStore, RocksDbStoreRoundTripsAndPersists) {
  temp_dir dir;
  {
    auto s = open_rocksdb_store(dir.path() + "/db", dir.path() + "/logs");
    ASSERT_TRUE(s) << s.error().describe();
    exercise(**s);
  }
  auto again = open_rocksdb_store(dir.path() + "/db", dir.path() + "/logs");
  ASSERT_TRUE(again) << again.error().describe();
  EXPECT_EQ(*(*again)->get("a4").value(), "r");
  EXPECT_FALSE((*again)->get("a1").value().has_value());
}

// The size estimate grows with what a range holds and sees nothing outside it; RocksDB counts
// unflushed writes too (its memtable).
void sizes_grow(state_store& s) {
  EXPECT_EQ(s.approximate_size("m", "n"), 0u);
  std::string value(1000, 'v');
  write_batch wb;
  for (int i = 0; i < 100; ++i) wb.put("m" + std::to_string(i), value);
  ASSERT_TRUE(s.write(wb));
  EXPECT_GT(s.approximate_size("m", "n"), 0u);
  EXPECT_GT(s.approximate_size("m", ""), 0u);
  EXPECT_EQ(s.approximate_size("n", "o"), 0u);
}

TEST(StateStore, ApproximateSizes) {
  auto memory = make_memory_store();
  sizes_grow(*memory);
  EXPECT_EQ(memory->approximate_size("m", "n"), 100 * 1000 + 290u);
  temp_dir dir;
  auto rocks = open_rocksdb_store(dir.path() + "/db", dir.path() + "/logs");
  ASSERT_TRUE(rocks) << rocks.error().describe();
  sizes_grow(**rocks);
}

// A batch's log appends are in the log (and synced) before its keys are written; logs outlive the
// store object, and the ones nobody opens after a reopen are removed.
TEST(StateStore, LogsGrowWithBatchesAndOutliveTheStore) {
  temp_dir dir;
  std::string db = dir.path() + "/db", logs = dir.path() + "/logs";
  {
    auto s = open_rocksdb_store(db, logs);
    ASSERT_TRUE(s) << s.error().describe();
    auto kept = (*s)->open_log("kept");
    auto dropped = (*s)->open_log("dropped");
    ASSERT_TRUE(kept && dropped);
    std::string first = "hello ", second = "world";
    write_batch wb;
    wb.append(**kept, first);
    wb.append(**kept, second);
    wb.append(**dropped, first);
    wb.put("length", "11");
    ASSERT_TRUE((*s)->write(wb));
    EXPECT_EQ((*kept)->size().value(), 11u);
  }
  auto s = open_rocksdb_store(db, logs);
  ASSERT_TRUE(s) << s.error().describe();
  auto kept = (*s)->open_log("kept");
  ASSERT_TRUE(kept);
  std::string read;
  ASSERT_TRUE((*kept)->read(0, 11, read));
  EXPECT_EQ(read, "hello world");
  EXPECT_FALSE((*kept)->read(6, 6, read));  // past the end
  ASSERT_TRUE((*kept)->truncate(5));
  EXPECT_EQ((*kept)->size().value(), 5u);
  ASSERT_TRUE((*s)->remove_unopened_logs());
  auto listed = io::file_system::posix().list(logs);
  ASSERT_TRUE(listed);
  EXPECT_EQ(listed->size(), 1u);  // "dropped" was not opened since the reopen
  ASSERT_TRUE((*s)->remove_log("kept"));
  EXPECT_TRUE(io::file_system::posix().list(logs)->empty());
}

TEST(StateStore, PrefixEnd) {
  EXPECT_EQ(prefix_end("ab"), "ac");
  EXPECT_EQ(prefix_end(std::string("a\xff", 2)), "b");
  EXPECT_EQ(prefix_end("\xff"), "");
}

}  // namespace
}  // namespace sluice::stream
