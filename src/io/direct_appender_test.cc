#include "io/direct_appender.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <string>

#include "io/fault_injection_file_system.h"
#include "io/file.h"

namespace sluice::io {
namespace {

class DirectAppender : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = "/tmp/sluice-io-test-XXXXXX";
    ASSERT_NE(::mkdtemp(pattern.data()), nullptr);
    dir_ = pattern;
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::unique_ptr<file> open(file_system& fs = file_system::posix()) {
    auto f = fs.open(dir_ + "/log", open_mode::read_write);
    EXPECT_TRUE(f.has_value());
    return std::move(f).value();
  }
  static std::string contents(file& f) {
    std::string out(f.size().value(), '\0');
    auto got = f.read_at({reinterpret_cast<std::byte*>(out.data()), out.size()}, 0);
    EXPECT_EQ(got.value(), out.size());
    return out;
  }
  static bytes_view bytes(const std::string& s) {
    return {reinterpret_cast<const std::byte*>(s.data()), s.size()};
  }

  std::string dir_;
};

// Appends of every size around the block boundary, each one read back whole through the page cache:
// the rewritten last block keeps what was there, and the padding never shows.
TEST_F(DirectAppender, AppendsOfAnySizeReadBackExactly) {
  auto f = open();
  auto appender = direct_appender::open(*f, 0).value();
  std::string expected;
  for (std::size_t n : {1u, 4095u, 1u, 4096u, 5000u, 3u, 0u, 12288u, 7u, 8191u, 700000u, 262144u}) {
    std::string piece(n, '\0');
    for (std::size_t i = 0; i < n; ++i) piece[i] = static_cast<char>('a' + (expected.size() + i) % 26);
    ASSERT_TRUE(appender.append(bytes(piece)).has_value());
    expected += piece;
    ASSERT_EQ(appender.size(), expected.size());
    ASSERT_EQ(contents(*f), expected);
  }
}

// A reopened file, and one truncated under the appender, go on from their true end.
TEST_F(DirectAppender, ContinuesAfterReopenAndTruncation) {
  std::string expected(6000, 'x');
  {
    auto f = open();
    auto appender = direct_appender::open(*f, 0).value();
    ASSERT_TRUE(appender.append(bytes(expected)).has_value());
  }
  auto f = open();
  auto appender = direct_appender::open(*f, f->size().value()).value();
  ASSERT_TRUE(appender.append(bytes("tail")).has_value());
  expected += "tail";
  EXPECT_EQ(contents(*f), expected);

  ASSERT_TRUE(f->truncate(4099).has_value());
  ASSERT_TRUE(appender.reset(4099).has_value());
  ASSERT_TRUE(appender.append(bytes("after")).has_value());
  EXPECT_EQ(contents(*f), expected.substr(0, 4099) + "after");
}

// A file that cannot write directly (here, the test file system's) gets the same bytes by write_at.
TEST_F(DirectAppender, FilesWithoutDirectWritesGetTheSameBytes) {
  fault_injection_file_system fs(file_system::posix());
  auto f = open(fs);
  auto appender = direct_appender::open(*f, 0).value();
  ASSERT_TRUE(appender.append(bytes("hello")).has_value());
  ASSERT_TRUE(appender.append(bytes(std::string(5000, 'y'))).has_value());
  EXPECT_EQ(contents(*f), "hello" + std::string(5000, 'y'));
}

// A failed append, however many pieces it took, leaves the file as it was, and the next one goes on
// from there.
TEST_F(DirectAppender, AFailedAppendLeavesTheFileAsItWas) {
  fault_injection_file_system fs(file_system::posix());
  auto f = open(fs);
  auto appender = direct_appender::open(*f, 0).value();
  ASSERT_TRUE(appender.append(bytes("kept")).has_value());
  fs.fill_disk(true);
  EXPECT_FALSE(appender.append(bytes(std::string(600000, 'z'))).has_value());
  fs.fill_disk(false);
  EXPECT_EQ(appender.size(), 4u);
  ASSERT_TRUE(appender.append(bytes("+more")).has_value());
  EXPECT_EQ(contents(*f), "kept+more");
}

}  // namespace
}  // namespace sluice::io
